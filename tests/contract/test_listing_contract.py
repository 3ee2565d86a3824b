"""Finding customers (customer_api.store.protocol: customer_by_email, list_customers), proven on
each store: every customer listed once in order, filters, bounded pages, and paging while
customers are created."""

from __future__ import annotations

import dataclasses
import itertools
from concurrent.futures import ThreadPoolExecutor

from customer_api.core.records import Customer, CustomerFieldsChange, CustomerGroup, CustomerQuery
from customer_api.store.protocol import Store
from tests.contract.test_store_contract import stored_customer


def newest_first(customers: list[Customer]) -> list[str]:
    ordered = sorted(customers, key=lambda c: (c.created_at, c.customer_id), reverse=True)
    return [c.uuid for c in ordered]


def every_page(db: Store, query: CustomerQuery, limit: int, between_pages: object = None) -> list[list[Customer]]:
    """Every page of a listing, following the positions to the end."""
    pages, after = [], None
    for _ in range(10_000):
        page, after = db.list_customers(query, limit, after)
        assert len(page) <= limit
        pages.append(page)
        if callable(between_pages):
            between_pages()
        if after is None:
            return pages
    raise AssertionError("the listing never ended")


def customers_created(db: Store, count: int, **fields: object) -> list[Customer]:
    """Customers created a minute apart, some of them within the same second as another."""
    made = []
    for number in range(count):
        minute = number // 2  # two customers each minute: ties broken by customer_id
        created = f"2026-11-{1 + minute // 1440:02d} {minute // 60 % 24:02d}:{minute % 60:02d}:00"
        made.append(stored_customer(db, f"shopper{number:04d}@Shop.example.com", created_at=created, **fields))
    return made


def test_a_listing_serves_every_customer_once_newest_first_without_hashes(any_store: Store) -> None:
    made = customers_created(any_store, 45)
    pages = every_page(any_store, CustomerQuery(), limit=7)
    listed = [c for page in pages for c in page]
    assert [c.uuid for c in listed] == newest_first(made)
    assert all(c.password_hash == "" for c in listed)
    by_uuid = {c.uuid: c for c in made}
    assert all(c.email == by_uuid[c.uuid].email and c.full_name == by_uuid[c.uuid].full_name for c in listed)


def test_paging_while_customers_are_created_serves_each_earlier_customer_exactly_once(any_store: Store) -> None:
    made = customers_created(any_store, 40)
    later = iter(range(20))

    def create_a_newer_one() -> None:
        number = next(later, None)
        if number is not None:
            stored_customer(any_store, f"late{number}@shop.example.com", created_at=f"2026-12-01 00:00:{number:02d}")

    pages = every_page(any_store, CustomerQuery(), limit=7, between_pages=create_a_newer_one)
    listed = [c.uuid for page in pages for c in page]
    assert [uuid for uuid in listed if uuid in {c.uuid for c in made}] == newest_first(made)
    assert len(listed) == len(set(listed))


def test_filters_list_exactly_the_matching_customers_in_order(any_store: Store) -> None:
    made = customers_created(any_store, 30)
    any_store.insert_group(CustomerGroup(2, "0" * 32, "Wholesale", "2026-11-01 00:00:00", "2026-11-01 00:00:00"))
    for number, customer in enumerate(made):
        if number % 3 == 0:
            any_store.save_customer(customer, dataclasses.replace(customer, status=0, group_id=2))
    stored = [any_store.get_customer(c.uuid) for c in made]
    queries = [
        CustomerQuery(status=0),
        CustomerQuery(status=1, group_id=1),
        CustomerQuery(group_id=7),
        CustomerQuery(created_from="2026-11-01 00:03:00", created_to="2026-11-01 00:08:00"),
        CustomerQuery(status=0, created_to="2026-11-01 00:05:59"),
    ]
    for query in queries:
        expected = newest_first([c for c in stored if c is not None and query.matches(c)])
        listed = [c.uuid for page in every_page(any_store, query, limit=4) for c in page]
        assert listed == expected, query


def test_an_email_prefix_lists_in_address_order_whatever_the_case(any_store: Store) -> None:
    made = customers_created(any_store, 25)
    stored_customer(any_store, "other@shop.example.com")
    query = CustomerQuery(email_prefix="shopper001")
    listed = [c for page in every_page(any_store, query, limit=3) for c in page]
    assert [c.email for c in listed] == sorted(c.email for c in made if c.email.startswith("shopper001"))
    assert len(listed) == 10
    assert all(c.password_hash == "" for c in listed)
    with_status = CustomerQuery(email_prefix="shopper", status=1, created_from="2026-11-01 00:10:00")
    listed = [c for page in every_page(any_store, with_status, limit=6) for c in page]
    assert [c.uuid for c in listed] == [c.uuid for c in made if c.created_at >= "2026-11-01 00:10:00"]


def test_an_email_is_found_through_its_claim_in_any_case(any_store: Store) -> None:
    customer = stored_customer(any_store, "Ann.Lee@Shop.example.com")
    assert any_store.customer_by_email("ann.lee@shop.example.com") == customer
    assert any_store.customer_by_email("nobody@shop.example.com") is None


def test_an_email_change_moves_the_customer_in_the_address_listing(any_store: Store) -> None:
    customer = stored_customer(any_store, "zed@shop.example.com")
    any_store.save_customer(customer, dataclasses.replace(customer, email="amy@shop.example.com"))
    assert [c.email for c in any_store.list_customers(CustomerQuery(email_prefix="amy"), 5, None)[0]] == [
        "amy@shop.example.com"
    ]
    assert any_store.list_customers(CustomerQuery(email_prefix="zed"), 5, None)[0] == []


def test_a_change_of_name_and_status_in_place_shows_in_both_listings(any_store: Store) -> None:
    customer = stored_customer(any_store, "kim@shop.example.com")
    other = stored_customer(any_store, "kit@shop.example.com")
    change = CustomerFieldsChange("2026-12-01 09:30:00", full_name="Kim Changed", status=0, ends_sessions=True)

    changed = any_store.change_customer_fields(customer.uuid, change)

    disabled = any_store.list_customers(CustomerQuery(status=0), 5, None)[0]
    assert [(c.uuid, c.full_name, c.updated_at) for c in disabled] == [
        (customer.uuid, "Kim Changed", "2026-12-01 09:30:00")
    ]
    by_email = any_store.list_customers(CustomerQuery(email_prefix="ki"), 5, None)[0]
    assert [(c.uuid, c.full_name, c.status) for c in by_email] == [
        (customer.uuid, "Kim Changed", 0),
        (other.uuid, "Jane Doe", 1),
    ]
    newest = any_store.list_customers(CustomerQuery(), 5, None)[0]
    assert sorted((c.uuid, c.full_name) for c in newest) == sorted(
        [(customer.uuid, "Kim Changed"), (other.uuid, "Jane Doe")]
    )
    assert changed.full_name == "Kim Changed"


def test_of_parallel_creates_during_paging_each_earlier_customer_is_listed_once(thread_safe_store: Store) -> None:
    db = thread_safe_store
    made = customers_created(db, 60)
    numbers = itertools.count()

    def create_newer() -> None:
        number = next(numbers)
        stored_customer(db, f"racer{number}@shop.example.com", created_at="2026-12-02 00:00:00")

    with ThreadPoolExecutor(4) as pool:
        creating = [pool.submit(create_newer) for _ in range(20)]
        pages = every_page(db, CustomerQuery(), limit=7)
        for future in creating:
            future.result()
    listed = [c.uuid for page in pages for c in page]
    assert [uuid for uuid in listed if uuid in {c.uuid for c in made}] == newest_first(made)
