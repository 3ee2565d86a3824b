"""DynamoDB: the only module that knows the tables' layout, keys, conditions and transactions.

Customers table, key `pk`:
  CUSTOMER#<uuid>            a customer
  EMAIL#<email key>          the claim that makes an email unique: {customer_uuid}
  COUNTER#customer_id        the last customer_id handed out
  ADMIN#<email key>          an admin user
Sessions table, key `pk`, index `by_owner` on `owner`:
  SESSION#<sid>              owner (the pk of its customer or admin), epoch, expires_at (TTL)
  FAILURES#<kind>#<email>    failed logins of the current window: count, window_ends, expires_at

Every invariant is a condition on the write that could break it; nothing checks then writes.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import time
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.config import Config

from customer_api.config import settings
from customer_api.errors import ConcurrentChange, EmailTaken, ServiceBusy
from customer_api.models import AdminUser, Customer, LoginFailures, Principal, Session

Item = dict[str, Any]  # an item in DynamoDB's typed JSON

CUSTOMER_KIND = "customer"
ADMIN_KIND = "admin"
_PREFIX = {CUSTOMER_KIND: "CUSTOMER#", ADMIN_KIND: "ADMIN#"}
_COUNTER_KEY = "COUNTER#customer_id"
_TRANSACTION_LIMIT = 100
_BATCH_WRITE_LIMIT = 25
# Cancellation reasons that say "busy, try again" rather than "a condition is false".
_BUSY_REASONS = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
_BUSY_TRANSACTION_ATTEMPTS = 3


@functools.cache
def _dynamodb() -> Any:  # the typed stubs fight the request dicts built here; calls are tested
    """One client per container; botocore's standard mode retries throttling with backoff.

    Five attempts in all (`max_attempts` would count retries, not attempts).
    """
    return boto3.client("dynamodb", config=Config(retries={"mode": "standard", "total_max_attempts": 5}))


def client() -> Any:
    """The DynamoDB client, for a library that keeps its own table (idempotency records)."""
    return _dynamodb()


def _customers() -> str:
    return settings().customers_table


def _sessions() -> str:
    return settings().sessions_table


def _s(value: str) -> Item:
    return {"S": value}


def _n(value: int) -> Item:
    return {"N": str(value)}


def _key(pk: str) -> Item:
    return {"pk": _s(pk)}


def principal_key(kind: str, principal: str) -> str:
    """The pk of a customer (by uuid) or an admin (by email key); also a session's owner."""
    return _PREFIX[kind] + principal


def _claim_key(email_key: str) -> str:
    return f"EMAIL#{email_key}"


def _failures_key(kind: str, email_key: str) -> str:
    return f"FAILURES#{kind}#{email_key}"


# --- items <-> records -------------------------------------------------------------------


def _customer_item(customer: Customer) -> Item:
    return {
        **_key(principal_key(CUSTOMER_KIND, customer.uuid)),
        "customer_id": _n(customer.customer_id),
        "uuid": _s(customer.uuid),
        "status": _n(customer.status),
        "group_id": _n(customer.group_id),
        "email": _s(customer.email),
        "full_name": _s(customer.full_name),
        "password_hash": _s(customer.password_hash),
        "created_at": _s(customer.created_at),
        "updated_at": _s(customer.updated_at),
        "version": _n(customer.version),
        "session_epoch": _n(customer.session_epoch),
    }


def _customer_from(item: Item) -> Customer:
    return Customer(
        customer_id=int(item["customer_id"]["N"]),
        uuid=item["uuid"]["S"],
        status=int(item["status"]["N"]),
        group_id=int(item["group_id"]["N"]),
        email=item["email"]["S"],
        full_name=item["full_name"]["S"],
        password_hash=item["password_hash"]["S"],
        created_at=item["created_at"]["S"],
        updated_at=item["updated_at"]["S"],
        version=int(item["version"]["N"]),
        session_epoch=int(item["session_epoch"]["N"]),
    )


def _admin_item(admin: AdminUser) -> Item:
    return {
        **_key(principal_key(ADMIN_KIND, admin.email_key)),
        "uuid": _s(admin.uuid),
        "email": _s(admin.email),
        "full_name": _s(admin.full_name),
        "password_hash": _s(admin.password_hash),
        "status": _n(admin.status),
        "session_epoch": _n(admin.session_epoch),
    }


def _admin_from(item: Item) -> AdminUser:
    return AdminUser(
        uuid=item["uuid"]["S"],
        email=item["email"]["S"],
        full_name=item["full_name"]["S"],
        password_hash=item["password_hash"]["S"],
        status=int(item["status"]["N"]),
        session_epoch=int(item["session_epoch"]["N"]),
    )


