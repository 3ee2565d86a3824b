"""Customer use cases: create, read, update, delete."""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections.abc import Callable

from customer_api import store
from customer_api.core import clock
from customer_api.core.errors import ConcurrentChange, CustomerNotFound, StoreBusy
from customer_api.core.records import Customer, CustomerFieldsChange, PrincipalKind
from customer_api.core.settings import settings
from customer_api.domain.inputs import CustomerCreate, CustomerUpdate
from customer_api.domain.passwords import hash_password


def create_customer(request: CustomerCreate) -> Customer:
    """A new customer with its email claimed. EmailTaken when the email is used (any case)."""
    password_hash = hash_password(request.password)
    now = clock.timestamp()
    db = store.active()
    customer = Customer(
        customer_id=db.next_customer_id(),
        uuid=uuid.uuid4().hex,
        status=request.status,
        group_id=request.group_id,
        email=request.email,
        full_name=request.full_name,
        password_hash=password_hash,
        created_at=now,
        updated_at=now,
    )
    db.insert_customer(customer)
    return customer


def get_customer(customer_uuid: str) -> Customer:
    customer = store.active().get_customer(customer_uuid)
    if customer is None:
        raise CustomerNotFound()
    return customer


def _apply(customer: Customer, update: CustomerUpdate, password_hash: str | None) -> Customer:
    changes = update.model_dump(exclude_none=True, exclude={"password"})
    if password_hash is not None:
        changes["password_hash"] = password_hash
        changes["reset"] = None  # a new password voids a pending reset token
    if password_hash is not None or update.status == 0:
        # A new password or a disabled account ends every session of the customer.
        changes["session_epoch"] = customer.session_epoch + 1
    return dataclasses.replace(customer, **changes, updated_at=clock.timestamp())


def retrying_lost_races[T](change: Callable[[], T]) -> T:
    """Run a read-then-conditional-write again when another write came between, after a short
    random pause (writers that collided once should not collide again at once); StoreBusy when
    it keeps losing."""
    config = settings()
    for attempt in range(config.write_attempts):
        if attempt:
            clock.pause(random.uniform(0, config.busy_backoff_seconds * 2 ** (attempt - 1)))  # noqa: S311 - jitter
        try:
            return change()
        except ConcurrentChange:
            continue
    raise StoreBusy()


# The fields no other item depends on: changed in one write, without reading the customer first
# (an email moves its claim, a group its counts, a password is hashed against the epoch read).
_CHANGED_IN_PLACE = frozenset({"full_name", "status"})


def _change_in_place(customer_uuid: str, update: CustomerUpdate) -> Customer:
    """Set the name and/or status in one conditional write that answers the new customer; a
    disable ends every session with it (the epoch bumped in the same write), then sweeps."""
    change = CustomerFieldsChange(
        updated_at=clock.timestamp(),
        full_name=update.full_name,
        status=update.status,
        ends_sessions=update.status == 0,
    )
    db = store.active()
    saved = db.change_customer_fields(customer_uuid, change)
    if change.ends_sessions:
        db.sweep_sessions(PrincipalKind.CUSTOMER, customer_uuid)
    return saved


def update_customer(customer_uuid: str, update: CustomerUpdate) -> Customer:
    """Apply the fields that were given. `{}` changes nothing."""
    given = update.model_dump(exclude_none=True).keys()
    if not given:
        return get_customer(customer_uuid)
    if given <= _CHANGED_IN_PLACE:
        return _change_in_place(customer_uuid, update)
    password_hash = hash_password(update.password) if update.password is not None else None
    db = store.active()

    def change() -> tuple[Customer, Customer]:
        current = get_customer(customer_uuid)
        return current, db.save_customer(current, _apply(current, update, password_hash))

    before, saved = retrying_lost_races(change)
    if saved.session_epoch != before.session_epoch:
        db.sweep_sessions(PrincipalKind.CUSTOMER, customer_uuid)
    return saved


def delete_customer(customer_uuid: str) -> Customer:
    """Delete the customer, free its email and end its sessions; answers what was deleted."""
    db = store.active()

    def change() -> Customer:
        current = get_customer(customer_uuid)
        db.delete_customer(current)
        return current

    deleted = retrying_lost_races(change)
    db.sweep_sessions(PrincipalKind.CUSTOMER, customer_uuid)
    return deleted
