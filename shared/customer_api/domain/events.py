"""Domain events, from the changes DynamoDB committed: one stream record of the customers table
becomes zero, one or two events. Pure: the images come in deserialized, the events go out as
plain data; the publisher function puts them on the bus.

Only customer items and address books make events (claims, groups, the counters and admins do
not): a change of a customer's addresses is a `customer.updated` naming `addresses` (a book
removed goes with its customer, whose deletion is the event). A change of the counters alone
(every login bumps `session_seq` and `version`) makes none. No password, hash or
token in clear ever goes into an event: the reset event carries the token as KMS encrypted it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from customer_api import store
from customer_api.core.records import DomainEvent

SOURCE = "customer-api"
CREATED = "customer.created"
UPDATED = "customer.updated"
DELETED = "customer.deleted"
PASSWORD_CHANGED = "customer.password_changed"
PASSWORD_RESET_REQUESTED = "customer.password_reset_requested"
DETAIL_TYPES = (CREATED, UPDATED, DELETED, PASSWORD_CHANGED, PASSWORD_RESET_REQUESTED)

CUSTOMER_PREFIX = "CUSTOMER#"
ADDRESS_BOOK_PREFIX = "ADDRESSES#"
ADDRESSES = "addresses"  # what `changed` names when the address book changed
# The fields a `customer.updated` names in `changed`, in this order.
CONTRACT_FIELDS = ("email", "full_name", "status", "group_id")
# What a customer looks like in an event: its public fields, never the hash or counters.
PUBLIC_FIELDS = ("customer_id", "uuid", "status", "group_id", "email", "full_name", "created_at", "updated_at")
# The reset fields of a customer item (see store.codecs).
RESET_HASH = "reset_hash"
RESET_EXPIRES_AT = "reset_expires_at"
RESET_CIPHERTEXT = "reset_token_ciphertext"

Image = Mapping[str, Any]  # a stream image, deserialized (numbers as Decimal)


def _number(value: Any) -> Any:
    # Stream images carry numbers as Decimal; events are JSON: whole numbers as int.
    return int(value) if value is not None and not isinstance(value, str) else value


def _public(image: Image) -> dict[str, Any]:
    return {field: _number(image.get(field)) for field in PUBLIC_FIELDS if field in image}


def _event(detail_type: str, event_id: str, image: Image, **detail: Any) -> DomainEvent:
    # One record may make two events: each gets its own stable id, the same on every redelivery.
    return DomainEvent(
        detail_type,
        {"event_id": f"{event_id}:{detail_type}", "customer_uuid": str(image["uuid"]), **detail},
    )


def _reset_requested(event_id: str, old: Image, new: Image) -> list[DomainEvent]:
    fresh_hash = new.get(RESET_HASH)
    if not fresh_hash or fresh_hash == old.get(RESET_HASH) or RESET_CIPHERTEXT not in new:
        return []
    expires_at = datetime.fromtimestamp(int(new[RESET_EXPIRES_AT]), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return [
        _event(
            PASSWORD_RESET_REQUESTED,
            event_id,
            new,
            email=str(new["email"]),
            full_name=str(new["full_name"]),
            expires_at=expires_at,
            encrypted_token=str(new[RESET_CIPHERTEXT]),
        )
    ]


def _modified(event_id: str, old: Image, new: Image) -> list[DomainEvent]:
    events = []
    changed = [field for field in CONTRACT_FIELDS if _number(old.get(field)) != _number(new.get(field))]
    if changed:
        events.append(_event(UPDATED, event_id, new, changed=changed, customer=_public(new)))
    if old.get("password_hash") != new.get("password_hash"):
        events.append(_event(PASSWORD_CHANGED, event_id, new))
    return events + _reset_requested(event_id, old, new)


def _address_book_changed(event_id: str, event_name: str, old: Image, new: Image) -> list[DomainEvent]:
    if event_name == "REMOVE" or old.get(ADDRESSES) == new.get(ADDRESSES):
        return []
    return [
        DomainEvent(
            UPDATED,
            {"event_id": f"{event_id}:{UPDATED}", "customer_uuid": str(new["customer_uuid"]), "changed": [ADDRESSES]},
        )
    ]


def _customer_changed(event_id: str, event_name: str, old: Image, new: Image) -> list[DomainEvent]:
    if event_name == "INSERT":
        return [_event(CREATED, event_id, new, customer=_public(new))]
    if event_name == "REMOVE":
        return [_event(DELETED, event_id, old, customer=_public(old))]
    return _modified(event_id, old, new) if event_name == "MODIFY" and old and new else []


def events_of_change(event_id: str, event_name: str, old: Image | None, new: Image | None) -> list[DomainEvent]:
    """The events of one committed change of the customers table (a stream record: its id, its
    kind INSERT/MODIFY/REMOVE, the item before and after)."""
    # An image the record lacks may come as None or as empty.
    old, new = old or {}, new or {}
    pk = str((new or old).get("pk", ""))
    if pk.startswith(ADDRESS_BOOK_PREFIX):
        return _address_book_changed(event_id, event_name, old, new)
    if pk.startswith(CUSTOMER_PREFIX):
        return _customer_changed(event_id, event_name, old, new)
    return []


def publish_change(event_id: str, event_name: str, old: Image | None, new: Image | None) -> list[DomainEvent]:
    """Publish the events of one committed change (none for most); raises when the bus did not
    take them all, so that the stream record is tried again (consumers de-duplicate by id)."""
    found = events_of_change(event_id, event_name, old, new)
    if found:
        store.active().publish_events(found)
    return found
