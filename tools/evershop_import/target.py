"""The writes: groups, the id counters, and customers in transactions that hold each customer
whole (the customer, its email claim, its address book and its group's count), conditioned so
that running again never duplicates anything and a run killed at any point leaves only whole
customers behind.

New customers go several to a transaction (a pack): a transaction costs DynamoDB Local much
beyond its items (a round trip, a request to parse, a turn at the table's write lock), so one
per customer capped the import at the engine's rate of small transactions. A pack is all or
nothing; when a condition in it fails (an email taken here, a customer imported meanwhile by
another run, a missing group, an orphan address book) each of its customers is written again
on its own, so every customer gets the outcome and reason it would have alone. Changes to
customers already here stay one transaction each.

Each imported customer carries `imported`: a digest of every source field it came from. A
second run compares digests, not values, so a change made here since (a login re-hashing the
password at the configured cost, a session counted) is not mistaken for a change in EverShop.
The API's own saves rewrite the customer item without it: such a customer, changed here since
the import, is left as it is and reported."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from customer_api.core.records import DEFAULT_GROUP_ID, AddressBook, Customer, CustomerGroup
from customer_api.store import codecs, keys
from customer_api.store.codecs import Item, key, n, s
from tools.evershop_import.mapping import ADDRESSES, Planned, group_of
from tools.evershop_import.sources import GroupRow

IMPORTED = codecs.IMPORT_DIGESTS  # the attribute holding the source digests on an imported customer
ATTEMPTS = 10  # tries of one transaction while others keep touching its items (a group's count)
BACKOFF_SECONDS = 0.02
_ONLY_IF_NEW = {"ConditionExpression": "attribute_not_exists(pk)"}
# A pack's bounds. TransactWriteItems takes at most 100 items (DynamoDB, DynamoDB Local and
# moto alike), and at most 4 MB of items: the size DynamoDB counts for an item is its attribute
# names and values in UTF-8, which the item's JSON (non-ASCII escaped: 6 bytes for up to 3,
# 12 for 4) never undercounts, so keeping the JSON at half the limit keeps the items well
# under it. A customer's items are about 1 KB; only an address book of long texts (20
# addresses at most) weighs much more.
PACK_ITEMS = 100
PACK_BYTES = 2_000_000
_JSON = json.JSONEncoder(check_circular=False)
_BUSY = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
_BUSY_ERRORS = {"TransactionConflictException", "TransactionInProgressException", "ThrottlingException"}

IMPORTED_NOW, UPDATED, UNCHANGED, SKIPPED = "imported", "updated", "unchanged", "skipped"
CHANGED_HERE = "changed through this API since it was imported: left as it is"
EMAIL_TAKEN = "its email is already used here by another customer"
ORPHAN_BOOK = "an address book of its uuid exists here without a customer"


class ImportRefused(Exception):
    """The target holds something the import must not overwrite: nothing more is written."""


class _Retry(Exception):
    """The customer changed between our read and our write: read again."""


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    customer_id: int
    result: str
    reason: str = ""
    twin_of: int | None = None


def _pause(attempt: int) -> None:
    time.sleep(random.uniform(0, BACKOFF_SECONDS * 2 ** min(attempt, 6)))  # noqa: S311 - jitter


def client_for(writers: int) -> Any:
    """A client of our own: a connection per writer, and no client-side validation of requests
    built here (DynamoDB validates them anyway): it was a tenth of the importer's CPU."""
    config = Config(
        parameter_validation=False,
        max_pool_connections=max(10, writers),
        retries={"mode": "standard", "total_max_attempts": 5},
    )
    return boto3.client("dynamodb", config=config)


def transact(client: Any, items: list[Item]) -> list[str] | None:
    """One transaction: None when it committed, else each item's cancellation code. Conflicts
    with other transactions on the same items (a group's count) are retried with jitter."""
    for attempt in range(ATTEMPTS):
        try:
            client.transact_write_items(TransactItems=items, ClientRequestToken=str(uuid.uuid4()))
        except client.exceptions.TransactionCanceledException as error:
            codes = [reason.get("Code", "None") for reason in error.response.get("CancellationReasons", [])]
            if "ConditionalCheckFailed" in codes or not _BUSY.intersection(codes):
                return codes
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in _BUSY_ERRORS:
                raise
        else:
            return None
        _pause(attempt)
    raise ImportRefused("DynamoDB stayed busy: run the import again (it resumes)")


