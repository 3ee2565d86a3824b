"""The Store on DynamoDB (and Secrets Manager): every item, condition and transaction.

The key layout is in `keys`, the item shapes in `codecs`, the client and its retries in `client`.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any, NoReturn

from customer_api.core.errors import (
    ConcurrentChange,
    CustomerNotFound,
    EmailTaken,
    GroupInUse,
    GroupNotFound,
    TooManyLoginFailures,
    TooManyResetRequests,
    UnknownGroup,
)
from customer_api.core.records import (
    DEFAULT_GROUP_ID,
    AddressBook,
    AdminUser,
    Customer,
    CustomerFieldsChange,
    CustomerGroup,
    CustomerQuery,
    DomainEvent,
    LoginFailures,
    PasswordReset,
    PrincipalKind,
    ResetTarget,
    Session,
)
from customer_api.core.settings import settings
from customer_api.store import codecs, keys, outside, secrets
from customer_api.store.client import (
    Item,
    batch_get,
    busy_as_store_busy,
    dynamodb,
    failed_condition,
    transact,
)
from customer_api.store.codecs import key, n, s
from customer_api.store.listing import LAST_CHAR, ShardPage, merged, sort_key
from customer_api.store.protocol import MAX_ITEMS_PER_CHANGE

_ONLY_IF_NEW = {"ConditionExpression": "attribute_not_exists(pk)"}
MAX_KEYS_PER_READ = 100  # BatchGetItem's limit


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


def _only_if_owned_by(kind: PrincipalKind, principal: str) -> dict[str, Any]:
    return {
        "ConditionExpression": "#owner = :owner",
        "ExpressionAttributeNames": {"#owner": "owner"},
        "ExpressionAttributeValues": {":owner": s(keys.principal(kind, principal))},
    }


def _customers() -> str:
    return settings().customers_table


def _sessions() -> str:
    return settings().sessions_table


def _get(table: str, pk: str, *only: str) -> Item | None:
    """An item by its pk, read consistently: whole, or `only` these attributes of it."""
    projection = {}
    if only:
        names = {f"#{name}": name for name in only}
        projection = {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
    item: Item | None = dynamodb().get_item(TableName=table, Key=key(pk), ConsistentRead=True, **projection).get("Item")
    return item


def _update_unless_condition_fails(**request: Any) -> Item | None:
    """An UpdateItem: the item as it is after it, or None when its condition was false."""
    return _update_or_what_refused_it(**request)[0]


def _update_or_what_refused_it(**request: Any) -> tuple[Item | None, Item | None]:
    """An UpdateItem: (the item as it is after it, None), or when its condition was false
    (None, the item as the condition found it, None if there was none): no second read, and no
    GetItem permission, to learn why."""
    client = dynamodb()
    try:
        response = client.update_item(**request, ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")
    except client.exceptions.ConditionalCheckFailedException as refused:
        found: Item | None = refused.response.get("Item")
        return None, found
    attributes: Item = response["Attributes"]
    return attributes, None


def _reset_write(
    table: str, pk: str, reset: PasswordReset, *, also_set: Item, then: str = "", **expression: Any
) -> bool:
    """One UpdateItem setting a reset's attributes on an item (the same names and sizes wherever
    they go), and `also_set`, then the clause `then`; `expression`: its condition, names and
    further values. Whether it committed. No values come back either way: the answers are
    alike too."""
    fields = codecs.reset_attributes(reset) | also_set
    values = {f":{name}": value for name, value in fields.items()} | expression.pop("ExpressionAttributeValues", {})
    assignments = ", ".join(f"{name} = :{name}" for name in fields)
    client = dynamodb()
    try:
        client.update_item(
            TableName=table,
            Key=key(pk),
            UpdateExpression=f"SET {assignments}{then}",
            ExpressionAttributeValues=values,
            **expression,
        )
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def _consistent_reads(pks_by_table: dict[str, list[str]]) -> dict[str, Item]:
    """Strongly consistent reads of up to 100 items over tables, by pk, in one round trip when it can."""
    request = {
        table: {"Keys": [key(pk) for pk in pks], "ConsistentRead": True} for table, pks in pks_by_table.items() if pks
    }
    return {item["pk"]["S"]: item for item in batch_get(request)} if request else {}


def _query_shards(shards: list[str], lower: str, upper: str, *, descending: bool, limit: int) -> list[ShardPage]:
    """One query of the listing index per shard, each for at most `limit` items between the
    bounds (inclusive), in the listing's order."""
    if lower > upper:
        return []
    pages = []
    for shard in shards:
        response = dynamodb().query(
            TableName=_customers(),
            IndexName=keys.LISTING_INDEX,
            KeyConditionExpression="list_pk = :shard AND list_sk BETWEEN :lower AND :upper",
            ExpressionAttributeValues={":shard": s(shard), ":lower": s(lower), ":upper": s(upper)},
            ScanIndexForward=not descending,
            Limit=limit,
        )
        pages.append(ShardPage(response["Items"], more="LastEvaluatedKey" in response))
    return pages


