"""Finding customers on the in-memory store: the query string's rules and the signed cursor."""

from __future__ import annotations

import pytest

from customer_api.core.errors import InvalidInput
from customer_api.core.records import CustomerQuery
from customer_api.core.settings import settings
from customer_api.domain import listing
from customer_api.store.memory import MemoryStore
from tests.unit.test_customers import create


def test_the_query_string_becomes_a_query_with_normalised_bounds() -> None:
    request = listing.listing_request(
        {
            "email_prefix": " Jo ",
            "status": "1",
            "group_id": "3",
            "created_from": "2026-11-01",
            "created_to": "2026-11-30",
        }
    )
    assert request.query == CustomerQuery(
        email_prefix="jo", status=1, group_id=3, created_from="2026-11-01 00:00:00", created_to="2026-11-30 23:59:59"
    )
    assert (request.limit, request.email, request.cursor) == (20, None, None)


def test_the_limit_goes_from_1_to_100() -> None:
    assert listing.listing_request({"limit": "1"}).limit == 1
    assert listing.listing_request({"limit": "100"}).limit == 100
    for bad in ("0", "101", "-1", "1.5", " ", "1e2"):
        with pytest.raises(InvalidInput, match=r"^Invalid limit:"):
            listing.listing_request({"limit": bad})


def rotate_admin_key(memory: MemoryStore, current: str, previous: str) -> None:
    memory.secrets[settings().admin_token_secret] = {"current": current, "previous": previous}


def test_a_cursor_outlives_a_rotation_while_its_key_is_the_previous_one(memory: MemoryStore) -> None:
    for number in range(3):
        create(f"c{number}@shop.example.com")
    rotate_admin_key(memory, "key-one-" * 6, "")
    _, cursor = listing.find_customers(listing.listing_request({"limit": "1"}))
    assert cursor is not None
    rotate_admin_key(memory, "key-two-" * 6, "key-one-" * 6)
    page, _ = listing.find_customers(listing.listing_request({"limit": "1", "cursor": cursor}))
    assert [c.email for c in page] == ["c1@shop.example.com"]
    rotate_admin_key(memory, "key-two-" * 6, "")
    with pytest.raises(InvalidInput, match=r"^Invalid cursor:"):
        listing.find_customers(listing.listing_request({"limit": "1", "cursor": cursor}))


def test_an_email_lookup_has_no_next_page(memory: MemoryStore) -> None:
    customer = create("ann@shop.example.com")
    found, cursor = listing.find_customers(listing.listing_request({"email": "ANN@shop.example.com", "limit": "1"}))
    assert [c.uuid for c in found] == [customer.uuid]
    assert cursor is None