def _session_item(session: Session) -> Item:
    return {
        **_key(f"SESSION#{session.sid}"),
        "owner": _s(principal_key(session.kind, session.principal)),
        "epoch": _n(session.epoch),
        "expires_at": _n(session.expires_at),
    }


def _session_from(item: Item) -> Session:
    kind, _, principal = item["owner"]["S"].partition("#")
    return Session(
        sid=item["pk"]["S"].removeprefix("SESSION#"),
        kind=kind.lower(),
        principal=principal,
        epoch=int(item["epoch"]["N"]),
        expires_at=int(item["expires_at"]["N"]),
    )


def _failures_from(item: Item | None) -> LoginFailures:
    if item is None:
        return LoginFailures()
    return LoginFailures(count=int(item["count"]["N"]), window_ends=int(item["window_ends"]["N"]))


def _principal_from(item: Item | None) -> Principal | None:
    if item is None:
        return None
    return Principal(status=int(item["status"]["N"]), session_epoch=int(item["session_epoch"]["N"]))


# --- low-level helpers ---------------------------------------------------------------------


def _get(table: str, pk: str) -> Item | None:
    item: Item | None = _dynamodb().get_item(TableName=table, Key=_key(pk), ConsistentRead=True).get("Item")
    return item


def _batch_get(keys: dict[str, list[str]]) -> dict[str, Item]:
    """Strongly consistent reads of up to 100 items over tables, in one round trip when it can."""
    request: dict[str, Any] = {
        table: {"Keys": [_key(pk) for pk in pks], "ConsistentRead": True} for table, pks in keys.items() if pks
    }
    found: dict[str, Item] = {}
    while request:
        response = _dynamodb().batch_get_item(RequestItems=request)
        for items in response.get("Responses", {}).values():
            found.update({item["pk"]["S"]: item for item in items})
        request = dict(response.get("UnprocessedKeys") or {})
        if request:
            time.sleep(0.05)  # DynamoDB asks us to slow down
    return found


def _transact(items: list[Item]) -> list[str] | None:
    """Run one transaction. None when it committed, else the cancellation code of each item.

    A cancellation only for being busy (another transaction on an item, throttling) is not
    retried by botocore: it is retried here with backoff, then ServiceBusy. The token makes
    botocore's own retries of a transaction that did commit (a lost response) a no-op.
    """
    client = _dynamodb()
    for attempt in range(_BUSY_TRANSACTION_ATTEMPTS):
        try:
            client.transact_write_items(TransactItems=items, ClientRequestToken=str(uuid.uuid4()))
        except client.exceptions.TransactionCanceledException as error:
            reasons = error.response.get("CancellationReasons", [])
            codes = [reason.get("Code", "None") for reason in reasons]
        else:
            return None
        if "ConditionalCheckFailed" in codes or not _BUSY_REASONS.intersection(codes):
            return codes
        time.sleep(random.uniform(0, 0.05 * 2**attempt))  # noqa: S311 - jitter, not cryptography
    raise ServiceBusy()


def _failed_condition(codes: list[str], index: int) -> bool:
    return index < len(codes) and codes[index] == "ConditionalCheckFailed"


def _only_if_version(version: int) -> dict[str, Any]:
    return {
        "ConditionExpression": "#version = :expected_version",
        "ExpressionAttributeNames": {"#version": "version"},
        "ExpressionAttributeValues": {":expected_version": _n(version)},
    }


def _only_if_claimed_by(customer_uuid: str) -> dict[str, Any]:
    return {
        "ConditionExpression": "customer_uuid = :customer_uuid",
        "ExpressionAttributeValues": {":customer_uuid": _s(customer_uuid)},
    }


_ONLY_IF_NEW = {"ConditionExpression": "attribute_not_exists(pk)"}


def _claim_item(customer: Customer) -> Item:
    return {**_key(_claim_key(customer.email_key)), "customer_uuid": _s(customer.uuid)}


# --- customers ------------------------------------------------------------------------------


def next_customer_id() -> int:
    """An id never handed out before (ids of failed creates are skipped, never reused)."""
    response = _dynamodb().update_item(
        TableName=_customers(),
        Key=_key(_COUNTER_KEY),
        UpdateExpression="ADD last_id :one",
        ExpressionAttributeValues={":one": _n(1)},
        ReturnValues="UPDATED_NEW",
    )
    return int(response["Attributes"]["last_id"]["N"])


def insert_customer(customer: Customer) -> None:
    """Write a new customer and claim its email, together. EmailTaken if the email is claimed."""
    codes = _transact(
        [
            {"Put": {"TableName": _customers(), "Item": _customer_item(customer), **_ONLY_IF_NEW}},
            {"Put": {"TableName": _customers(), "Item": _claim_item(customer), **_ONLY_IF_NEW}},
        ]
    )
    if codes is None:
        return
    if _failed_condition(codes, 1):
        raise EmailTaken()
    raise ConcurrentChange()


