"""Customer groups (admin): list, create, rename, delete. Group 1, Default, always exists and
cannot be deleted; until it is renamed it is not even stored. A group that customers are in
cannot be deleted: each customer is counted on its group in the same transaction that puts it
there, so a delete racing an assignment either sees the customer or makes the assignment fail."""

from __future__ import annotations

import dataclasses
import uuid

from customer_api import store
from customer_api.core import clock
from customer_api.core.errors import ConcurrentChange, GroupNotFound, InvalidInput
from customer_api.core.records import DEFAULT_GROUP_ID, CustomerGroup
from customer_api.domain.address_inputs import GroupChange

DEFAULT_GROUP_NAME = "Default"
# The Default group as it is before anybody renames it: a fixed uuid (derived, so every
# deployment agrees) and EverShop's name; it has existed since the beginning of time.
UNSTORED_DEFAULT = CustomerGroup(
    group_id=DEFAULT_GROUP_ID,
    uuid=uuid.uuid5(uuid.NAMESPACE_URL, "customer-api:customer-group:1").hex,
    group_name=DEFAULT_GROUP_NAME,
    created_at="1970-01-01 00:00:00",
    updated_at="1970-01-01 00:00:00",
)
DEFAULT_IS_PERMANENT = "The Default group cannot be deleted"


def list_groups() -> list[CustomerGroup]:
    stored = store.active().list_groups()
    if all(group.group_id != DEFAULT_GROUP_ID for group in stored):
        stored.insert(0, UNSTORED_DEFAULT)
    return stored


def get_group(group_id: int) -> CustomerGroup:
    found = store.active().get_group(group_id)
    if found is None and group_id == DEFAULT_GROUP_ID:
        return UNSTORED_DEFAULT
    if found is None:
        raise GroupNotFound()
    return found


def create_group(request: GroupChange) -> CustomerGroup:
    db = store.active()
    now = clock.timestamp()
    group = CustomerGroup(db.next_group_id(), uuid.uuid4().hex, request.group_name, now, now)
    db.insert_group(group)
    return group


def rename_group(group_id: int, request: GroupChange) -> CustomerGroup:
    db = store.active()
    now = clock.timestamp()
    renamed = db.rename_group(group_id, request.group_name, now)
    if renamed is not None:
        return renamed
    if group_id != DEFAULT_GROUP_ID:
        raise GroupNotFound()
    # The Default group, stored for the first time under its new name.
    default = dataclasses.replace(UNSTORED_DEFAULT, group_name=request.group_name, updated_at=now)
    try:
        db.insert_group(default)
    except ConcurrentChange:
        # Stored by a rename racing this one: rename what is there now.
        return rename_group(group_id, request)
    return default


def delete_group(group_id: int) -> CustomerGroup:
    """Delete a group no customer is in (GroupInUse otherwise); answers what was deleted."""
    if group_id == DEFAULT_GROUP_ID:
        raise InvalidInput(DEFAULT_IS_PERMANENT)
    return store.active().delete_group(group_id)
