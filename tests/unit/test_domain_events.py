"""Stream records of the customers table to domain events: which changes publish what."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from customer_api.core.records import DomainEvent
from customer_api.domain import events
from customer_api.domain.events import events_of_change

UUID = "e1b20098a66c11edb46b60d819134f39"


def customer_image(**changes: Any) -> dict[str, Any]:
    image = {
        "pk": f"CUSTOMER#{UUID}",
        "list_pk": "CREATED#3",
        "list_sk": "2026-11-30 05:00:00#000000000021",
        "customer_id": Decimal(21),
        "uuid": UUID,
        "status": Decimal(1),
        "group_id": Decimal(1),
        "email": "jane@example.com",
        "full_name": "Jane Doe",
        "password_hash": "$2b$12$abcdefghijklmnopqrstuuKZ9gJ8H3Yw4b6S7Z5J0F1V2W3X4Y5Z6",
        "created_at": "2026-11-30 05:00:00",
        "updated_at": "2026-11-30 05:00:00",
        "version": Decimal(1),
        "session_epoch": Decimal(0),
        "session_seq": Decimal(0),
    }
    return {**image, **changes}


def kinds(found: list[DomainEvent]) -> list[str]:
    return [event.detail_type for event in found]


def test_an_inserted_customer_is_created_with_its_public_fields() -> None:
    (created,) = events_of_change("rec-1", "INSERT", None, customer_image())

    assert created.detail_type == events.CREATED
    assert created.detail["customer_uuid"] == UUID
    assert created.detail["customer"]["customer_id"] == 21
    assert "password_hash" not in created.detail["customer"]


def test_a_removed_customer_is_deleted() -> None:
    assert kinds(events_of_change("rec-1", "REMOVE", customer_image(), None)) == [events.DELETED]


def test_claims_counters_and_admins_make_no_events() -> None:
    claim = {"pk": "EMAIL#jane@example.com", "customer_uuid": UUID}
    counter = {"pk": "COUNTER#customer_id", "last_id": Decimal(3)}
    admin = {"pk": "ADMIN#admin@example.com", "uuid": UUID, "email": "admin@example.com"}

    assert events_of_change("a", "INSERT", None, claim) == []
    assert events_of_change("b", "MODIFY", counter, {**counter, "last_id": Decimal(4)}) == []
    assert events_of_change("c", "MODIFY", admin, {**admin, "email": "other@example.com"}) == []
    assert events_of_change("d", "REMOVE", claim, None) == []


def test_an_update_names_the_contract_fields_that_changed() -> None:
    old = customer_image()
    new = customer_image(email="new@example.com", status=Decimal(0), updated_at="later", version=Decimal(2))

    (updated,) = events_of_change("rec-1", "MODIFY", old, new)

    assert updated.detail_type == events.UPDATED
    assert updated.detail["changed"] == ["email", "status"]


def test_a_login_that_bumps_only_counters_publishes_nothing() -> None:
    old = customer_image()
    new = customer_image(session_seq=Decimal(1), version=Decimal(2), session_epoch=Decimal(1), updated_at="later")

    assert events_of_change("rec-1", "MODIFY", old, new) == []


def test_a_new_password_hash_is_a_password_change_without_the_hash() -> None:
    new = customer_image(password_hash="$2b$12$another", full_name="Jane Roe")

    found = events_of_change("rec-1", "MODIFY", customer_image(), new)

    assert kinds(found) == [events.UPDATED, events.PASSWORD_CHANGED]
    assert "$2b$" not in json.dumps([event.detail for event in found])


def test_each_event_of_a_record_has_its_own_stable_id() -> None:
    new = customer_image(password_hash="$2b$12$another", full_name="Jane Roe")

    first = events_of_change("rec-1", "MODIFY", customer_image(), new)
    again = events_of_change("rec-1", "MODIFY", customer_image(), new)

    ids = [event.detail["event_id"] for event in first]
    assert len(set(ids)) == 2
    assert ids == [event.detail["event_id"] for event in again]


def reset_fields(hash_: str) -> dict[str, Any]:
    return {
        events.RESET_HASH: hash_,
        events.RESET_EXPIRES_AT: Decimal(1_800_000_000),
        events.RESET_CIPHERTEXT: "Y2lwaGVydGV4dA==",
    }


def test_a_new_reset_hash_publishes_the_reset_request_with_the_encrypted_token() -> None:
    old = customer_image()
    new = customer_image(version=Decimal(2), **reset_fields("a" * 64))

    (requested,) = events_of_change("rec-1", "MODIFY", old, new)

    assert requested.detail_type == events.PASSWORD_RESET_REQUESTED
    assert requested.detail["encrypted_token"] == "Y2lwaGVydGV4dA=="
    assert requested.detail["expires_at"] == "2027-01-15T08:00:00Z"
    assert requested.detail["email"] == "jane@example.com"
    assert "a" * 64 not in json.dumps(requested.detail)


def test_a_replaced_reset_request_publishes_again_and_an_unchanged_one_does_not() -> None:
    pending = customer_image(**reset_fields("a" * 64))

    replaced = events_of_change("rec-1", "MODIFY", pending, customer_image(**reset_fields("b" * 64)))
    login = events_of_change("rec-2", "MODIFY", pending, {**pending, "session_seq": Decimal(5)})

    assert kinds(replaced) == [events.PASSWORD_RESET_REQUESTED]
    assert login == []


def test_spending_a_reset_token_is_a_password_change_only() -> None:
    pending = customer_image(**reset_fields("a" * 64))
    spent = customer_image(password_hash="$2b$12$another", session_epoch=Decimal(1))

    assert kinds(events_of_change("rec-1", "MODIFY", pending, spent)) == [events.PASSWORD_CHANGED]


def test_the_local_outbox_names_the_service_s_source_and_reset_type() -> None:
    from local import outbox  # noqa: PLC0415

    assert (outbox.SOURCE, outbox.PASSWORD_RESET_REQUESTED) == (events.SOURCE, events.PASSWORD_RESET_REQUESTED)


def test_an_image_the_record_lacks_may_come_as_empty() -> None:
    assert kinds(events_of_change("rec-1", "INSERT", {}, customer_image())) == [events.CREATED]
    assert kinds(events_of_change("rec-2", "REMOVE", customer_image(), {})) == [events.DELETED]


def book_image(*cities: str) -> dict[str, Any]:
    return {
        "pk": f"ADDRESSES#{UUID}",
        "customer_uuid": UUID,
        "addresses": [{"uuid": f"{n:032x}", "city": city, "is_default": n == 0} for n, city in enumerate(cities)],
        "version": Decimal(len(cities)),
    }


def test_a_change_of_the_address_book_is_an_update_naming_addresses() -> None:
    for name, old, new in (
        ("INSERT", None, book_image("Springfield")),
        ("MODIFY", book_image("Springfield"), book_image("Springfield", "Shelbyville")),
    ):
        (updated,) = events_of_change("rec-1", name, old, new)
        assert updated.detail_type == events.UPDATED
        assert updated.detail == {"event_id": "rec-1:customer.updated", "customer_uuid": UUID, "changed": ["addresses"]}


def test_a_book_removed_with_its_customer_and_groups_make_no_events_of_their_own() -> None:
    group = {"pk": "GROUP#2", "group_id": Decimal(2), "group_name": "Wholesale", "members": Decimal(0)}
    assert events_of_change("a", "REMOVE", book_image("Springfield"), None) == []
    assert events_of_change("b", "INSERT", None, group) == []
    assert events_of_change("c", "MODIFY", group, {**group, "members": Decimal(1)}) == []


def test_a_customer_moved_to_another_group_names_group_id() -> None:
    (updated,) = events_of_change("rec-1", "MODIFY", customer_image(), customer_image(group_id=Decimal(2)))
    assert updated.detail["changed"] == ["group_id"]
