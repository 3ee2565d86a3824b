"""The world the benchmark runs in: AWS as a moto server in this process, reached over HTTP through
`AWS_ENDPOINT_URL`, with the template's tables, secrets and configuration (bcrypt cost included);
and in it an admin, customers and sessions, made straight through the layer (fast), and for the
listings a shop of many more customers, written in batches."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import bcrypt
import boto3
from moto.server import ThreadedMotoServer

from customer_api import store
from customer_api.core import clock
from customer_api.core.records import (
    DEFAULT_GROUP_ID,
    Address,
    AddressBook,
    AdminUser,
    Customer,
    CustomerGroup,
    PasswordReset,
    PrincipalKind,
    Session,
)
from customer_api.core.settings import settings
from customer_api.domain import recovery, tokens
from customer_api.domain.address_inputs import GroupChange
from customer_api.domain.admins import create_admin
from customer_api.domain.groups import create_group
from customer_api.store import codecs, keys
from customer_api.store.client import dynamodb
from customer_api.store.codecs import key, n
from local import template

ADMIN_EMAIL = "admin@shop.example.com"
PASSWORD = "bench-password-1"  # every customer's and the admin's
# Customers added for the listings (World.full_shop): enough that each of the LIST_SHARDS shards
# holds more than the worst page reads from it (limit + 1 = 101 items), 150 on average.
SHOP_SIZE = 1200
# An admin's search: about one in 16 of the shop's emails (customer-<hex>@...), more than a page.
EMAIL_PREFIX = "customer-a"
DEVICES = 3  # the sessions of the customer whose own sessions are listed
# An address's fields as a client sends them: the body of the address requests, the new addresses.
ADDRESS = {
    "full_name": "Jane Doe",
    "telephone": "+1 555 0100",
    "address_1": "10 Main Street",
    "city": "Springfield",
    "province": "US-CA",
    "country": "US",
    "postcode": "90000",
}
_BATCH_WRITE_ITEMS = 25  # BatchWriteItem's most


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _configure(port: int) -> None:
    """This process's environment (the cold processes inherit it): AWS at the moto server, and
    the functions' configuration from the template."""
    os.environ.update(
        {
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        }
    )
    for function in template.functions():
        os.environ.update(function.environment)  # the template's defaults: BCRYPT_ROUNDS=12
    # One customer logs in hundreds of times here, and the sessions made before the runs must
    # stay live; so must the email's attempt count stay under its limit (each success zeroes it).
    os.environ["MAX_SESSIONS"] = "1000000"
    # A reset request's work, not the fixed moment its answer waits for (`make bench-reset`'s subject).
    os.environ["RESET_ANSWER_SECONDS"] = "0"


@contextlib.contextmanager
def moto_aws(dynamodb_endpoint: str | None = None) -> Iterator[None]:
    """A moto server with the template's tables and secrets, while the block runs. Enter it
    before anything reads the layer's settings or makes a boto3 client. With `dynamodb_endpoint`
    (a DynamoDB Local), DynamoDB is that one, and moto plays the other services."""
    port = _free_port()
    _configure(port)
    if dynamodb_endpoint is not None:  # after the template's own (empty) value of it
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = dynamodb_endpoint
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto server's access log
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        # On moto, no streams: moto keeps every record a stream ever had and copies them, with
        # the table, for every transaction, so transactions would slow down (and memory grow by
        # gigabytes) run after run. On AWS the writer does not pay for the stream.
        template.create_tables(boto3.client("dynamodb"), streams=dynamodb_endpoint is not None)
        template.create_secrets(boto3.client("secretsmanager"))
        template.create_keys(boto3.client("kms"))  # the reset tokens'
        yield
    finally:
        server.stop()


