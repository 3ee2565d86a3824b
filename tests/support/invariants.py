"""What must hold in the tables whatever happened before: checked by scanning both tables.

- every customer has exactly one email claim, and every claim names an existing customer
  whose email has that key (no orphan claim, no two customers on one email);
- no unexpired session item of a deleted customer is left behind, and no session of a
  disabled customer is still live (a session is live while unexpired and at its owner's
  current session_epoch);
- every customer and every email claim is in the listing index where its fields place it;
- every address book belongs to an existing customer, holds at most 20 addresses, and exactly
  one default when it holds any;
- every customer is in group 1 or an existing group, and each group counts its customers;
- customer_id is unique, and the counter is at least the largest customer_id handed out.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import time
from collections import Counter
from typing import Any

import boto3

from customer_api.core.records import PrincipalKind, email_key
from customer_api.core.settings import settings
from customer_api.store import keys

MAX_ADDRESSES = 20


@functools.cache
def _client_of(endpoint: str | None) -> Any:
    """One client per DynamoDB (making a client costs more than a scan of a test table)."""
    return boto3.client("dynamodb", endpoint_url=endpoint)


def _default_client() -> Any:
    # The tests' DynamoDB is moto's, or DynamoDB Local's when this variable names it.
    return _client_of(os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or None)


def _scan(dynamodb: Any, table: str) -> list[dict[str, Any]]:
    paginator = dynamodb.get_paginator("scan")
    return [item for page in paginator.paginate(TableName=table, ConsistentRead=True) for item in page["Items"]]


def _by_prefix(items: list[dict[str, Any]], prefix: str) -> dict[str, dict[str, Any]]:
    return {item["pk"]["S"].removeprefix(prefix): item for item in items if item["pk"]["S"].startswith(prefix)}


def _claim_violations(customers: dict[str, dict[str, Any]], claims: dict[str, dict[str, Any]]) -> list[str]:
    found = []
    for customer_uuid, customer in customers.items():
        key = email_key(customer["email"]["S"])
        claim = claims.get(key)
        if claim is None or claim["customer_uuid"]["S"] != customer_uuid:
            found.append(f"customer {customer_uuid} does not hold the claim of its email {key!r}")
    for key, claim in claims.items():
        owner = customers.get(claim["customer_uuid"]["S"])
        if owner is None:
            found.append(f"claim {key!r} names a customer that does not exist")
        elif email_key(owner["email"]["S"]) != key:
            found.append(f"claim {key!r} names a customer whose email is {owner['email']['S']!r}")
    return found


def _session_violations(customers: dict[str, dict[str, Any]], sessions: list[dict[str, Any]], now: float) -> list[str]:
    found = []
    for session in sessions:
        pk, owner = session["pk"]["S"], session.get("owner", {}).get("S", "")
        if not pk.startswith(keys.SESSION_PREFIX) or not owner.startswith(keys.CUSTOMER_PREFIX):
            continue
        if int(session["expires_at"]["N"]) <= now:
            continue  # expired: dead whatever else holds
        kind, customer_uuid = keys.principal_of(owner)
        customer = customers.get(customer_uuid) if kind is PrincipalKind.CUSTOMER else None
        if customer is None:
            found.append(f"{pk} is left behind by a deleted customer")
            continue
        at_current_epoch = session["epoch"]["N"] == customer["session_epoch"]["N"]
        if at_current_epoch and customer["status"]["N"] != "1":
            found.append(f"{pk} is still live for a disabled customer")
    return found


def _listing_violations(customers: dict[str, dict[str, Any]], claims: dict[str, dict[str, Any]]) -> list[str]:
    """Every customer and every claim is in the listing index, where its own fields place it."""
    found = []
    for customer_uuid, item in customers.items():
        created, customer_id = item["created_at"]["S"], int(item["customer_id"]["N"])
        listed = (item.get("list_pk", {}).get("S"), item.get("list_sk", {}).get("S"))
        if listed[1] != keys.created_sort_key(created, customer_id) or listed[0] not in keys.created_shards():
            found.append(f"customer {customer_uuid} is listed at {listed}")
    for key, claim in claims.items():
        listed = (claim.get("list_pk", {}).get("S"), claim.get("list_sk", {}).get("S"))
        if listed != keys.email_listing(key):
            found.append(f"claim {key!r} is listed at {listed}")
    return found


def _address_violations(customers: dict[str, dict[str, Any]], books: dict[str, dict[str, Any]]) -> list[str]:
    found = []
    for customer_uuid, book in books.items():
        addresses = book["addresses"]["L"]
        defaults = sum(address["M"]["is_default"]["BOOL"] for address in addresses)
        if customer_uuid not in customers:
            found.append(f"address book {customer_uuid} has no customer")
        if len(addresses) > MAX_ADDRESSES:
            found.append(f"address book {customer_uuid} holds {len(addresses)} addresses")
        if addresses and defaults != 1:
            found.append(f"address book {customer_uuid} has {defaults} defaults")
    return found


def _group_violations(customers: dict[str, dict[str, Any]], groups: dict[str, dict[str, Any]]) -> list[str]:
    members = Counter(item["group_id"]["N"] for item in customers.values())
    found = [
        f"{count} customers are in group {group_id}, which does not exist"
        for group_id, count in members.items()
        if group_id != "1" and group_id not in groups
    ]
    for group_id, group in groups.items():
        counted = int(group.get("members", {}).get("N", "0"))
        if group_id != "1" and counted != members.get(group_id, 0):
            found.append(f"group {group_id} counts {counted} customers, has {members.get(group_id, 0)}")
    return found


def _id_violations(customers: dict[str, dict[str, Any]], counter: dict[str, Any] | None) -> list[str]:
    ids = Counter(int(item["customer_id"]["N"]) for item in customers.values())
    found = [f"customer_id {customer_id} is used {times} times" for customer_id, times in ids.items() if times > 1]
    last_id = int(counter["last_id"]["N"]) if counter else 0
    if ids and max(ids) > last_id:
        found.append(f"counter {last_id} is behind customer_id {max(ids)}")
    return found


@dataclasses.dataclass(frozen=True)
class Tables:
    """Every item of both tables, read at one moment."""

    customers_table: list[dict[str, Any]]
    sessions_table: list[dict[str, Any]]

    @property
    def customers(self) -> dict[str, dict[str, Any]]:
        """The customer items, by uuid."""
        return _by_prefix(self.customers_table, keys.CUSTOMER_PREFIX)


def read_tables(dynamodb: Any = None) -> Tables:
    dynamodb = dynamodb or _default_client()
    return Tables(_scan(dynamodb, settings().customers_table), _scan(dynamodb, settings().sessions_table))


def violations(tables: Tables | None = None, now: float | None = None) -> list[str]:
    """Every broken invariant, as a sentence; empty when the tables are consistent."""
    tables = tables or read_tables()
    now = time.time() if now is None else now
    customers = tables.customers
    claims = _by_prefix(tables.customers_table, keys.EMAIL_PREFIX)
    counter = next((item for item in tables.customers_table if item["pk"]["S"] == keys.COUNTER), None)
    return (
        _claim_violations(customers, claims)
        + _listing_violations(customers, claims)
        + _address_violations(customers, _by_prefix(tables.customers_table, keys.ADDRESSES_PREFIX))
        + _group_violations(customers, _by_prefix(tables.customers_table, keys.GROUP_PREFIX))
        + _session_violations(customers, tables.sessions_table, now)
        + _id_violations(customers, counter)
    )


def assert_invariants(tables: Tables | None = None) -> None:
    broken = violations(tables)
    assert not broken, "storage invariants broken:\n" + "\n".join(broken)
