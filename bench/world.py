"""The world the benchmark runs in: AWS as a moto server in this process, reached over HTTP through
`AWS_ENDPOINT_URL`, with the template's tables, secrets and configuration (bcrypt cost included);
and in it an admin, customers and sessions, made straight through the layer (fast)."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterator

import bcrypt
import boto3
from moto.server import ThreadedMotoServer

from customer_api import store
from customer_api.core.records import AdminUser, Customer, PrincipalKind, Session
from customer_api.core.settings import settings
from customer_api.domain import tokens
from customer_api.domain.admins import create_admin
from local import template

ADMIN_EMAIL = "admin@shop.example.com"
PASSWORD = "bench-password-1"  # every customer's and the admin's


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


@contextlib.contextmanager
def moto_aws() -> Iterator[None]:
    """A moto server with the template's tables and secrets, while the block runs. Enter it
    before anything reads the layer's settings or makes a boto3 client."""
    port = _free_port()
    _configure(port)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto server's access log
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        template.create_tables(boto3.client("dynamodb"))
        template.create_secrets(boto3.client("secretsmanager"))
        yield
    finally:
        server.stop()


@dataclasses.dataclass
class World:
    admin: AdminUser
    password_hash: str  # PASSWORD's, at the template's cost
    admin_token: str = dataclasses.field(init=False)
    customer: Customer = dataclasses.field(init=False)  # the one the updates and logins are about

    def __post_init__(self) -> None:
        self.admin_token = self.admin_session()[0]
        self.customer = self.new_customer()

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

    def admin_session(self) -> tuple[str, str]:
        """The admin's (token, sid) of a new session."""
        lifetime = settings().admin_session_seconds
        session = _open(PrincipalKind.ADMIN, self.admin.email_key, self.admin.session_epoch, lifetime)
        claims = {"user": self.admin.token_claims(), "sid": session.sid}
        return tokens.issue(tokens.ADMIN, claims, lifetime), session.sid


def _open(kind: PrincipalKind, principal: str, epoch: int, lifetime: int) -> Session:
    session = Session(str(uuid.uuid4()), kind, principal, epoch, int(time.time()) + lifetime)
    store.active().open_session(session, clear_failures_of=None)
    return session


def make_world() -> World:
    """The admin (through the project's own command's use case), the customer and an admin token."""
    admin = create_admin(ADMIN_EMAIL, PASSWORD, "Shop Admin")
    password_hash = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(settings().bcrypt_rounds)).decode()
    return World(admin, password_hash)