@dataclasses.dataclass
class World:
    admin: AdminUser
    password_hash: str  # PASSWORD's, at the template's cost
    admin_token: str = dataclasses.field(init=False)
    customer: Customer = dataclasses.field(init=False)  # the one the updates and logins are about
    # The one the /me reads and renames are about, logged in on DEVICES devices; its token is
    # reused (the sessions listed stay DEVICES), and nothing ends its sessions.
    own_account: Customer = dataclasses.field(init=False)
    own_token: str = dataclasses.field(init=False)
    # The one changing its own password: every change ends its sessions, so it has its own.
    password_changer: Customer = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.admin_token = self.admin_session()[0]
        self.customer = self.new_customer()
        self.own_account = self.new_customer()
        self.own_token = self.customer_session(self.own_account)[0]
        for _ in range(DEVICES - 1):  # its other devices
            self.customer_session(self.own_account)
        self.password_changer = self.new_customer()

    @contextlib.contextmanager
    def full_shop(self) -> Iterator[None]:
        """SHOP_SIZE more customers with their claims while the block runs. Only the listings
        are measured with them: moto copies a whole table for every transaction on it, which
        would slow every other endpoint (and its floor) by tens of milliseconds."""
        client = boto3.client("dynamodb")
        table = settings().customers_table
        counted = client.update_item(
            TableName=table,
            Key=key(keys.COUNTER),
            UpdateExpression="ADD last_id :count",
            ExpressionAttributeValues={":count": n(SHOP_SIZE)},
            ReturnValues="UPDATED_NEW",
        )
        last_id = int(counted["Attributes"]["last_id"]["N"])
        customers = [self.fresh_customer(customer_id) for customer_id in range(last_id - SHOP_SIZE + 1, last_id + 1)]
        items = [codecs.customer_item(customer) for customer in customers]
        items += [codecs.claim_item(customer) for customer in customers]
        # Shaped by the layer's codecs, written in batches: one create at a time through the
        # layer would take half a minute.
        _write_all(client, table, [{"PutRequest": {"Item": item}} for item in items])
        try:
            yield
        finally:
            _write_all(client, table, [{"DeleteRequest": {"Key": key(item["pk"]["S"])}} for item in items])

    def fresh_customer(self, customer_id: int = 0) -> Customer:
        """A customer not stored yet, with a unique uuid and email and PASSWORD."""
        return Customer(
            customer_id=customer_id,
            uuid=uuid.uuid4().hex,
            status=1,
            group_id=1,
            email=f"customer-{uuid.uuid4().hex[:12]}@shop.example.com",
            full_name="Jane Doe",
            password_hash=self.password_hash,
            created_at="2026-01-01 00:00:00",
            updated_at="2026-01-01 00:00:00",
        )

    def new_customer(self) -> Customer:
        """A stored customer, with its email claimed."""
        customer = self.fresh_customer(store.active().next_customer_id())
        store.active().insert_customer(customer)
        return customer

    def customer_session(self, customer: Customer) -> tuple[str, str]:
        """A logged-in customer's (token, sid)."""
        customer = store.active().get_customer(customer.uuid) or customer  # its epoch moves on password changes
        lifetime = settings().customer_token_seconds
        session = _open(PrincipalKind.CUSTOMER, customer.uuid, customer.session_epoch, lifetime)
        claims = {"customer": customer.token_claims(), "sid": session.sid}
        return tokens.issue(tokens.CUSTOMER, claims, lifetime), session.sid

    def open_login_window(self, customer: Customer) -> None:
        """Count one login attempt for the customer's email, as its login did: the checks of
        its password that follow count into a running window."""
        config = settings()
        _, seen = store.active().customer_for_login(customer.email_key)
        store.active().take_login_attempt(
            PrincipalKind.CUSTOMER,
            customer.email_key,
            int(time.time()),
            window_seconds=config.login_failure_window_seconds,
            max_attempts=config.login_max_failures,
            seen=seen,
        )

    def customer_refresh_token(self, customer: Customer) -> str:
        """A refresh token of a new session of the customer, as the token login answers it (the
        edge module that issues them is not imported here: it reads the environment on import)."""
        customer = store.active().get_customer(customer.uuid) or customer
        lifetime = settings().customer_token_seconds
        session = _open(PrincipalKind.CUSTOMER, customer.uuid, customer.session_epoch, lifetime)
        claims = {"customer": {"uuid": customer.uuid}, "sid": session.sid, "gen": session.refresh_gen}
        return tokens.issue(tokens.CUSTOMER_REFRESH, claims, lifetime)

    def admin_session(self) -> tuple[str, str]:
        """The admin's (token, sid) of a new session."""
        lifetime = settings().admin_session_seconds
        session = _open(PrincipalKind.ADMIN, self.admin.email_key, self.admin.session_epoch, lifetime)
        claims = {"user": self.admin.token_claims(), "sid": session.sid}
        return tokens.issue(tokens.ADMIN, claims, lifetime), session.sid

    @functools.cached_property
    def group(self) -> CustomerGroup:
        """The group the renames are about."""
        return self.new_group()

    def new_group(self) -> CustomerGroup:
        """A stored customer group, with no customer in it."""
        return create_group(GroupChange(group_name=f"Group {uuid.uuid4().hex[:8]}"))

    def remove_other_groups(self) -> None:
        """Delete every group but the Default one and the renamed one: the warm creates leave a
        few hundred behind, where a shop has a few."""
        db, keep = store.active(), {DEFAULT_GROUP_ID, self.group.group_id}
        for group in db.list_groups():
            if group.group_id not in keep and not group.members:
                db.delete_group(group.group_id)

    @functools.cached_property
    def address_owner(self) -> Customer:
        """The customer whose address book the admin's address requests are about."""
        return self.new_customer()

    @functools.cached_property
    def address_keeper(self) -> tuple[Customer, str]:
        """The customer keeping its own address book, and its token (reused: nothing ends its
        sessions)."""
        customer = self.new_customer()
        return customer, self.customer_session(customer)[0]

    @functools.cached_property
    def reset_requester(self) -> Customer:
        """The customer asking for password resets."""
        return self.new_customer()

    @functools.cached_property
    def password_resetter(self) -> Customer:
        """The customer setting a new password (PASSWORD again) with a reset token."""
        return self.new_customer()

    @staticmethod
    def forget_reset_requests(customer: Customer) -> None:
        """Delete the count of the customer's reset requests: the next one opens a window, as a
        customer's one request in an hour does (one counted is two UpdateItems: open, then count)."""
        dynamodb().delete_item(TableName=settings().sessions_table, Key=key(keys.reset_requests(customer.email_key)))

    @staticmethod
    def reset_token(customer: Customer) -> str:
        """A new pending reset token of the customer (its mail read), saved as a reset request saves it."""
        db = store.active()
        target = db.reset_target(customer.uuid)
        if target is None:
            raise SystemExit(f"no customer {customer.uuid} to reset")
        token = recovery.new_token(customer.uuid)
        sealed = db.seal(token, recovery.encryption_context(customer.uuid))
        expires_at = int(time.time()) + settings().reset_token_seconds
        db.save_reset(target, PasswordReset(recovery.token_hash(token), expires_at, sealed))
        return token

    @staticmethod
    def new_address(*, is_default: bool = False) -> Address:
        """An address not stored yet, with a unique uuid."""
        now = clock.timestamp()
        return Address(
            uuid=uuid.uuid4().hex, address_2=None, is_default=is_default, created_at=now, updated_at=now, **ADDRESS
        )

    def address_book(self, customer: Customer, size: int) -> AddressBook:
        """The customer's address book made to hold `size` addresses, through the layer: its
        newest dropped, or new ones added (the first of a new book its default); as stored."""
        db = store.active()
        current = db.get_address_book(customer.uuid)
        if len(current.addresses) == size:
            return current
        addresses = list(current.addresses[:size])
        while len(addresses) < size:
            addresses.append(self.new_address(is_default=not addresses))
        return db.save_address_book(customer.uuid, current, AddressBook(tuple(addresses), current.version))


def _write_all(client: Any, table: str, requests: list[dict[str, Any]]) -> None:
    for start in range(0, len(requests), _BATCH_WRITE_ITEMS):
        batch = requests[start : start + _BATCH_WRITE_ITEMS]
        if client.batch_write_item(RequestItems={table: batch}).get("UnprocessedItems"):
            raise SystemExit("moto left a batch of the shop's customers unwritten")


def _open(kind: PrincipalKind, principal: str, epoch: int, lifetime: int) -> Session:
    session = Session(str(uuid.uuid4()), kind, principal, epoch, int(time.time()) + lifetime)
    store.active().open_session(session, clear_failures_of=None)
    return session


def make_world() -> World:
    """The admin (through the project's own command's use case), the customer and an admin token."""
    admin = create_admin(ADMIN_EMAIL, PASSWORD, "Shop Admin")
    password_hash = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(settings().bcrypt_rounds)).decode()
    return World(admin, password_hash)