def get_customer(customer_uuid: str) -> Customer | None:
    item = _get(_customers(), principal_key(CUSTOMER_KIND, customer_uuid))
    return _customer_from(item) if item else None


def save_customer(current: Customer, changed: Customer) -> Customer:
    """Replace `current` (as read) by `changed`, moving the email claim if the email changed.

    ConcurrentChange if the customer changed since it was read; EmailTaken if the new email is
    claimed by another customer.
    """
    stored = dataclasses.replace(changed, version=current.version + 1)
    put_customer = {
        "TableName": _customers(),
        "Item": _customer_item(stored),
        **_only_if_version(current.version),
    }
    if stored.email_key == current.email_key:
        client = _dynamodb()
        try:
            client.put_item(**put_customer)
        except client.exceptions.ConditionalCheckFailedException as error:
            raise ConcurrentChange() from error
        return stored
    codes = _transact(
        [
            {"Put": put_customer},
            {"Put": {"TableName": _customers(), "Item": _claim_item(stored), **_ONLY_IF_NEW}},
            {
                "Delete": {
                    "TableName": _customers(),
                    "Key": _key(_claim_key(current.email_key)),
                    **_only_if_claimed_by(current.uuid),
                }
            },
        ]
    )
    if codes is None:
        return stored
    if _failed_condition(codes, 1) and not _failed_condition(codes, 0):
        raise EmailTaken()
    raise ConcurrentChange()


def delete_customer(current: Customer) -> None:
    """Delete the customer (as read) and free its email, together."""
    codes = _transact(
        [
            {
                "Delete": {
                    "TableName": _customers(),
                    "Key": _key(principal_key(CUSTOMER_KIND, current.uuid)),
                    **_only_if_version(current.version),
                }
            },
            {
                "Delete": {
                    "TableName": _customers(),
                    "Key": _key(_claim_key(current.email_key)),
                    **_only_if_claimed_by(current.uuid),
                }
            },
        ]
    )
    if codes is not None:
        raise ConcurrentChange()


# --- admin users ----------------------------------------------------------------------------


def insert_admin(admin: AdminUser) -> None:
    client = _dynamodb()
    try:
        client.put_item(TableName=_customers(), Item=_admin_item(admin), **_ONLY_IF_NEW)
    except client.exceptions.ConditionalCheckFailedException as error:
        raise EmailTaken() from error


# --- logins ---------------------------------------------------------------------------------


def customer_for_login(email_key: str) -> tuple[Customer | None, LoginFailures]:
    """The customer owning an email (if any) and the email's failed logins."""
    claim_key, failures_key = _claim_key(email_key), _failures_key(CUSTOMER_KIND, email_key)
    found = _batch_get({_customers(): [claim_key], _sessions(): [failures_key]})
    failures = _failures_from(found.get(failures_key))
    claim = found.get(claim_key)
    if claim is None:
        return None, failures
    return get_customer(claim["customer_uuid"]["S"]), failures


def admin_for_login(email_key: str) -> tuple[AdminUser | None, LoginFailures]:
    admin_key, failures_key = principal_key(ADMIN_KIND, email_key), _failures_key(ADMIN_KIND, email_key)
    found = _batch_get({_customers(): [admin_key], _sessions(): [failures_key]})
    admin = found.get(admin_key)
    return (_admin_from(admin) if admin else None), _failures_from(found.get(failures_key))


def record_login_failure(kind: str, email_key: str, now: int, window_seconds: int) -> LoginFailures:
    """Count one failed login atomically, opening a new window when there is none running."""
    client = _dynamodb()
    key = {"TableName": _sessions(), "Key": _key(_failures_key(kind, email_key))}
    for _ in range(3):
        try:
            response = client.update_item(
                **key,
                UpdateExpression="ADD #count :one",
                ConditionExpression="window_ends > :now",
                ExpressionAttributeNames={"#count": "count"},
                ExpressionAttributeValues={":one": _n(1), ":now": _n(now)},
                ReturnValues="ALL_NEW",
            )
            return _failures_from(response["Attributes"])
        except client.exceptions.ConditionalCheckFailedException:
            pass  # no window running: open one
        window_ends = now + window_seconds
        try:
            response = client.update_item(
                **key,
                UpdateExpression="SET #count = :one, window_ends = :ends, expires_at = :ends",
                ConditionExpression="attribute_not_exists(pk) OR window_ends <= :now",
                ExpressionAttributeNames={"#count": "count"},
                ExpressionAttributeValues={":one": _n(1), ":now": _n(now), ":ends": _n(window_ends)},
                ReturnValues="ALL_NEW",
            )
            return _failures_from(response["Attributes"])
        except client.exceptions.ConditionalCheckFailedException:
            continue  # another failure opened the window first: count into it
    raise ConcurrentChange()


