"""The writes: groups, the id counters, and each customer in ONE transaction (the customer, its
email claim, its address book and its group's count), conditioned so that running again never
duplicates anything and a run killed at any point leaves only whole customers behind.

Each imported customer carries `imported`: a digest of every source field it came from. A
second run compares digests, not values, so a change made here since (a login re-hashing the
password at the configured cost, a session counted) is not mistaken for a change in EverShop.
The API's own saves rewrite the customer item without it: such a customer, changed here since
the import, is left as it is and reported."""

from __future__ import annotations

import contextlib
import dataclasses
import random
import time
import uuid
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
ATTEMPTS = 10  # tries of one customer's transaction while others keep touching its items
BACKOFF_SECONDS = 0.02
_ONLY_IF_NEW = {"ConditionExpression": "attribute_not_exists(pk)"}
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
        """Each planned customer, read together (one consistent batch read), written one by one."""
        pks = [keys.customer(plan.customer.uuid) for plan in plans]
        request = {self.table: {"Keys": [key(pk) for pk in pks], "ConsistentRead": True}}
        found = {item["pk"]["S"]: item for item in self._batch_read(request)} if plans else {}
        return [self._import_one(plan, found.get(pk)) for plan, pk in zip(plans, pks, strict=True)]

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

    def _insert(self, plan: Planned) -> Outcome:
        customer = plan.customer
        items = [
            {"Put": {"TableName": self.table, "Item": self._customer_item(customer, plan), **_ONLY_IF_NEW}},
            {"Put": {"TableName": self.table, "Item": codecs.claim_item(customer), **_ONLY_IF_NEW}},
        ]
        if plan.book.addresses:
            book = codecs.address_book_item(customer.uuid, plan.book)
            items.append({"Put": {"TableName": self.table, "Item": book, **_ONLY_IF_NEW}})
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
        changes = []
        for group_id, step in ((joined, 1), (left, -1)):
            if group_id is not None and group_id != DEFAULT_GROUP_ID:
                counted = {
                    "TableName": self.table,
                    "Key": key(keys.group(group_id)),
                    "UpdateExpression": "ADD members :step",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeValues": {":step": n(step)},
                }
                changes.append({"Update": counted})
        return changes


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
