"""The floors: what each request costs at least, given the DynamoDB calls it needs and its bcrypt
work. The same calls as the handler's, in the same order (`round_trips` checks it), made directly
with a boto3 client, on items keyed and shaped as the layer keys and shapes them."""

from __future__ import annotations

import base64
import contextlib
import functools
import hmac
import time
import uuid
from collections.abc import Callable
from typing import Any

import bcrypt
import boto3

from bench.stats import median
from bench.world import DEVICES, EMAIL_PREFIX, PASSWORD, World
from customer_api.core import clock
from customer_api.core.records import (
    DEFAULT_GROUP_ID,
    AddressBook,
    Customer,
    CustomerGroup,
    PasswordReset,
    PrincipalKind,
    Session,
)
from customer_api.core.settings import settings
from customer_api.domain import recovery
from customer_api.domain.listing import DEFAULT_LIMIT, MAX_LIMIT
from customer_api.store import codecs, keys
from customer_api.store.codecs import Item, key, listing, n, s
from customer_api.store.listing import LAST_CHAR

Action = Callable[[], None]  # the timed part of a floor

_ONLY_IF_NEW = {"ConditionExpression": "attribute_not_exists(pk)"}
_ONLY_IF_EXISTS = {"ConditionExpression": "attribute_exists(pk)"}
_FLOOR_SESSION_SECONDS = 3600
BOOK_SIZE = 3  # the addresses in a book, as the address requests find it


def bcrypt_ms() -> float:
    """One hash at the template's cost, here: median of 5."""
    rounds = settings().bcrypt_rounds
    times = []
    for _ in range(5):
        started = time.perf_counter()
        bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds))
        times.append((time.perf_counter() - started) * 1000)
    return median(times)