def _claimants(claims: list[Item]) -> list[Customer]:
    """The customers (as listed: no hash) that email claims name, in the claims' order, in one
    consistent batch read (at most 100 claims); those deleted meanwhile are left out."""
    pks = [keys.customer(claim["customer_uuid"]["S"]) for claim in claims]
    found = _consistent_reads({_customers(): pks})
    return [codecs.listed_customer_from(found[pk]) for pk in pks if pk in found]


def _membership_changes(left: int | None, joined: int | None) -> list[Item]:
    """The transaction items that count a customer out of one group and into another. Group 1
    (Default, never deleted) keeps no count: it would make one item take every create. Joining
    needs the group to exist (a concurrent delete of it fails one of the two writes)."""
    if left == joined:
        return []
    changes = []
    for group_id, step in ((joined, 1), (left, -1)):
        if group_id is not None and group_id != DEFAULT_GROUP_ID:
            counted = {
                "TableName": _customers(),
                "Key": key(keys.group(group_id)),
                "UpdateExpression": "ADD members :step",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {":step": n(step)},
            }
            changes.append({"Update": counted})
    return changes


def _fields_update(change: CustomerFieldsChange, live_at_epoch: int | None) -> dict[str, Any]:
    """The UpdateItem of a change of name and/or status: it leaves the item as a put of the
    changed customer would (the version counted, the importer's digests gone), and touches
    nothing else, so a login counted or a save made meanwhile is kept."""
    fields = codecs.customer_fields(change)
    names = {"#version": "version", "#imported": codecs.IMPORT_DIGESTS} | {f"#{name}": name for name in fields}
    values = {":one": n(1)} | {f":{name}": value for name, value in fields.items()}
    counted = "#version :one, session_epoch :one" if change.ends_sessions else "#version :one"
    condition = "attribute_exists(pk)"
    if live_at_epoch is not None:
        # What a session of that epoch needs to be live (see open_session's condition).
        condition += " AND #status = :enabled AND session_epoch = :epoch"
        names["#status"] = "status"
        values |= {":enabled": n(1), ":epoch": n(live_at_epoch)}
    assignments = ", ".join(f"#{name} = :{name}" for name in fields)
    return {
        "UpdateExpression": f"SET {assignments} ADD {counted} REMOVE #imported",
        "ConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


def _raise_why_refused(codes: list[str], *, moves: int) -> NoReturn:
    """Why a customer's save was cancelled: its new email taken, its new group gone, or a change
    since it was read."""
    joined_group = moves > 0 and failed_condition(codes, 1)
    claimed = failed_condition(codes, 1 + moves)
    if failed_condition(codes, 0):
        raise ConcurrentChange()
    if claimed:
        raise EmailTaken()
    if joined_group:
        raise UnknownGroup()
    raise ConcurrentChange()


def _all_or_nothing(items: list[Item]) -> None:
    if len(items) > MAX_ITEMS_PER_CHANGE:
        raise ValueError("too many changes for one transaction")
    if items and transact(items) is not None:
        raise ConcurrentChange()


def _count_in_window(pk: str, now: int, window_seconds: int, max_attempts: int, seen: LoginFailures) -> LoginFailures:
    """Count one attempt on a counter item of the sessions table, atomically, before it is made:
    at most `max_attempts` per window however many run at once (see Store.take_login_attempt)."""
    target = {"TableName": _sessions(), "Key": key(pk)}
    names = {"#count": "count"}
    count_into_running_window = {
        **target,
        "UpdateExpression": "ADD #count :one",
        "ConditionExpression": "window_ends > :now AND #count < :max",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": {":one": n(1), ":now": n(now), ":max": n(max_attempts)},
    }
    open_window = {
        **target,
        "UpdateExpression": "SET #count = :one, window_ends = :ends, expires_at = :ends",
        "ConditionExpression": "attribute_not_exists(pk) OR window_ends <= :now",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": {":one": n(1), ":now": n(now), ":ends": n(now + window_seconds)},
    }
    # The write that will most likely hold first, from the count as last read.
    attempts = [count_into_running_window, open_window]
    if seen.window_ends <= now:
        attempts.reverse()
    for _ in range(settings().write_attempts):
        for request in attempts:
            counted, found = _update_or_what_refused_it(**request)
            if counted is not None:
                return codecs.failures_from(counted)
        running = codecs.failures_from(found)  # as the last refused write found it
        if running.window_ends > now and running.count >= max_attempts:
            raise TooManyLoginFailures(running.window_ends - now)
        # Otherwise a window opened or ended between our writes: try again.
    raise ConcurrentChange()


class DynamoStore:
    """The Store of the deployed service (see `protocol.Store` for each method's promise)."""

    # --- customers

    @busy_as_store_busy
    def next_customer_id(self) -> int:
        response = dynamodb().update_item(
            TableName=_customers(),
            Key=key(keys.COUNTER),
            UpdateExpression="ADD last_id :one",
            ExpressionAttributeValues={":one": n(1)},
            ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"]["last_id"]["N"])

    @busy_as_store_busy
    def insert_customer(self, customer: Customer) -> None:
        joins = _membership_changes(None, customer.group_id)
        codes = transact(
            [
                {"Put": {"TableName": _customers(), "Item": codecs.customer_item(customer), **_ONLY_IF_NEW}},
                {"Put": {"TableName": _customers(), "Item": codecs.claim_item(customer), **_ONLY_IF_NEW}},
                *joins,
            ]
        )
        if codes is None:
            return
        if failed_condition(codes, 1):
            raise EmailTaken()
        if joins and failed_condition(codes, 2):
            raise UnknownGroup()
        raise ConcurrentChange()

    @busy_as_store_busy
    def get_customer(self, customer_uuid: str) -> Customer | None:
        item = _get(_customers(), keys.customer(customer_uuid))
        return codecs.customer_from(item) if item else None

    @busy_as_store_busy
    def customer_by_email(self, email_key: str) -> Customer | None:
        claim = _get(_customers(), keys.email_claim(email_key))
        return self.get_customer(claim["customer_uuid"]["S"]) if claim else None

    @busy_as_store_busy
    def list_customers(self, query: CustomerQuery, limit: int, after: str | None) -> tuple[list[Customer], str | None]:
        if query.email_prefix is not None:
            return self._list_by_email(query, limit, after)
        return self._list_by_creation(query, limit, after)

    @staticmethod
    def _list_by_creation(query: CustomerQuery, limit: int, after: str | None) -> tuple[list[Customer], str | None]:
        # The index holds the listed fields (never the hash): the filters apply to what it holds.
        lower = query.created_from or " "  # below every date
        upper = min(f"{query.created_to}#~" if query.created_to else "~", after or "~")
        # One more than a page from each shard: the item at `after` comes back and is skipped.
        pages = _query_shards(keys.created_shards(), lower, upper, descending=True, limit=limit + 1)
        candidates, frontier = merged(pages, descending=True, after=after)
        found: list[Customer] = []
        for position, item in enumerate(candidates):
            if len(found) == limit:
                return found, sort_key(candidates[position - 1])
            customer = codecs.listed_customer_from(item)
            if query.matches(customer):
                found.append(customer)
        return found, frontier

    @staticmethod
    def _list_by_email(query: CustomerQuery, limit: int, after: str | None) -> tuple[list[Customer], str | None]:
        prefix = query.email_prefix or ""
        lower, upper = max(prefix, after or ""), prefix + LAST_CHAR
        pages = _query_shards(keys.email_shards(), lower, upper, descending=False, limit=limit + 1)
        candidates, frontier = merged(pages, descending=False, after=after)
        walked = candidates[:limit]
        # A claim read from the index just before its email changed names a customer that moved.
        listed = [customer for customer in _claimants(walked) if query.matches(customer)]
        return listed, (sort_key(walked[-1]) if len(candidates) > limit else frontier)

    @busy_as_store_busy
    def save_customer(self, current: Customer, changed: Customer) -> Customer:
        stored = dataclasses.replace(changed, version=current.version + 1)
        put_customer = {
            "TableName": _customers(),
            "Item": codecs.customer_item(stored),
            **_only_if_version(current.version),
        }
        moves = _membership_changes(current.group_id, stored.group_id)
        if stored.email_key == current.email_key and not moves:
            client = dynamodb()
            try:
                client.put_item(**put_customer)
            except client.exceptions.ConditionalCheckFailedException as error:
                raise ConcurrentChange() from error
            return stored
        items: list[Item] = [{"Put": put_customer}, *moves]
        if stored.email_key != current.email_key:
            release_claim = {"TableName": _customers(), "Key": key(keys.email_claim(current.email_key))}
            items += [
                {"Put": {"TableName": _customers(), "Item": codecs.claim_item(stored), **_ONLY_IF_NEW}},
                {"Delete": {**release_claim, **_only_if_claimed_by(current.uuid)}},
            ]
        codes = transact(items)
        if codes is not None:
            _raise_why_refused(codes, moves=len(moves))
        return stored

    @busy_as_store_busy
    def change_customer_fields(
        self, customer_uuid: str, change: CustomerFieldsChange, *, only_while_live_at_epoch: int | None = None
    ) -> Customer:
        changed, found = _update_or_what_refused_it(
            TableName=_customers(),
            Key=key(keys.customer(customer_uuid)),
            **_fields_update(change, only_while_live_at_epoch),
        )
        if changed is not None:
            return codecs.customer_from(changed)
        if found is None:
            raise CustomerNotFound()
        raise ConcurrentChange()  # disabled, or every session ended since that epoch

    @busy_as_store_busy
    def delete_customer(self, current: Customer) -> None:
        customer_key = {"TableName": _customers(), "Key": key(keys.customer(current.uuid))}
        claim_key = {"TableName": _customers(), "Key": key(keys.email_claim(current.email_key))}
        codes = transact(
            [
                {"Delete": {**customer_key, **_only_if_version(current.version)}},
                {"Delete": {**claim_key, **_only_if_claimed_by(current.uuid)}},
                # Its addresses go with it, in the same step.
                {"Delete": {"TableName": _customers(), "Key": key(keys.address_book(current.uuid))}},
                *_membership_changes(current.group_id, None),
            ]
        )
        if codes is not None:
            raise ConcurrentChange()

    # --- address books

    @busy_as_store_busy
    def get_address_book(self, customer_uuid: str) -> AddressBook:
        return codecs.address_book_from(_get(_customers(), keys.address_book(customer_uuid)))

    @busy_as_store_busy
    def save_address_book(self, customer_uuid: str, current: AddressBook, changed: AddressBook) -> AddressBook:
        stored = dataclasses.replace(changed, version=current.version + 1)
        unchanged_since_read = _ONLY_IF_NEW if current.version == 0 else _only_if_version(current.version)
        codes = transact(
            [
                # Only while the customer exists: no address outlives its customer.
                {
                    "ConditionCheck": {
                        "TableName": _customers(),
                        "Key": key(keys.customer(customer_uuid)),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": _customers(),
                        "Item": codecs.address_book_item(customer_uuid, stored),
                        **unchanged_since_read,
                    }
                },
            ]
        )
        if codes is None:
            return stored
        if failed_condition(codes, 0):
            raise CustomerNotFound()
        raise ConcurrentChange()

    # --- customer groups

    @busy_as_store_busy
    def next_group_id(self) -> int:
        # Group 1 (Default) exists from the start: the first id handed out is 2.
        response = dynamodb().update_item(
            TableName=_customers(),
            Key=key(keys.GROUP_COUNTER),
            UpdateExpression="SET last_id = if_not_exists(last_id, :default) + :one",
            ExpressionAttributeValues={":default": n(DEFAULT_GROUP_ID), ":one": n(1)},
            ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"]["last_id"]["N"])

    @busy_as_store_busy
    def get_group(self, group_id: int) -> CustomerGroup | None:
        item = _get(_customers(), keys.group(group_id))
        return codecs.group_from(item) if item else None

    @busy_as_store_busy
    def list_groups(self) -> list[CustomerGroup]:
        pages = (
            dynamodb()
            .get_paginator("query")
            .paginate(
                TableName=_customers(),
                IndexName=keys.LISTING_INDEX,
                KeyConditionExpression="list_pk = :groups",
                ExpressionAttributeValues={":groups": s(keys.GROUPS_LISTING)},
            )
        )
        return [codecs.group_from(item) for page in pages for item in page["Items"]]

    @busy_as_store_busy
    def insert_group(self, group: CustomerGroup) -> None:
        client = dynamodb()
        try:
            client.put_item(TableName=_customers(), Item=codecs.group_item(group), **_ONLY_IF_NEW)
        except client.exceptions.ConditionalCheckFailedException as error:
            raise ConcurrentChange() from error

    @busy_as_store_busy
    def rename_group(self, group_id: int, group_name: str, updated_at: str) -> CustomerGroup | None:
        # An update, not a put: customers joining or leaving meanwhile keep their count.
        renamed = _update_unless_condition_fails(
            TableName=_customers(),
            Key=key(keys.group(group_id)),
            UpdateExpression="SET group_name = :name, updated_at = :at",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":name": s(group_name), ":at": s(updated_at)},
        )
        return codecs.group_from(renamed) if renamed else None

    @busy_as_store_busy
    def delete_group(self, group_id: int) -> CustomerGroup:
        client = dynamodb()
        try:
            # The group as deleted is the answer, and a refusal says whether there was one: no read first.
            deleted = client.delete_item(
                TableName=_customers(),
                Key=key(keys.group(group_id)),
                ConditionExpression="attribute_exists(pk) AND members = :none",
                ExpressionAttributeValues={":none": n(0)},
                ReturnValues="ALL_OLD",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except client.exceptions.ConditionalCheckFailedException as refused:
            if refused.response.get("Item") is None:
                raise GroupNotFound() from refused
            raise GroupInUse() from refused
        return codecs.group_from(deleted["Attributes"])

    # --- admin users

    @busy_as_store_busy
    def insert_admin(self, admin: AdminUser) -> None:
        client = dynamodb()
        try:
            client.put_item(TableName=_customers(), Item=codecs.admin_item(admin), **_ONLY_IF_NEW)
        except client.exceptions.ConditionalCheckFailedException as error:
            raise EmailTaken() from error

    # --- logins

    @busy_as_store_busy
    def customer_for_login(self, email_key: str) -> tuple[Customer | None, LoginFailures]:
        claim_key = keys.email_claim(email_key)
        failures_key = keys.login_failures(PrincipalKind.CUSTOMER, email_key)
        found = _consistent_reads({_customers(): [claim_key], _sessions(): [failures_key]})
        failures = codecs.failures_from(found.get(failures_key))
        claim = found.get(claim_key)
        if claim is None:
            return None, failures
        return self.get_customer(claim["customer_uuid"]["S"]), failures

    @busy_as_store_busy
    def admin_for_login(self, email_key: str) -> tuple[AdminUser | None, LoginFailures]:
        admin_key, failures_key = keys.admin(email_key), keys.login_failures(PrincipalKind.ADMIN, email_key)
        found = _consistent_reads({_customers(): [admin_key], _sessions(): [failures_key]})
        admin = found.get(admin_key)
        return (codecs.admin_from(admin) if admin else None), codecs.failures_from(found.get(failures_key))

    @busy_as_store_busy
    def take_login_attempt(
        self,
        kind: PrincipalKind,
        email_key: str,
        now: int,
        *,
        window_seconds: int,
        max_attempts: int,
        seen: LoginFailures,
    ) -> LoginFailures:
        return _count_in_window(keys.login_failures(kind, email_key), now, window_seconds, max_attempts, seen)

    @busy_as_store_busy
    def take_reset_request(self, email_key: str, now: int, *, window_seconds: int, max_requests: int) -> None:
        try:
            _count_in_window(keys.reset_requests(email_key), now, window_seconds, max_requests, LoginFailures())
        except TooManyLoginFailures as full:
            raise TooManyResetRequests(full.retry_after_seconds) from full

    @busy_as_store_busy
    def upgrade_password_hash(self, kind: PrincipalKind, principal: str, old_hash: str, new_hash: str) -> bool:
        upgraded = _update_unless_condition_fails(
            TableName=_customers(),
            Key=key(keys.principal(kind, principal)),
            UpdateExpression="SET password_hash = :new",
            ConditionExpression="password_hash = :old",
            ExpressionAttributeValues={":new": s(new_hash), ":old": s(old_hash)},
        )
        return upgraded is not None

    @busy_as_store_busy
    def open_session(self, session: Session, clear_failures_of: str | None) -> None:
        items: list[Item] = [
            {"Put": {"TableName": _sessions(), "Item": codecs.session_item(session), **_ONLY_IF_NEW}},
            {
                # Count the login (the version too: an update that read the customer before
                # must not write the old count back).
                "Update": {
                    "TableName": _customers(),
                    "Key": key(keys.principal(session.kind, session.principal)),
                    "UpdateExpression": "ADD session_seq :one, #version :one",
                    "ConditionExpression": "session_epoch = :epoch AND #status = :active",
                    "ExpressionAttributeNames": {"#status": "status", "#version": "version"},
                    "ExpressionAttributeValues": {":epoch": n(session.epoch), ":active": n(1), ":one": n(1)},
                }
            },
        ]
        if clear_failures_of is not None:
            # Zeroed, not deleted: logins counting into the window meanwhile find it still there
            # (a deleted item would send them round the open-or-count loop again and again).
            zeroed = {
                "TableName": _sessions(),
                "Key": key(keys.login_failures(session.kind, clear_failures_of)),
                "UpdateExpression": (
                    "SET #count = :zero, window_ends = if_not_exists(window_ends, :zero), "
                    "expires_at = if_not_exists(expires_at, :now)"
                ),
                "ExpressionAttributeNames": {"#count": "count"},
                "ExpressionAttributeValues": {":zero": n(0), ":now": n(int(time.time()))},
            }
            items.append({"Update": zeroed})
        if transact(items) is not None:
            raise ConcurrentChange()

    # --- sessions

    @busy_as_store_busy
    def session_with_account(
        self, sid: str, kind: PrincipalKind, principal: str
    ) -> tuple[Session | None, Customer | AdminUser | None]:
        session_key, owner_key = keys.session(sid, kind), keys.principal(kind, principal)
        found = _consistent_reads({_sessions(): [session_key], _customers(): [owner_key]})
        session = found.get(session_key)
        return (codecs.session_from(session) if session else None), codecs.account_from(found.get(owner_key))

    @busy_as_store_busy
    def session_with_customer_and_book(
        self, sid: str, customer_uuid: str
    ) -> tuple[Session | None, Customer | None, AddressBook]:
        session_key = keys.session(sid, PrincipalKind.CUSTOMER)
        customer_key, book_key = keys.customer(customer_uuid), keys.address_book(customer_uuid)
        found = _consistent_reads({_sessions(): [session_key], _customers(): [customer_key, book_key]})
        session, customer = found.get(session_key), found.get(customer_key)
        return (
            codecs.session_from(session) if session else None,
            codecs.customer_from(customer) if customer else None,
            codecs.address_book_from(found.get(book_key)),
        )

    @busy_as_store_busy
    def get_sessions(self, sids: list[str], kind: PrincipalKind = PrincipalKind.CUSTOMER) -> dict[str, Session]:
        found = _consistent_reads({_sessions(): [keys.session(sid, kind) for sid in sids]})
        return {session.sid: session for session in map(codecs.session_from, found.values())}

    @busy_as_store_busy
    def recent_sessions(self, kind: PrincipalKind, principal: str, limit: int) -> list[Session]:
        # The index (keys only) names the latest logins; the items are read consistently, so a
        # session ended a moment ago is not listed.
        response = dynamodb().query(
            TableName=_sessions(),
            IndexName=keys.RECENT_SESSIONS_INDEX,
            KeyConditionExpression="#owner = :owner",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={":owner": s(keys.principal(kind, principal))},
            ScanIndexForward=False,
            Limit=min(limit, MAX_KEYS_PER_READ),
        )
        found = _consistent_reads({_sessions(): [item["pk"]["S"] for item in response["Items"]]})
        sessions = [codecs.session_from(item) for item in found.values()]
        return sorted(sessions, key=lambda session: session.seq, reverse=True)

    @busy_as_store_busy
    def spend_refresh(self, session: Session) -> bool:
        spent = _update_unless_condition_fails(
            TableName=_sessions(),
            Key=key(keys.session(session.sid, session.kind)),
            UpdateExpression="SET refresh_gen = :next",
            ConditionExpression="refresh_gen = :seen",
            ExpressionAttributeValues={":seen": n(session.refresh_gen), ":next": n(session.refresh_gen + 1)},
        )
        return spent is not None

    @busy_as_store_busy
    def end_sessions(self, sessions: list[Session], end_all_of: list[tuple[PrincipalKind, str]]) -> None:
        items: list[Item] = [
            {
                "Delete": {
                    "TableName": _sessions(),
                    "Key": key(keys.session(session.sid, session.kind)),
                    **_only_if_owned_by(session.kind, session.principal),
                }
            }
            for session in sessions
        ]
        items += [
            {
                "Update": {
                    "TableName": _customers(),
                    "Key": key(keys.principal(kind, principal)),
                    # The version too: an update that read the old epoch must not write it back.
                    "UpdateExpression": "ADD session_epoch :one, #version :one",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeNames": {"#version": "version"},
                    "ExpressionAttributeValues": {":one": n(1)},
                }
            }
            for kind, principal in end_all_of
        ]
        _all_or_nothing(items)

    @busy_as_store_busy
    def sweep_sessions(self, kind: PrincipalKind, principal: str) -> int:
        # One page of the index and one transaction of deletes (DeleteItem, no BatchWriteItem,
        # which could also put items): bounded work whatever the account has piled up.
        response = dynamodb().query(
            TableName=_sessions(),
            IndexName=keys.OWNER_INDEX,
            KeyConditionExpression="#owner = :owner",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={":owner": s(keys.principal(kind, principal))},
            Limit=settings().sweep_limit,
        )
        deletes = [{"Delete": {"TableName": _sessions(), "Key": key(item["pk"]["S"])}} for item in response["Items"]]
        if deletes and transact(deletes) is not None:
            raise ConcurrentChange()
        return len(deletes)

    # --- password resets

    @busy_as_store_busy
    def email_owner(self, email_key: str) -> str | None:
        claim = _get(_customers(), keys.email_claim(email_key), "customer_uuid")
        return claim["customer_uuid"]["S"] if claim else None

    @busy_as_store_busy
    def reset_target(self, customer_uuid: str) -> ResetTarget | None:
        item = _get(_customers(), keys.customer(customer_uuid), "status", "version")
        return ResetTarget(customer_uuid, int(item["status"]["N"]), int(item["version"]["N"])) if item else None

    @busy_as_store_busy
    def save_reset(self, current: ResetTarget, reset: PasswordReset) -> None:
        # Only the reset's fields and the version: the item's other fields as they are.
        saved = _reset_write(
            _customers(),
            keys.customer(current.uuid),
            reset,
            also_set={},
            then=" ADD #version :one",
            ConditionExpression="#version = :expected_version",
            ExpressionAttributeNames={"#version": "version"},
            ExpressionAttributeValues={":expected_version": n(current.version), ":one": n(1)},
        )
        if not saved:
            raise ConcurrentChange()

    @busy_as_store_busy
    def save_reset_for_nobody(self, email_key: str, reset: PasswordReset) -> None:
        # The sessions table has no stream: nothing written here becomes an event.
        also_set = {"expires_at": n(reset.expires_at)}
        _reset_write(_sessions(), keys.reset_for_nobody(email_key), reset, also_set=also_set)

    # --- keys and events

    def seal(self, plaintext: str, context: dict[str, str]) -> str:
        return outside.encrypt(plaintext, context)

    def publish_events(self, events: list[DomainEvent]) -> None:
        outside.put_events(events)

    # --- secrets

    def read_secret(self, name: str, max_age: int, *, fresh: bool = False) -> dict[str, Any]:
        return secrets.read_json(name, max_age, fresh=fresh)