def _failed(codes: list[str], index: int) -> bool:
    return index < len(codes) and codes[index] == "ConditionalCheckFailed"


class Target:
    """The customers table the functions read (CUSTOMERS_TABLE)."""

    def __init__(self, table: str, *, dry_run: bool, writers: int = 1) -> None:
        self.table = table
        self.dry_run = dry_run
        self.client = client_for(writers)

    # --- groups and counters

    def _get(self, pk: str) -> Item | None:
        found: Item | None = self.client.get_item(TableName=self.table, Key=key(pk), ConsistentRead=True).get("Item")
        return found

    def import_group(self, row: GroupRow) -> str:
        group = group_of(row)
        found = self._get(keys.group(group.group_id))
        if found is None:
            self._write_group(group)
            return IMPORTED_NOW
        stored = codecs.group_from(found)
        if stored.uuid != group.uuid and group.group_id != DEFAULT_GROUP_ID:
            raise ImportRefused(f"group {group.group_id} exists here as another group (its uuid differs)")
        kept = dataclasses.replace(group, members=stored.members)
        if kept == stored:
            return UNCHANGED
        self._rewrite_group(group)
        return UPDATED

    def _write_group(self, group: CustomerGroup) -> None:
        if self.dry_run:
            return
        client = self.client
        try:
            client.put_item(TableName=self.table, Item=codecs.group_item(group), **_ONLY_IF_NEW)
        except client.exceptions.ConditionalCheckFailedException:
            self._rewrite_group(group)  # made meanwhile (another run): bring it up to date

    def _rewrite_group(self, group: CustomerGroup) -> None:
        # An update, not a put: the count of the customers in it stays.
        if self.dry_run:
            return
        self.client.update_item(
            TableName=self.table,
            Key=key(keys.group(group.group_id)),
            UpdateExpression="SET #uuid = :uuid, group_name = :name, created_at = :created, updated_at = :updated",
            ExpressionAttributeNames={"#uuid": "uuid"},
            ExpressionAttributeValues={
                ":uuid": s(group.uuid),
                ":name": s(group.group_name),
                ":created": s(group.created_at),
                ":updated": s(group.updated_at),
            },
        )

    def raise_counter(self, counter: str, at_least: int) -> None:
        """Move an id counter up to `at_least`, never down (whoever else moves it meanwhile)."""
        if self.dry_run:
            return
        client = self.client
        # Refused when the counter is already there or past it.
        with contextlib.suppress(client.exceptions.ConditionalCheckFailedException):
            client.update_item(
                TableName=self.table,
                Key=key(counter),
                UpdateExpression="SET last_id = :id",
                ConditionExpression="attribute_not_exists(last_id) OR last_id < :id",
                ExpressionAttributeValues={":id": n(at_least)},
            )

    # --- customers

    def import_customers(self, plans: list[Planned]) -> list[Outcome]:
        """Each planned customer, read together (one consistent batch read); the new ones written
        in packs, the others one by one."""
        stored = self._read(plans)
        inserted = self._insert_new(plans, stored)
        return [
            inserted.get(index) or self._import_one(plan, item)
            for index, (plan, item) in enumerate(zip(plans, stored, strict=True))
        ]

    def _read(self, plans: list[Planned]) -> list[Item | None]:
        """Each planned customer's stored item, or None when it is new here."""
        if not plans:
            return []
        pks = [keys.customer(plan.customer.uuid) for plan in plans]
        request = {self.table: {"Keys": [key(pk) for pk in pks], "ConsistentRead": True}}
        found = {item["pk"]["S"]: item for item in self._batch_read(request)}
        return [found.get(pk) for pk in pks]

    def _insert_new(self, plans: list[Planned], stored: list[Item | None]) -> dict[int, Outcome]:
        """The new customers' outcomes, by their index in `plans`. Ordered by group: a pack then
        mostly counts into one group, or (Default) none, and fewer transactions at once touch a
        group's count item."""
        new = [index for index, item in enumerate(stored) if item is None]
        new.sort(key=lambda index: plans[index].customer.group_id)
        inserted: dict[int, Outcome] = {}
        for pack in self._packs(plans, new):
            inserted.update(zip(pack.indexes, self._insert_pack(pack), strict=True))
        return inserted

    def _packs(self, plans: list[Planned], indexes: list[int]) -> Iterator[_Pack]:
        """The new customers (`indexes` into `plans`) as packs, each within a transaction's bounds."""
        pack = _Pack(self.table)
        for index in indexes:
            plan = plans[index]
            items = self._new_items(plan)
            size = len(_JSON.encode(items))
            if not pack.fits(items, size, plan.customer.group_id):
                yield pack
                pack = _Pack(self.table)
            pack.add(index, plan, items, size)
        if pack.plans:
            yield pack

    def _insert_pack(self, pack: _Pack) -> list[Outcome]:
        """The pack's customers in one transaction; when it is refused, each one on its own."""
        if len(pack.plans) > 1:
            codes = None if self.dry_run else transact(self.client, pack.transaction())
            if codes is None:
                return [Outcome(plan.customer.customer_id, IMPORTED_NOW) for plan in pack.plans]
        return [self._import_one(plan, None) for plan in pack.plans]

    def _batch_read(self, request: dict[str, Any]) -> list[Item]:
        """Every item asked for, asking again for what DynamoDB left unprocessed."""
        found: list[Item] = []
        for attempt in range(ATTEMPTS):
            response = self.client.batch_get_item(RequestItems=request)
            for items in response.get("Responses", {}).values():
                found.extend(items)
            request = response.get("UnprocessedKeys") or {}
            if not request:
                return found
            _pause(attempt)
        raise ImportRefused("DynamoDB stayed busy: run the import again (it resumes)")

    def _import_one(self, plan: Planned, item: Item | None) -> Outcome:
        for _ in range(ATTEMPTS):
            try:
                return self._insert(plan) if item is None else self._update(plan, item)
            except _Retry:
                item = self._get(keys.customer(plan.customer.uuid))
        raise ImportRefused(f"customer {plan.customer.customer_id} kept changing while imported: run again")

    def _new_items(self, plan: Planned) -> list[Item]:
        """A new customer's items, each written only if new: the customer, its email claim and
        its address book (when it has addresses)."""
        customer = plan.customer
        items = [self._customer_item(customer, plan), codecs.claim_item(customer)]
        if plan.book.addresses:
            items.append(codecs.address_book_item(customer.uuid, plan.book))
        return [{"Put": {"TableName": self.table, "Item": item, **_ONLY_IF_NEW}} for item in items]

    def _insert(self, plan: Planned) -> Outcome:
        customer = plan.customer
        items = self._new_items(plan)
        joined_at = len(items)
        items += self._memberships(None, customer.group_id)
        codes = None if self.dry_run else transact(self.client, items)
        if codes is None:
            return Outcome(customer.customer_id, IMPORTED_NOW)
        if _failed(codes, 0):
            raise _Retry()  # imported meanwhile by another run
        if _failed(codes, 1):
            return Outcome(customer.customer_id, SKIPPED, EMAIL_TAKEN)
        if _failed(codes, joined_at):
            return Outcome(customer.customer_id, SKIPPED, f"its group {customer.group_id} does not exist here")
        return Outcome(customer.customer_id, SKIPPED, ORPHAN_BOOK)

    def _update(self, plan: Planned, item: Item) -> Outcome:
        customer_id = plan.customer.customer_id
        if IMPORTED not in item:
            return Outcome(customer_id, SKIPPED, CHANGED_HERE)
        remembered = {name: value["S"] for name, value in item[IMPORTED]["M"].items()}
        changed = {name for name, value in plan.digests.items() if remembered.get(name) != value}
        if not changed:
            return Outcome(customer_id, UNCHANGED)
        refused = None if self.dry_run else self._write_changes(plan, codecs.customer_from(item), changed)
        return Outcome(customer_id, SKIPPED, refused) if refused else Outcome(customer_id, UPDATED)

    def _write_changes(self, plan: Planned, current: Customer, changed: set[str]) -> str | None:
        """The changed fields over the stored customer, conditioned on the version read; its
        claim, group count and address book moved in the same transaction. Why it was
        refused, or None when written."""
        fields = {name: getattr(plan.customer, name) for name in changed - {ADDRESSES}}
        # A new password ends the sessions opened with the old one, as the API's change does.
        epoch = current.session_epoch + ("password_hash" in changed)
        stored = dataclasses.replace(current, **fields, version=current.version + 1, session_epoch=epoch)
        put = {"TableName": self.table, "Item": self._customer_item(stored, plan)}
        items: list[Item] = [{"Put": {**put, **_only_if_version(current.version)}}]
        moves_email = stored.email_key != current.email_key
        if moves_email:
            release = {"TableName": self.table, "Key": key(keys.email_claim(current.email_key))}
            items.append({"Put": {"TableName": self.table, "Item": codecs.claim_item(stored), **_ONLY_IF_NEW}})
            items.append({"Delete": {**release, **_only_if_claimed_by(current.uuid)}})
        if ADDRESSES in changed:
            items.append(self._book_write(stored.uuid, plan.book))
        joined_at = len(items)
        items += self._memberships(current.group_id, stored.group_id)
        codes = transact(self.client, items)
        if codes is None:
            return None
        if _failed(codes, 0) or (ADDRESSES in changed and _failed(codes, joined_at - 1)):
            raise _Retry()
        if moves_email and _failed(codes, 1):
            return EMAIL_TAKEN
        return f"its group {stored.group_id} does not exist here"

    def _book_write(self, customer_uuid: str, book: AddressBook) -> Item:
        current = codecs.address_book_from(self._get(keys.address_book(customer_uuid)))
        stored = dataclasses.replace(book, version=current.version + 1)
        condition = _ONLY_IF_NEW if current.version == 0 else _only_if_version(current.version)
        item = codecs.address_book_item(customer_uuid, stored)
        return {"Put": {"TableName": self.table, "Item": item, **condition}}

    def _customer_item(self, customer: Customer, plan: Planned) -> Item:
        remembered = {name: s(value) for name, value in plan.digests.items()}
        return {**codecs.customer_item(customer), IMPORTED: {"M": remembered}}

    def _memberships(self, left: int | None, joined: int | None) -> list[Item]:
        """Count the customer out of one group and into another (Default keeps no count)."""
        if left == joined:
            return []
        return [
            _count(self.table, group_id, step)
            for group_id, step in ((joined, 1), (left, -1))
            if group_id is not None and group_id != DEFAULT_GROUP_ID
        ]