def open_session(session: Session, clear_failures_of: str | None) -> None:
    """Store a session if its principal is still active at the epoch it was checked at.

    Also forgets the email's failed logins when `clear_failures_of` names it. ConcurrentChange
    if the principal was disabled, deleted or had its sessions ended since it was read.
    """
    items: list[Item] = [
        {"Put": {"TableName": _sessions(), "Item": _session_item(session), **_ONLY_IF_NEW}},
        {
            "ConditionCheck": {
                "TableName": _customers(),
                "Key": _key(principal_key(session.kind, session.principal)),
                "ConditionExpression": "session_epoch = :epoch AND #status = :active",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":epoch": _n(session.epoch), ":active": _n(1)},
            }
        },
    ]
    if clear_failures_of is not None:
        failures = _key(_failures_key(session.kind, clear_failures_of))
        items.append({"Delete": {"TableName": _sessions(), "Key": failures}})
    if _transact(items) is not None:
        raise ConcurrentChange()


# --- sessions -------------------------------------------------------------------------------


def session_with_principal(sid: str, kind: str, principal: str) -> tuple[Session | None, Principal | None]:
    """A session and the current state of the principal it claims to belong to, in one read."""
    session_key, owner_key = f"SESSION#{sid}", principal_key(kind, principal)
    found = _batch_get({_sessions(): [session_key], _customers(): [owner_key]})
    session = found.get(session_key)
    return (_session_from(session) if session else None), _principal_from(found.get(owner_key))


def get_sessions(sids: list[str]) -> dict[str, Session]:
    found = _batch_get({_sessions(): [f"SESSION#{sid}" for sid in sids]})
    return {session.sid: session for session in map(_session_from, found.values())}


def end_sessions(sessions: list[Session], end_all_of: list[tuple[str, str]]) -> None:
    """Delete these sessions and end every session of these principals, all or nothing.

    Ending all of a principal's sessions bumps its epoch, which kills every token at once;
    the session items themselves are swept afterwards. ConcurrentChange if any session is
    already gone or any principal no longer exists.
    """
    items: list[Item] = [
        {
            "Delete": {
                "TableName": _sessions(),
                "Key": _key(f"SESSION#{session.sid}"),
                "ConditionExpression": "#owner = :owner",
                "ExpressionAttributeNames": {"#owner": "owner"},
                "ExpressionAttributeValues": {":owner": _s(principal_key(session.kind, session.principal))},
            }
        }
        for session in sessions
    ]
    items += [
        {
            "Update": {
                "TableName": _customers(),
                "Key": _key(principal_key(kind, principal)),
                "UpdateExpression": "ADD session_epoch :one",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {":one": _n(1)},
            }
        }
        for kind, principal in end_all_of
    ]
    if len(items) > _TRANSACTION_LIMIT:
        raise ValueError("too many sessions for one transaction")
    if items and _transact(items) is not None:
        raise ConcurrentChange()


def _session_keys_of(kind: str, principal: str) -> Iterator[Item]:
    paginator = _dynamodb().get_paginator("query")
    pages = paginator.paginate(
        TableName=_sessions(),
        IndexName="by_owner",
        KeyConditionExpression="#owner = :owner",
        ExpressionAttributeNames={"#owner": "owner"},
        ExpressionAttributeValues={":owner": _s(principal_key(kind, principal))},
    )
    for page in pages:
        for item in page.get("Items", []):
            yield _key(item["pk"]["S"])


def sweep_sessions(kind: str, principal: str) -> int:
    """Delete the session items of a principal whose sessions were ended (by epoch or deletion).

    Only housekeeping: those sessions are already dead, so an interrupted sweep loses nothing.
    """
    keys = list(_session_keys_of(kind, principal))
    for start in range(0, len(keys), _BATCH_WRITE_LIMIT):
        requests: dict[str, Any] = {
            _sessions(): [{"DeleteRequest": {"Key": key}} for key in keys[start : start + _BATCH_WRITE_LIMIT]]
        }
        while requests:
            response = _dynamodb().batch_write_item(RequestItems=requests)
            requests = dict(response.get("UnprocessedItems") or {})
            if requests:
                time.sleep(0.05)
    return len(keys)


def delete_session(session: Session) -> None:
    """Delete one session. ConcurrentChange if it is already gone."""
    end_sessions([session], [])
