"""Address books and customer groups (customer_api.store.protocol), proven on each store."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from customer_api.core.errors import ConcurrentChange, CustomerNotFound, GroupInUse, GroupNotFound, UnknownGroup
from customer_api.core.records import Address, AddressBook, Customer, CustomerGroup, PrincipalKind
from customer_api.store.protocol import Store
from tests.contract.test_store_contract import a_customer, a_session, stored_customer

NOW = "2026-11-30 10:00:00"


def an_address(**fields: object) -> Address:
    values: dict[str, object] = {
        "uuid": uuid.uuid4().hex,
        "full_name": "Jane Doe",
        "telephone": "+1 555 0100",
        "address_1": "10 Main Street",
        "address_2": None,
        "city": "Springfield",
        "province": "US-CA",
        "country": "US",
        "postcode": "90000",
        "is_default": True,
        "created_at": NOW,
        "updated_at": NOW,
        **fields,
    }
    return Address(**values)  # type: ignore[arg-type]


def a_group(db: Store, name: str = "Wholesale") -> CustomerGroup:
    group = CustomerGroup(db.next_group_id(), uuid.uuid4().hex, name, NOW, NOW)
    db.insert_group(group)
    return group


# --- address books


def test_a_customer_without_addresses_has_an_empty_book(any_store: Store) -> None:
    customer = stored_customer(any_store)
    assert any_store.get_address_book(customer.uuid) == AddressBook()


def test_a_book_is_written_only_as_it_was_read(any_store: Store) -> None:
    customer = stored_customer(any_store)
    first = AddressBook((an_address(address_2="Apt 4"),))
    saved = any_store.save_address_book(customer.uuid, AddressBook(), first)
    assert saved.version == 1
    assert any_store.get_address_book(customer.uuid) == saved
    with pytest.raises(ConcurrentChange):
        any_store.save_address_book(customer.uuid, AddressBook(), first)  # read before the first save
    second = any_store.save_address_book(customer.uuid, saved, AddressBook((*saved.addresses, an_address())))
    assert len(any_store.get_address_book(customer.uuid).addresses) == 2
    assert second.version == 2


def test_no_book_is_written_for_a_missing_customer(any_store: Store) -> None:
    with pytest.raises(CustomerNotFound):
        any_store.save_address_book(uuid.uuid4().hex, AddressBook(), AddressBook((an_address(),)))


def test_deleting_a_customer_deletes_its_book(any_store: Store) -> None:
    customer = stored_customer(any_store)
    any_store.save_address_book(customer.uuid, AddressBook(), AddressBook((an_address(),)))
    any_store.delete_customer(customer)
    assert any_store.get_address_book(customer.uuid) == AddressBook()


def test_a_customer_session_reads_with_its_customer_and_book(any_store: Store) -> None:
    customer = stored_customer(any_store)
    session = a_session(PrincipalKind.CUSTOMER, customer.uuid)
    any_store.open_session(session, clear_failures_of=None)
    found, owner, book = any_store.session_with_customer_and_book(session.sid, customer.uuid)
    assert (found, owner, book) == (session, any_store.get_customer(customer.uuid), AddressBook())
    saved = any_store.save_address_book(customer.uuid, AddressBook(), AddressBook((an_address(),)))
    assert any_store.session_with_customer_and_book(session.sid, customer.uuid)[2] == saved
    other = stored_customer(any_store)  # another customer's book is read for the customer asked
    assert any_store.session_with_customer_and_book(session.sid, other.uuid)[1:] == (
        any_store.get_customer(other.uuid),
        AddressBook(),
    )
    nobody = any_store.session_with_customer_and_book(str(uuid.uuid4()), uuid.uuid4().hex)
    assert nobody == (None, None, AddressBook())


def test_of_parallel_saves_from_one_read_exactly_one_wins(thread_safe_store: Store) -> None:
    customer = stored_customer(thread_safe_store)
    start = threading.Barrier(8)

    def save(_: int) -> str:
        start.wait()
        try:
            thread_safe_store.save_address_book(customer.uuid, AddressBook(), AddressBook((an_address(),)))
        except ConcurrentChange:
            return "lost"
        return "won"

    with ThreadPoolExecutor(8) as pool:
        assert sorted(pool.map(save, range(8))) == ["lost"] * 7 + ["won"]


# --- groups


def test_group_ids_start_after_the_default_group(any_store: Store) -> None:
    assert any_store.next_group_id() == 2
    assert any_store.next_group_id() == 3


def test_a_group_reads_back_and_is_listed(any_store: Store) -> None:
    group = a_group(any_store)
    assert any_store.get_group(group.group_id) == group
    assert [(g.group_id, g.group_name) for g in any_store.list_groups()] == [(group.group_id, "Wholesale")]
    assert any_store.get_group(99) is None


def test_a_rename_keeps_the_member_count(any_store: Store) -> None:
    group = a_group(any_store)
    stored_customer(any_store, group_id=group.group_id)
    renamed = any_store.rename_group(group.group_id, "Trade", "2026-12-01 00:00:00")
    assert renamed is not None
    assert (renamed.group_name, renamed.members, renamed.updated_at) == ("Trade", 1, "2026-12-01 00:00:00")
    assert any_store.rename_group(99, "Nobody", NOW) is None


def test_customers_are_counted_in_their_group_and_a_group_in_use_is_not_deleted(any_store: Store) -> None:
    group, other = a_group(any_store), a_group(any_store, "Retail")
    customer = stored_customer(any_store, group_id=group.group_id)
    with pytest.raises(GroupInUse):
        any_store.delete_group(group.group_id)
    moved = any_store.save_customer(customer, dataclasses.replace(customer, group_id=other.group_id))
    assert [any_store.get_group(g.group_id).members for g in (group, other)] == [0, 1]  # type: ignore[union-attr]
    assert any_store.delete_group(group.group_id) == dataclasses.replace(group, members=0)
    assert any_store.get_group(group.group_id) is None
    any_store.delete_customer(moved)
    assert any_store.get_group(other.group_id).members == 0  # type: ignore[union-attr]


def test_a_customer_cannot_join_a_missing_group(any_store: Store) -> None:
    with pytest.raises(UnknownGroup):
        any_store.insert_customer(a_customer(any_store, group_id=42))
    customer = stored_customer(any_store)
    with pytest.raises(UnknownGroup):
        any_store.save_customer(customer, dataclasses.replace(customer, group_id=42))
    assert any_store.get_customer(customer.uuid) == customer


def test_a_deleted_group_is_not_found(any_store: Store) -> None:
    group = a_group(any_store)
    assert any_store.delete_group(group.group_id) == group
    with pytest.raises(GroupNotFound):
        any_store.delete_group(group.group_id)


def race_a_join_and_a_delete(db: Store, customer: Customer, group: CustomerGroup) -> None:
    start = threading.Barrier(2)

    def join() -> None:
        start.wait()
        with contextlib.suppress(UnknownGroup):
            db.save_customer(customer, dataclasses.replace(customer, group_id=group.group_id))

    def delete() -> None:
        start.wait()
        with contextlib.suppress(GroupInUse):
            db.delete_group(group.group_id)

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(join), pool.submit(delete)]:
            future.result()


def test_a_group_deleted_while_a_customer_joins_leaves_no_customer_in_a_missing_group(
    thread_safe_store: Store,
) -> None:
    db = thread_safe_store
    for _ in range(10):
        group, customer = a_group(db), stored_customer(db)
        race_a_join_and_a_delete(db, customer, group)
        now = db.get_customer(customer.uuid)
        assert now is not None
        assert now.group_id == 1 or db.get_group(group.group_id) is not None