class Floor:
    """Each public method prepares what its floor needs (not timed, through the layer) and answers
    the timed part. Its calls go through `client`, a bare boto3 client of its own."""

    def __init__(self, world: World) -> None:
        self.client: Any = boto3.client("dynamodb")
        self.world = world
        self.rounds = settings().bcrypt_rounds
        self.customers, self.sessions = settings().customers_table, settings().sessions_table
        self.customer = world.new_customer()  # the floor's own: the world's moves on with the handlers
        self.admin_sid = world.admin_session()[1]
        # Its own as the world has them: one reading and renaming itself, logged in on DEVICES
        # devices; one changing its password.
        self.own_account = world.new_customer()
        self.own_sid = world.customer_session(self.own_account)[1]
        for _ in range(DEVICES - 1):
            world.customer_session(self.own_account)
        self.password_changer = world.new_customer()
        # Its own group to rename, and address books: one the admin changes, one kept by its owner.
        self.group = world.new_group()
        self.address_owner = world.new_customer()
        self.address_keeper = world.new_customer()
        self.keeper_sid = world.customer_session(self.address_keeper)[1]
        # Its own for the password resets, and a KMS client as bare as `client`.
        self.reset_requester = world.new_customer()
        self.password_resetter = world.new_customer()
        self.kms: Any = boto3.client("kms")

    # --- the calls the requests are made of

    def _consistent(self, pks_by_table: dict[str, list[str]]) -> dict[str, Item]:
        """Strongly consistent reads over tables in one BatchGetItem; the items found, by pk."""
        request = {
            table: {"Keys": [key(pk) for pk in pks], "ConsistentRead": True} for table, pks in pks_by_table.items()
        }
        found = self.client.batch_get_item(RequestItems=request)["Responses"]
        return {item["pk"]["S"]: item for items in found.values() for item in items}

    def _authenticate(self, kind: PrincipalKind, principal: str, sid: str) -> None:
        self._consistent({self.sessions: [keys.session(sid, kind)], self.customers: [keys.principal(kind, principal)]})

    def _authenticate_admin(self) -> None:
        self._authenticate(PrincipalKind.ADMIN, self.world.admin.email_key, self.admin_sid)

    def _authenticate_own_account(self) -> None:
        self._authenticate(PrincipalKind.CUSTOMER, self.own_account.uuid, self.own_sid)

    def _hash(self) -> str:
        return bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(self.rounds)).decode()

    def _check(self) -> None:
        bcrypt.checkpw(PASSWORD.encode(), self.world.password_hash.encode())

    def _get(self, pk: str, *only: str) -> Item:
        """An item of the customers table read consistently: whole, or `only` these attributes."""
        projection = {}
        if only:
            names = {f"#{name}": name for name in only}
            projection = {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
        found = self.client.get_item(TableName=self.customers, Key=key(pk), ConsistentRead=True, **projection)
        item: Item = found.get("Item")
        return item

    def _take_attempt(self, failures: str) -> None:
        # A login counts its password check before making it (one conditional update).
        now = int(time.time())
        self.client.update_item(
            TableName=self.sessions,
            Key=key(failures),
            UpdateExpression="SET #count = :one, window_ends = :ends, expires_at = :ends",
            ExpressionAttributeNames={"#count": "count"},
            ExpressionAttributeValues={":one": n(1), ":ends": n(now + 900)},
            ReturnValues="ALL_NEW",
        )

    def _counter(self, pk: str) -> dict[str, Any]:
        """An UpdateItem of a counter item, as the store makes them (both images asked for)."""
        return {
            "TableName": self.sessions,
            "Key": key(pk),
            "ExpressionAttributeNames": {"#count": "count"},
            "ReturnValues": "ALL_NEW",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }

    def _open_window(self, pk: str, now: int, seconds: int) -> None:
        """The counter's first attempt of a window: refused while a window runs."""
        self.client.update_item(
            **self._counter(pk),
            UpdateExpression="SET #count = :one, window_ends = :ends, expires_at = :ends",
            ConditionExpression="attribute_not_exists(pk) OR window_ends <= :now",
            ExpressionAttributeValues={":one": n(1), ":now": n(now), ":ends": n(now + seconds)},
        )

    def _count_in_running_window(self, failures: str) -> None:
        # A logged-in customer's check is counted without reading the window first: the update
        # that opens a window, refused while the login's window runs, then the one counting into it.
        now = int(time.time())
        with contextlib.suppress(self.client.exceptions.ConditionalCheckFailedException):
            self._open_window(failures, now, 900)
        self.client.update_item(
            **self._counter(failures),
            UpdateExpression="ADD #count :one",
            ConditionExpression="window_ends > :now AND #count < :max",
            ExpressionAttributeValues={":one": n(1), ":now": n(now), ":max": n(settings().login_max_failures)},
        )

    def _open_session(self, kind: PrincipalKind, principal: str, email_key: str) -> None:
        session = Session(str(uuid.uuid4()), kind, principal, 0, int(time.time()) + _FLOOR_SESSION_SECONDS)
        owner = key(keys.principal(kind, principal))
        # A login forgets the email's counted attempts in the same transaction.
        zeroed = {
            "TableName": self.sessions,
            "Key": key(keys.login_failures(kind, email_key)),
            "UpdateExpression": "SET #count = :zero",
            "ExpressionAttributeNames": {"#count": "count"},
            "ExpressionAttributeValues": {":zero": n(0)},
        }
        self.client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": self.sessions, "Item": codecs.session_item(session), **_ONLY_IF_NEW}},
                {
                    "Update": {
                        "TableName": self.customers,
                        "Key": owner,
                        "UpdateExpression": "ADD session_seq :one",
                        "ExpressionAttributeValues": {":one": n(1)},
                        **_ONLY_IF_EXISTS,
                    }
                },
                {"Update": zeroed},
            ]
        )

    def _sweep(self, kind: PrincipalKind, principal: str) -> None:
        # One page of the account's session items, deleted in one transaction when there are any.
        found = self.client.query(
            TableName=self.sessions,
            IndexName=keys.OWNER_INDEX,
            KeyConditionExpression="#owner = :owner",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={":owner": s(keys.principal(kind, principal))},
            Limit=settings().sweep_limit,
        )["Items"]
        if found:
            deletes = [{"Delete": {"TableName": self.sessions, "Key": key(item["pk"]["S"])}} for item in found]
            self.client.transact_write_items(TransactItems=deletes)

    def _query_shards(self, shards: list[str], lower: str, upper: str, *, descending: bool, limit: int) -> list[Item]:
        """One query of the listing index per shard, as the store makes them: the items of all."""
        items: list[Item] = []
        for shard in shards:
            response = self.client.query(
                TableName=self.customers,
                IndexName=keys.LISTING_INDEX,
                KeyConditionExpression="list_pk = :shard AND list_sk BETWEEN :lower AND :upper",
                ExpressionAttributeValues={":shard": s(shard), ":lower": s(lower), ":upper": s(upper)},
                ScanIndexForward=not descending,
                Limit=limit,
            )
            items += response["Items"]
        return items

    def _listing_page(self, limit: int) -> None:
        self._authenticate_admin()
        # One more than a page from each shard, newest first, whatever the filters.
        self._query_shards(keys.created_shards(), " ", "~", descending=True, limit=limit + 1)

    def _rename(self, customer_uuid: str, live_at_epoch: int | None = None) -> None:
        """One conditional UpdateItem answering the new item: the name, when, the version counted;
        with `live_at_epoch`, only while the caller's session is (the customer enabled, at its epoch)."""
        condition, names = "attribute_exists(pk)", {"#version": "version"}
        values = {":name": s("Jane Roe"), ":at": s("2026-12-01 09:30:00"), ":one": n(1)}
        if live_at_epoch is not None:
            condition += " AND #status = :enabled AND session_epoch = :epoch"
            names["#status"] = "status"
            values |= {":enabled": n(1), ":epoch": n(live_at_epoch)}
        self.client.update_item(
            TableName=self.customers,
            Key=key(keys.customer(customer_uuid)),
            UpdateExpression="SET full_name = :name, updated_at = :at ADD #version :one",
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )

    def _update(self) -> None:
        self._authenticate_admin()
        self._get(keys.customer(self.customer.uuid))
        self.client.put_item(TableName=self.customers, Item=codecs.customer_item(self.customer), **_ONLY_IF_EXISTS)

    def _logout(self, kind: PrincipalKind, principal: str, sid: str) -> Action:
        owned = {
            "ConditionExpression": "#owner = :owner",
            "ExpressionAttributeNames": {"#owner": "owner"},
            "ExpressionAttributeValues": {":owner": s(keys.principal(kind, principal))},
        }

        def run() -> None:
            self._authenticate(kind, principal, sid)
            self.client.transact_write_items(
                TransactItems=[{"Delete": {"TableName": self.sessions, "Key": key(keys.session(sid, kind)), **owned}}]
            )

        return run

    def _admin_reading_book(self, customer_uuid: str) -> Callable[[], Item]:
        """The admin's auth, then the customer's book: two calls."""

        def read() -> Item:
            self._authenticate_admin()
            return self._get(keys.address_book(customer_uuid))

        return read

    def _keeper_reading_book(self) -> Callable[[], Item]:
        """The customer's auth with its own book in the same read: one call."""
        customer_uuid, sid = self.address_keeper.uuid, keys.session(self.keeper_sid, PrincipalKind.CUSTOMER)
        book = keys.address_book(customer_uuid)

        def read() -> Item:
            return self._consistent({self.sessions: [sid], self.customers: [keys.customer(customer_uuid), book]})[book]

        return read

    @staticmethod
    def _listing(read: Callable[[], Item]) -> Action:
        """Auth and the book read: all a listing asks of DynamoDB."""

        def run() -> None:
            read()

        return run

    def _book_change(
        self, read: Callable[[], Item], customer_uuid: str, change: Callable[[list[Item]], list[Item]]
    ) -> Action:
        """Auth and the book read (`read`); its addresses as `change` leaves them written back in
        one transaction, while the customer exists and the book is as read."""
        customer = {"TableName": self.customers, "Key": key(keys.customer(customer_uuid)), **_ONLY_IF_EXISTS}

        def run() -> None:
            book = read()
            version = int(book["version"]["N"])
            as_read = {
                "ConditionExpression": "#version = :read",
                "ExpressionAttributeNames": {"#version": "version"},
                "ExpressionAttributeValues": {":read": n(version)},
            }
            changed = book | {"addresses": {"L": change(book["addresses"]["L"])}, "version": n(version + 1)}
            self.client.transact_write_items(
                TransactItems=[
                    {"ConditionCheck": customer},
                    {"Put": {"TableName": self.customers, "Item": changed, **as_read}},
                ]
            )

        return run

    def _adding(self, read: Callable[[], Item], owner: Customer) -> Action:
        self.world.address_book(owner, BOOK_SIZE)
        # The newest, not the default: it goes last (the default first, then the oldest).
        new = codecs.address_book_item(owner.uuid, AddressBook((self.world.new_address(),)))["addresses"]["L"][0]
        return self._book_change(read, owner.uuid, lambda addresses: [*addresses, new])

    def _updating(self, read: Callable[[], Item], owner: Customer) -> Action:
        target = self.world.address_book(owner, BOOK_SIZE).addresses[-1].uuid
        changed = {"city": s("Shelbyville"), "updated_at": s(clock.timestamp())}

        def change(addresses: list[Item]) -> list[Item]:
            return [{"M": one["M"] | changed} if one["M"]["uuid"]["S"] == target else one for one in addresses]

        return self._book_change(read, owner.uuid, change)

    def _deleting(self, read: Callable[[], Item], owner: Customer) -> Action:
        # The newest of one more than the book holds: not the default, nothing else changes.
        doomed = self.world.address_book(owner, BOOK_SIZE + 1).addresses[-1].uuid
        return self._book_change(
            read, owner.uuid, lambda addresses: [one for one in addresses if one["M"]["uuid"]["S"] != doomed]
        )

    # --- the floors, one per endpoint

    def create_customer(self) -> Action:
        customer = self.world.fresh_customer()
        new = {"TableName": self.customers, **_ONLY_IF_NEW}

        def run() -> None:
            self._authenticate_admin()
            self._hash()
            self.client.update_item(
                TableName=self.customers,
                Key=key(keys.COUNTER),
                UpdateExpression="ADD last_id :one",
                ExpressionAttributeValues={":one": n(1)},
                ReturnValues="UPDATED_NEW",
            )
            self.client.transact_write_items(
                TransactItems=[
                    {"Put": {**new, "Item": codecs.customer_item(customer)}},
                    {"Put": {**new, "Item": codecs.claim_item(customer)}},
                ]
            )

        return run

    def rename_customer(self) -> Action:
        def run() -> None:
            self._authenticate_admin()
            self._rename(self.customer.uuid)

        return run

    def change_password(self) -> Action:
        def run() -> None:
            self._hash()
            self._update()
            self._sweep(PrincipalKind.CUSTOMER, self.customer.uuid)

        return run

    def delete_customer(self) -> Action:
        doomed = self.world.new_customer()
        exists = {"TableName": self.customers, **_ONLY_IF_EXISTS}

        def run() -> None:
            self._authenticate_admin()
            self._get(keys.customer(doomed.uuid))
            self.client.transact_write_items(
                TransactItems=[
                    {"Delete": {**exists, "Key": key(keys.customer(doomed.uuid))}},
                    {"Delete": {**exists, "Key": key(keys.email_claim(doomed.email_key))}},
                ]
            )
            self._sweep(PrincipalKind.CUSTOMER, doomed.uuid)

        return run

    def customer_login(self) -> Action:
        email_key = self.customer.email_key
        failures = keys.login_failures(PrincipalKind.CUSTOMER, email_key)

        def run() -> None:
            self._consistent({self.customers: [keys.email_claim(email_key)], self.sessions: [failures]})
            self._get(keys.customer(self.customer.uuid))
            self._take_attempt(failures)
            self._check()
            self._open_session(PrincipalKind.CUSTOMER, self.customer.uuid, email_key)

        return run

    def customer_logout(self) -> Action:
        sid = self.world.customer_session(self.customer)[1]
        return self._logout(PrincipalKind.CUSTOMER, self.customer.uuid, sid)

    def admin_login(self) -> Action:
        email_key = self.world.admin.email_key
        failures = keys.login_failures(PrincipalKind.ADMIN, email_key)

        def run() -> None:
            self._consistent({self.customers: [keys.admin(email_key)], self.sessions: [failures]})
            self._take_attempt(failures)
            self._check()
            self._open_session(PrincipalKind.ADMIN, email_key, email_key)

        return run

    def admin_logout(self) -> Action:
        sid = self.world.admin_session()[1]
        return self._logout(PrincipalKind.ADMIN, self.world.admin.email_key, sid)

    def read_customer(self) -> Action:
        def run() -> None:
            self._authenticate_admin()
            self._get(keys.customer(self.customer.uuid))

        return run

    def list_page(self) -> Action:
        return functools.partial(self._listing_page, DEFAULT_LIMIT)

    def list_page_filtered_out(self) -> Action:
        return functools.partial(self._listing_page, MAX_LIMIT)

    def list_by_email_prefix(self) -> Action:
        def run() -> None:
            self._authenticate_admin()
            claims = self._query_shards(
                keys.email_shards(), EMAIL_PREFIX, EMAIL_PREFIX + LAST_CHAR, descending=False, limit=DEFAULT_LIMIT + 1
            )
            # The page's claims, in address order, name the customers to read (claims hold the uuid alone).
            page = sorted(claims, key=lambda claim: str(claim["list_sk"]["S"]))[:DEFAULT_LIMIT]
            self._consistent({self.customers: [keys.customer(claim["customer_uuid"]["S"]) for claim in page]})

        return run

    def read_own_account(self) -> Action:
        return self._authenticate_own_account

    def rename_own_account(self) -> Action:
        account = self.own_account

        def run() -> None:
            self._authenticate_own_account()
            self._rename(account.uuid, live_at_epoch=account.session_epoch)

        return run

    def change_own_password(self) -> Action:
        changer = self.password_changer
        sid = self.world.customer_session(changer)[1]  # the caller's: with the previous run's new one, two to sweep
        failures = keys.login_failures(PrincipalKind.CUSTOMER, changer.email_key)
        self._take_attempt(failures)  # the window the caller's login opened

        def run() -> None:
            self._authenticate(PrincipalKind.CUSTOMER, changer.uuid, sid)
            self._count_in_running_window(failures)
            self._check()
            self._hash()
            self._get(keys.customer(changer.uuid))
            self.client.put_item(TableName=self.customers, Item=codecs.customer_item(changer), **_ONLY_IF_EXISTS)
            self._sweep(PrincipalKind.CUSTOMER, changer.uuid)
            self._open_session(PrincipalKind.CUSTOMER, changer.uuid, changer.email_key)

        return run

    def list_own_sessions(self) -> Action:
        owner = keys.customer(self.own_account.uuid)

        def run() -> None:
            self._authenticate_own_account()
            latest = self.client.query(
                TableName=self.sessions,
                IndexName=keys.RECENT_SESSIONS_INDEX,
                KeyConditionExpression="#owner = :owner",
                ExpressionAttributeNames={"#owner": "owner"},
                ExpressionAttributeValues={":owner": s(owner)},
                ScanIndexForward=False,
                Limit=settings().max_sessions,
            )["Items"]
            self._consistent({self.sessions: [item["pk"]["S"] for item in latest]})

        return run

    def refresh_customer_token(self) -> Action:
        # Rotation off (the default): the refresh token's session and customer, read as auth reads them.
        sid = self.world.customer_session(self.customer)[1]
        return functools.partial(self._authenticate, PrincipalKind.CUSTOMER, self.customer.uuid, sid)

    # --- password recovery

    def request_reset(self) -> Action:
        requester, config = self.reset_requester, settings()
        self.world.forget_reset_requests(requester)  # its first in the window, as the request's
        counter, context = keys.reset_requests(requester.email_key), recovery.encryption_context(requester.uuid)

        def run() -> None:
            now = int(time.time())
            self._open_window(counter, now, config.reset_window_seconds)
            claim = self._get(keys.email_claim(requester.email_key), "customer_uuid")
            target = self._get(keys.customer(claim["customer_uuid"]["S"]), "status", "version")
            token = recovery.new_token(requester.uuid)
            sealed = self.kms.encrypt(KeyId=config.reset_token_key, Plaintext=token.encode(), EncryptionContext=context)
            reset = PasswordReset(
                recovery.token_hash(token),
                now + config.reset_token_seconds,
                base64.b64encode(sealed["CiphertextBlob"]).decode(),
            )
            fields = codecs.reset_attributes(reset)
            self.client.update_item(
                TableName=self.customers,
                Key=key(keys.customer(requester.uuid)),
                UpdateExpression=f"SET {', '.join(f'{name} = :{name}' for name in fields)} ADD #version :one",
                ConditionExpression="#version = :expected_version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={f":{name}": value for name, value in fields.items()}
                | {":expected_version": target["version"], ":one": n(1)},
            )

        return run

    def reset_password(self) -> Action:
        resetter = self.password_resetter
        presented = recovery.token_hash(self.world.reset_token(resetter))

        def run() -> None:
            hashed = self._hash()
            current = self._get(keys.customer(resetter.uuid))
            hmac.compare_digest(current["reset_hash"]["S"], presented)  # the token checked, as the handler does
            # The token spent, the password set, every session ended (the epoch): one put.
            kept = {name: value for name, value in current.items() if not name.startswith("reset_")}
            version, epoch = int(current["version"]["N"]), int(current["session_epoch"]["N"])
            changed = kept | {"password_hash": s(hashed), "version": n(version + 1), "session_epoch": n(epoch + 1)}
            self.client.put_item(
                TableName=self.customers,
                Item=changed,
                ConditionExpression="#version = :expected_version",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":expected_version": n(version)},
            )
            self._sweep(PrincipalKind.CUSTOMER, resetter.uuid)

        return run

    # --- customer groups

    def list_groups(self) -> Action:
        def run() -> None:
            self._authenticate_admin()
            # Every group is in one partition of the listing index: one query answers them all.
            self.client.query(
                TableName=self.customers,
                IndexName=keys.LISTING_INDEX,
                KeyConditionExpression="list_pk = :groups",
                ExpressionAttributeValues={":groups": s(keys.GROUPS_LISTING)},
            )

        return run

    def create_group(self) -> Action:
        now = clock.timestamp()
        shaped = codecs.group_item(CustomerGroup(0, uuid.uuid4().hex, "Wholesale", now, now))

        def run() -> None:
            self._authenticate_admin()
            counted = self.client.update_item(
                TableName=self.customers,
                Key=key(keys.GROUP_COUNTER),
                UpdateExpression="SET last_id = if_not_exists(last_id, :default) + :one",
                ExpressionAttributeValues={":default": n(DEFAULT_GROUP_ID), ":one": n(1)},
                ReturnValues="UPDATED_NEW",
            )
            group_id = int(counted["Attributes"]["last_id"]["N"])
            ids = key(keys.group(group_id)) | listing(*keys.group_listing(group_id)) | {"group_id": n(group_id)}
            self.client.put_item(TableName=self.customers, Item=shaped | ids, **_ONLY_IF_NEW)

        return run

    def rename_group(self) -> Action:
        def run() -> None:
            self._authenticate_admin()
            # An update, not a put: the count of the group's customers stays as it is.
            self.client.update_item(
                TableName=self.customers,
                Key=key(keys.group(self.group.group_id)),
                UpdateExpression="SET group_name = :name, updated_at = :at",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":name": s("Trade"), ":at": s(clock.timestamp())},
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )

        return run

    def delete_group(self) -> Action:
        doomed = keys.group(self.world.new_group().group_id)

        def run() -> None:
            self._authenticate_admin()
            self.client.delete_item(
                TableName=self.customers,
                Key=key(doomed),
                ConditionExpression="attribute_exists(pk) AND members = :none",
                ExpressionAttributeValues={":none": n(0)},
                ReturnValues="ALL_OLD",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )

        return run

    # --- address books: the admin's on a customer's, and a customer's on its own

    def list_customer_addresses(self) -> Action:
        self.world.address_book(self.address_owner, BOOK_SIZE)
        return self._listing(self._admin_reading_book(self.address_owner.uuid))

    def add_customer_address(self) -> Action:
        return self._adding(self._admin_reading_book(self.address_owner.uuid), self.address_owner)

    def update_customer_address(self) -> Action:
        return self._updating(self._admin_reading_book(self.address_owner.uuid), self.address_owner)

    def delete_customer_address(self) -> Action:
        return self._deleting(self._admin_reading_book(self.address_owner.uuid), self.address_owner)

    def list_own_addresses(self) -> Action:
        self.world.address_book(self.address_keeper, BOOK_SIZE)
        return self._listing(self._keeper_reading_book())

    def add_own_address(self) -> Action:
        return self._adding(self._keeper_reading_book(), self.address_keeper)

    def update_own_address(self) -> Action:
        return self._updating(self._keeper_reading_book(), self.address_keeper)

    def delete_own_address(self) -> Action:
        return self._deleting(self._keeper_reading_book(), self.address_keeper)