def _count(table: str, group_id: int, step: int) -> Item:
    """Add `step` to a group's count of its customers, if the group exists."""
    counted = {
        "TableName": table,
        "Key": key(keys.group(group_id)),
        "UpdateExpression": "ADD members :step",
        "ConditionExpression": "attribute_exists(pk)",
        "ExpressionAttributeValues": {":step": n(step)},
    }
    return {"Update": counted}


class _Pack:
    """New customers written in one transaction: each one's items, then one count per group
    joined (an item may appear only once in a transaction: the group's count adds them all)."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.indexes: list[int] = []
        self.plans: list[Planned] = []
        self.items: list[Item] = []
        self.joined: Counter[int] = Counter()
        self.pks: set[str] = set()
        self.size = 0

    def fits(self, items: list[Item], size: int, group_id: int) -> bool:
        """Whether a customer's items join the pack within its bounds. A key already in it (two
        emails with one claim, which the run's case twins rule out) waits for the next pack,
        where its condition fails and its own transaction says why."""
        groups = set(self.joined) | ({group_id} - {DEFAULT_GROUP_ID})
        pks = {item["Put"]["Item"]["pk"]["S"] for item in items}
        return (
            len(self.items) + len(items) + len(groups) <= PACK_ITEMS
            and self.size + size <= PACK_BYTES
            and not self.pks & pks
        ) or not self.plans

    def add(self, index: int, plan: Planned, items: list[Item], size: int) -> None:
        self.indexes.append(index)
        self.plans.append(plan)
        self.items += items
        self.pks.update(item["Put"]["Item"]["pk"]["S"] for item in items)
        self.size += size
        if plan.customer.group_id != DEFAULT_GROUP_ID:
            self.joined[plan.customer.group_id] += 1

    def transaction(self) -> list[Item]:
        return self.items + [_count(self.table, group_id, count) for group_id, count in self.joined.items()]


def _only_if_version(version: int) -> dict[str, Any]:
    return {
        "ConditionExpression": "#version = :expected_version",
        "ExpressionAttributeNames": {"#version": "version"},
        "ExpressionAttributeValues": {":expected_version": n(version)},
    }


def _only_if_claimed_by(customer_uuid: str) -> dict[str, Any]:
    return {
        "ConditionExpression": "customer_uuid = :customer_uuid",
        "ExpressionAttributeValues": {":customer_uuid": s(customer_uuid)},
    }
