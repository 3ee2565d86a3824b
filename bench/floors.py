"""The floors: what each request costs at least, given the DynamoDB calls it needs and its bcrypt
work. The same calls as the handler's, in the same order (`round_trips` checks it), made directly
with a boto3 client, on items keyed and shaped as the layer keys and shapes them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import bcrypt
import boto3

from bench.stats import median
from bench.world import PASSWORD, World
from customer_api.core.records import PrincipalKind, Session
from customer_api.core.settings import settings
from customer_api.store import codecs, keys
from customer_api.store.codecs import key, n, s

Action = Callable[[], None]  # the timed part of a floor

_ONLY_IF_NEW = {"ConditionExpression": "attribute_not_exists(pk)"}
_ONLY_IF_EXISTS = {"ConditionExpression": "attribute_exists(pk)"}
_FLOOR_SESSION_SECONDS = 3600


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

    # --- the calls the requests are made of

    def _consistent(self, pks_by_table: dict[str, list[str]]) -> None:
        request = {
            table: {"Keys": [key(pk) for pk in pks], "ConsistentRead": True} for table, pks in pks_by_table.items()
        }
        self.client.batch_get_item(RequestItems=request)

    def _authenticate_admin(self) -> None:
        admin = keys.admin(self.world.admin.email_key)
        self._consistent({self.sessions: [keys.session(self.admin_sid)], self.customers: [admin]})

    def _hash(self) -> None:
        bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(self.rounds))

    def _check(self) -> None:
        bcrypt.checkpw(PASSWORD.encode(), self.world.password_hash.encode())

    def _get(self, pk: str) -> None:
        self.client.get_item(TableName=self.customers, Key=key(pk), ConsistentRead=True)

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

    def _open_session(self, kind: PrincipalKind, principal: str) -> None:
        session = Session(str(uuid.uuid4()), kind, principal, 0, int(time.time()) + _FLOOR_SESSION_SECONDS)
        owner = key(keys.principal(kind, principal))
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
            ]
        )

    def _sweep(self, kind: PrincipalKind, principal: str) -> None:
        self.client.query(
            TableName=self.sessions,
            IndexName=keys.OWNER_INDEX,
            KeyConditionExpression="#owner = :owner",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={":owner": s(keys.principal(kind, principal))},
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
            self._consistent({self.sessions: [keys.session(sid)], self.customers: [keys.principal(kind, principal)]})
            self.client.transact_write_items(
                TransactItems=[{"Delete": {"TableName": self.sessions, "Key": key(keys.session(sid)), **owned}}]
            )

        return run

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
        return self._update

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
            self._open_session(PrincipalKind.CUSTOMER, self.customer.uuid)

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
            self._open_session(PrincipalKind.ADMIN, email_key)

        return run

    def admin_logout(self) -> Action:
        sid = self.world.admin_session()[1]
        return self._logout(PrincipalKind.ADMIN, self.world.admin.email_key, sid)
