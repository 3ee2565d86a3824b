"""Customer use cases: create, update, delete. No HTTP here, and no boto3 types."""

from __future__ import annotations

import dataclasses
import uuid

from customer_api import clock, store
from customer_api.errors import ConcurrentChange, CustomerNotFound, ServiceBusy
from customer_api.models import Customer, CustomerCreate, CustomerUpdate
from customer_api.passwords import hash_password

# A write that lost a race re-reads and tries again; more than this and the item is too busy.
_ATTEMPTS = 3


def create_customer(request: CustomerCreate) -> Customer:
    """A new customer with its email claimed. EmailTaken when the email is used (any case)."""
    password_hash = hash_password(request.password)
    now = clock.timestamp()
    customer = Customer(
        customer_id=store.next_customer_id(),
        uuid=uuid.uuid4().hex,
        status=request.status,
        group_id=1,
        email=request.email,
        full_name=request.full_name,
        password_hash=password_hash,
        created_at=now,
        updated_at=now,
    )
    store.insert_customer(customer)
    return customer


def get_customer(customer_uuid: str) -> Customer:
    customer = store.get_customer(customer_uuid)
    if customer is None:
        raise CustomerNotFound()
    return customer


def _apply(customer: Customer, update: CustomerUpdate, password_hash: str | None) -> Customer:
    changes = update.model_dump(exclude_none=True, exclude={"password"})
    if password_hash is not None:
        changes["password_hash"] = password_hash
    if password_hash is not None or update.status == 0:
        # A new password or a disabled account ends every session of the customer.
        changes["session_epoch"] = customer.session_epoch + 1
    return dataclasses.replace(customer, **changes, updated_at=clock.timestamp())


def update_customer(customer_uuid: str, update: CustomerUpdate) -> Customer:
    """Apply the fields that were given. `{}` changes nothing."""
    fields = update.model_dump(exclude_none=True)
    password_hash = hash_password(update.password) if update.password is not None else None
    for _ in range(_ATTEMPTS):
        current = get_customer(customer_uuid)
        if not fields:
            return current
        changed = _apply(current, update, password_hash)
        try:
            saved = store.save_customer(current, changed)
        except ConcurrentChange:
            continue
        if saved.session_epoch != current.session_epoch:
            store.sweep_sessions(store.CUSTOMER_KIND, customer_uuid)
        return saved
    raise ServiceBusy()


def delete_customer(customer_uuid: str) -> Customer:
    """Delete the customer, free its email and end its sessions; answers what was deleted."""
    for _ in range(_ATTEMPTS):
        current = get_customer(customer_uuid)
        try:
            store.delete_customer(current)
        except ConcurrentChange:
            continue
        store.sweep_sessions(store.CUSTOMER_KIND, customer_uuid)
        return current
    raise ServiceBusy()
