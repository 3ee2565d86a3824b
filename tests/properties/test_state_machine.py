"""Random sequences of creates, updates, deletes, logins and logouts through the real handlers,
checked after every step against a small model of what the contract promises (emails unique
whatever their letter case, which customers exist, which tokens still work) and against the
storage invariants."""

from __future__ import annotations

import base64
import dataclasses
import os
import time
import uuid
from typing import Any

import boto3
import jwt
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from customer_api.core.records import email_key
from customer_api.core.settings import settings as service_settings
from customer_api.domain.recovery import encryption_context
from customer_api.store import client, keys
from tests.support import DYNAMODB_LOCAL, Api, Reply
from tests.support.invariants import Tables, assert_invariants, read_tables

# A few addresses in several letter cases, so that collisions are common.
EMAILS = st.sampled_from(["ann@shop.example.com", "bob@shop.example.com", "cy@shop.example.com"]).flatmap(
    lambda email: st.sampled_from([email, email.upper(), email.capitalize()])
)
PASSWORDS = st.sampled_from(["secret-1", "secret-2"])
UNKNOWN_SID = "00000000-0000-4000-8000-000000000000"


def mailed_token(customer_uuid: str) -> str:
    """The customer's pending reset token, decrypted from the item as the shop's mailer would
    decrypt it from the event."""
    item = client.dynamodb().get_item(
        TableName=service_settings().customers_table, Key={"pk": {"S": keys.customer(customer_uuid)}}
    )["Item"]
    plaintext = boto3.client("kms").decrypt(
        CiphertextBlob=base64.b64decode(item["reset_token_ciphertext"]["S"]),
        EncryptionContext=encryption_context(customer_uuid),
    )["Plaintext"]
    return str(plaintext.decode())


def forget_everything_but_admins() -> None:
    """Empty both tables but for the admins and their sessions: a fresh world per example
    (a new moto context with tables costs half a second; this costs a few milliseconds)."""
    tables = read_tables()
    dynamodb = client.dynamodb()
    for table, items, keep in (
        (service_settings().customers_table, tables.customers_table, "pk"),
        (service_settings().sessions_table, tables.sessions_table, "owner"),
    ):
        doomed = [
            {"pk": item["pk"]} for item in items if not item.get(keep, {}).get("S", "").startswith(keys.ADMIN_PREFIX)
        ]
        for start in range(0, len(doomed), 25):
            requests = [{"DeleteRequest": {"Key": key}} for key in doomed[start : start + 25]]
            dynamodb.batch_write_item(RequestItems={table: requests})


@dataclasses.dataclass
class ModelCustomer:
    email: str
    password: str
    status: int = 1
    deleted: bool = False
    group_id: int = 1
    addresses: list[str] = dataclasses.field(default_factory=list)  # uuids, oldest first
    default_address: str | None = None


ADDRESS = {
    "full_name": "Jo",
    "telephone": "+1 555 0100",
    "address_1": "1 Main Street",
    "city": "Springfield",
    "country": "US",
    "postcode": "90000",
}


@dataclasses.dataclass
class ResetToken:
    token: str
    customer_uuid: str
    pending: bool = True  # the customer's latest, unspent, not voided by another password change


@dataclasses.dataclass
class ModelToken:
    token: str
    sid: str
    customer_uuid: str
    live: bool = True


class CustomerService(RuleBasedStateMachine):
    def __init__(self, admin_token: str) -> None:
        super().__init__()
        forget_everything_but_admins()
        self.api = Api()
        self.admin_token = admin_token
        self.customers: dict[str, ModelCustomer] = {}  # by uuid, deleted ones kept
        self.tokens: list[ModelToken] = []
        self.failures: dict[str, int] = {}  # failed logins by email key
        self.groups: set[int] = set()  # groups created and not deleted (besides Default)
        self.reset_requests: dict[str, int] = {}  # reset requests by email key (all in one window)
        self.reset_tokens: list[ResetToken] = []

    # --- the model's questions ----------------------------------------------------------

    def _owner_of(self, email: str) -> str | None:
        key = email_key(email)
        found = [uuid_ for uuid_, c in self.customers.items() if not c.deleted and email_key(c.email) == key]
        assert len(found) <= 1
        return found[0] if found else None

    def _pick(self, index: int) -> str:
        """A known customer (deleted ones included), or an id that never existed."""
        known = list(self.customers)
        return known[index % len(known)] if known and index < 9 else uuid.uuid4().hex

    def _end_sessions_of(self, customer_uuid: str) -> None:
        for token in self.tokens:
            if token.customer_uuid == customer_uuid:
                token.live = False

    def _void_resets_of(self, customer_uuid: str) -> None:
        for reset in self.reset_tokens:
            if reset.customer_uuid == customer_uuid:
                reset.pending = False

    def _admin(self, method: str, path: str, body: Any = None) -> Reply:
        return self.api.call(method, path, body, token=self.admin_token)

    def _update(self, customer_uuid: str, changes: dict[str, Any]) -> Reply | None:
        """PATCH and check the common outcomes; the reply when the update was applied."""
        reply = self._admin("PATCH", f"/api/customers/{customer_uuid}", changes)
        customer = self.customers.get(customer_uuid)
        if customer is None or customer.deleted:
            assert reply.status == 404, reply.body
            return None
        owner = self._owner_of(changes["email"]) if "email" in changes else None
        if owner not in (None, customer_uuid):
            assert reply.status == 409, reply.body
            return None
        assert reply.status == 200, reply.body
        return reply

    # --- rules ----------------------------------------------------------------------------

    @initialize(emails=st.lists(EMAILS, min_size=1, max_size=3), password=PASSWORDS)
    def some_customers(self, emails: list[str], password: str) -> None:
        """Start with customers, so that short sequences already reach logins and changes."""
        for email in emails:
            self.create(email, password)

    @rule(email=EMAILS, password=PASSWORDS)
    def create(self, email: str, password: str) -> None:
        reply = self._admin("POST", "/api/customers", {"email": email, "password": password, "full_name": "Jo"})
        if self._owner_of(email) is not None:
            assert reply.status == 409, reply.body
            return
        assert reply.status == 200, reply.body
        self.customers[reply.data["uuid"]] = ModelCustomer(email, password)

    @rule(index=st.integers(0, 9), email=EMAILS)
    def change_email(self, index: int, email: str) -> None:
        customer_uuid = self._pick(index)
        if self._update(customer_uuid, {"email": email}):
            self.customers[customer_uuid].email = email

    @rule(index=st.integers(0, 9), password=PASSWORDS)
    def change_password(self, index: int, password: str) -> None:
        customer_uuid = self._pick(index)
        if self._update(customer_uuid, {"password": password}):
            self.customers[customer_uuid].password = password
            self._end_sessions_of(customer_uuid)
            self._void_resets_of(customer_uuid)

    @rule(index=st.integers(0, 9), name=st.sampled_from(["Ann", "  Bob  "]))
    def change_name(self, index: int, name: str) -> None:
        reply = self._update(self._pick(index), {"full_name": name})
        if reply:
            assert reply.data["full_name"] == name.strip()

    @rule(index=st.integers(0, 9), status=st.sampled_from([0, 1, "0", "1"]))
    def change_status(self, index: int, status: int | str) -> None:
        customer_uuid = self._pick(index)
        if self._update(customer_uuid, {"status": status}):
            self.customers[customer_uuid].status = int(status)
            if int(status) == 0:
                self._end_sessions_of(customer_uuid)

    @rule(index=st.integers(0, 9))
    def delete(self, index: int) -> None:
        customer_uuid = self._pick(index)
        reply = self._admin("DELETE", f"/api/customers/{customer_uuid}")
        customer = self.customers.get(customer_uuid)
        if customer is None or customer.deleted:
            assert reply.status == 404, reply.body
            return
        assert reply.status == 200, reply.body
        customer.deleted = True
        self._end_sessions_of(customer_uuid)
        self._void_resets_of(customer_uuid)

    def _log_in(self, email: str, password: str, path: str = "/api/customers/sessions") -> Reply:
        reply = self.api.post(path, {"email": email, "password": password})
        key = email_key(email)
        if self.failures.get(key, 0) >= service_settings().login_max_failures:
            assert reply.status == 429, reply.body
            return reply
        owner = self._owner_of(email)
        customer = self.customers[owner] if owner else None
        if customer is None or customer.password != password or customer.status != 1:
            assert reply.status == 400, reply.body
            assert reply.error["message"] == "Invalid email or password"
            self.failures[key] = self.failures.get(key, 0) + 1
            return reply
        assert reply.status == 200, reply.body
        self.failures.pop(key, None)
        assert owner is not None
        token = reply.data.get("token") or reply.data["accessToken"]
        sid = reply.data.get("sid") or jwt.decode(token, options={"verify_signature": False})["sid"]
        self.tokens.append(ModelToken(token, sid, owner))
        return reply

    @rule(index=st.integers(0, 9), upper=st.booleans())
    def log_in(self, index: int, upper: bool) -> None:
        customer = self.customers.get(self._pick(index))
        if customer is not None:
            self._log_in(customer.email.upper() if upper else customer.email, customer.password)

    @rule(email=EMAILS, password=PASSWORDS, as_evershop_2=st.booleans())
    def log_in_with_any_credentials(self, email: str, password: str, as_evershop_2: bool) -> None:
        self._log_in(email, password, "/api/customer/tokens" if as_evershop_2 else "/api/customers/sessions")

    @rule(index=st.integers(0, 9))
    def read_customer(self, index: int) -> None:
        customer_uuid = self._pick(index)
        reply = self._admin("GET", f"/api/customers/{customer_uuid}")
        customer = self.customers.get(customer_uuid)
        if customer is None or customer.deleted:
            assert reply.status == 404, reply.body
            return
        assert reply.status == 200, reply.body
        assert (reply.data["email"], reply.data["status"]) == (customer.email.strip(), customer.status)

    @rule(email=EMAILS)
    def find_by_email(self, email: str) -> None:
        reply = self._admin("GET", f"/api/customers?email={email}")
        assert reply.status == 200, reply.body
        owner = self._owner_of(email)
        assert [item["uuid"] for item in reply.data["items"]] == ([owner] if owner else [])

    @rule(limit=st.integers(1, 4), prefix=st.sampled_from(["", "a", "B", "cy@"]))
    def list_every_page(self, limit: int, prefix: str) -> None:
        """Every live customer once, newest first (or in address order under a prefix)."""
        listed: list[str] = []
        query = f"limit={limit}" + (f"&email_prefix={prefix}" if prefix else "")
        cursor = None
        for _ in range(50):
            reply = self._admin("GET", f"/api/customers?{query}" + (f"&cursor={cursor}" if cursor else ""))
            assert reply.status == 200, reply.body
            listed += [item["uuid"] for item in reply.data["items"]]
            cursor = reply.data["next_cursor"]
            if cursor is None:
                break
        live = {
            uuid_
            for uuid_, c in self.customers.items()
            if not c.deleted and email_key(c.email).startswith(prefix.lower())
        }
        assert sorted(listed) == sorted(live)

    def _a_token(self, index: int) -> ModelToken | None:
        return self.tokens[index % len(self.tokens)] if self.tokens else None

    @rule(index=st.integers(0, 9))
    def read_own_account(self, index: int) -> None:
        token = self._a_token(index)
        if token is None:
            return
        reply = self.api.call("GET", "/api/customers/me", token=token.token)
        if not token.live:
            assert reply.status == 401, reply.body
            return
        assert reply.status == 200, reply.body
        assert reply.data["email"] == self.customers[token.customer_uuid].email.strip()

    @rule(index=st.integers(0, 9), password=PASSWORDS)
    def change_own_password(self, index: int, password: str) -> None:
        token = self._a_token(index)
        if token is None:
            return
        customer = self.customers[token.customer_uuid]
        change = {"current_password": customer.password, "new_password": password}
        reply = self.api.post("/api/customers/me/password", change, token=token.token)
        if not token.live:
            assert reply.status == 401, reply.body
            return
        key = email_key(customer.email)
        if self.failures.get(key, 0) >= service_settings().login_max_failures:
            assert reply.status == 429, reply.body
            return
        assert reply.status == 200, reply.body
        customer.password = password
        self.failures.pop(key, None)
        self._end_sessions_of(token.customer_uuid)
        self._void_resets_of(token.customer_uuid)
        self.tokens.append(ModelToken(reply.data["token"], reply.data["sid"], token.customer_uuid))

    @rule(index=st.integers(0, 9))
    def log_out(self, index: int) -> None:
        if not self.tokens:
            return
        token = self.tokens[index % len(self.tokens)]
        reply = self.api.delete(f"/api/customers/sessions/{token.sid}", token=token.token)
        assert reply.status == (200 if token.live else 401), reply.body
        token.live = False

    @rule(index=st.integers(0, 9))
    def use_a_token(self, index: int) -> None:
        """A live token gets past authentication (then 404: no such session); a dead one is a 401."""
        if not self.tokens:
            return
        token = self.tokens[index % len(self.tokens)]
        reply = self.api.delete(f"/api/customers/sessions/{UNKNOWN_SID}", token=token.token)
        assert reply.status == (404 if token.live else 401), reply.body

    @rule(index=st.integers(0, 9), make_default=st.booleans())
    def add_address(self, index: int, make_default: bool) -> None:
        customer_uuid = self._pick(index)
        body = {**ADDRESS, "is_default": make_default}
        reply = self._admin("POST", f"/api/customers/{customer_uuid}/addresses", body)
        customer = self.customers.get(customer_uuid)
        if customer is None or customer.deleted:
            assert reply.status == 404, reply.body
            return
        if len(customer.addresses) >= 20:
            assert reply.status == 400, reply.body
            return
        assert reply.status == 200, reply.body
        customer.addresses.append(reply.data["uuid"])
        if make_default or customer.default_address is None:
            customer.default_address = reply.data["uuid"]
        assert reply.data["is_default"] == (customer.default_address == reply.data["uuid"])

    @rule(index=st.integers(0, 9), which=st.integers(0, 3))
    def delete_an_address(self, index: int, which: int) -> None:
        customer = self.customers.get(self._pick(index))
        if customer is None or customer.deleted or not customer.addresses:
            return
        customer_uuid = next(u for u, c in self.customers.items() if c is customer)
        doomed = customer.addresses[which % len(customer.addresses)]
        reply = self._admin("DELETE", f"/api/customers/{customer_uuid}/addresses/{doomed}")
        assert reply.status == 200, reply.body
        customer.addresses.remove(doomed)
        if customer.default_address == doomed:
            customer.default_address = customer.addresses[0] if customer.addresses else None

    @rule(index=st.integers(0, 9))
    def list_addresses(self, index: int) -> None:
        customer_uuid = self._pick(index)
        reply = self._admin("GET", f"/api/customers/{customer_uuid}/addresses")
        customer = self.customers.get(customer_uuid)
        if customer is None or customer.deleted:
            assert reply.status == 404, reply.body
            return
        listed = [(item["uuid"], item["is_default"]) for item in reply.data["items"]]
        expected = [(customer.default_address, True)] if customer.default_address else []
        expected += [(a, False) for a in customer.addresses if a != customer.default_address]
        assert sorted(listed) == sorted(expected)
        assert listed[:1] == expected[:1]  # the default first

    @rule()
    def create_group(self) -> None:
        reply = self._admin("POST", "/api/customer-groups", {"group_name": "Group"})
        assert reply.status == 200, reply.body
        self.groups.add(reply.data["group_id"])

    @rule(index=st.integers(0, 9), group_id=st.integers(1, 4))
    def move_to_group(self, index: int, group_id: int) -> None:
        customer_uuid = self._pick(index)
        reply = self._admin("PATCH", f"/api/customers/{customer_uuid}", {"group_id": group_id})
        customer = self.customers.get(customer_uuid)
        if customer is None or customer.deleted:
            assert reply.status == 404, reply.body
        elif group_id != 1 and group_id not in self.groups:
            assert reply.status == 400, reply.body
        else:
            assert reply.status == 200, reply.body
            customer.group_id = group_id

    @rule(group_id=st.integers(1, 4))
    def delete_group(self, group_id: int) -> None:
        reply = self._admin("DELETE", f"/api/customer-groups/{group_id}")
        in_use = any(not c.deleted and c.group_id == group_id for c in self.customers.values())
        if group_id == 1:
            assert reply.status == 400, reply.body
        elif group_id not in self.groups:
            assert reply.status == 404, reply.body
        elif in_use:
            assert reply.status == 409, reply.body
        else:
            assert reply.status == 200, reply.body
            self.groups.discard(group_id)

    @rule(email=EMAILS)
    def ask_for_a_reset(self, email: str) -> None:
        """200 for any email until its 4th request (429); an enabled customer's older token is
        replaced by a new one (read here from the item's ciphertext, as the mailer decrypts it)."""
        key = email_key(email)
        reply = self.api.post("/api/customers/reset-password", {"email": email})
        self.reset_requests[key] = self.reset_requests.get(key, 0) + 1
        if self.reset_requests[key] > service_settings().reset_max_requests:
            assert reply.status == 429, reply.body
            return
        assert (reply.status, reply.body) == (200, {"data": {}})
        owner = self._owner_of(email)
        if owner is None or self.customers[owner].status != 1:
            return
        self._void_resets_of(owner)
        self.reset_tokens.append(ResetToken(mailed_token(owner), owner))

    @rule(index=st.integers(0, 9), password=PASSWORDS)
    def reset_the_password(self, index: int, password: str) -> None:
        """Only a customer's pending token works, once, while the customer is enabled."""
        if not self.reset_tokens:
            return
        reset = self.reset_tokens[index % len(self.reset_tokens)]
        reply = self.api.post("/api/customers/password", {"token": reset.token, "password": password})
        customer = self.customers[reset.customer_uuid]
        if not reset.pending or customer.deleted or customer.status != 1:
            assert (reply.status, reply.error["message"]) == (400, "Token is invalid or expired"), reply.body
            return
        assert (reply.status, reply.body) == (200, {"data": {}})
        customer.password = password
        reset.pending = False
        self._end_sessions_of(reset.customer_uuid)

    # --- after every step -------------------------------------------------------------------

    @invariant()
    def storage_agrees_with_the_model(self) -> None:
        tables = read_tables()
        assert_invariants(tables)
        self._stored_customers_are_the_models(tables)
        self._stored_live_sessions_are_the_models_live_tokens(tables)

    def _stored_customers_are_the_models(self, tables: Tables) -> None:
        stored = {
            customer_uuid: (item["email"]["S"], int(item["status"]["N"]))
            for customer_uuid, item in tables.customers.items()
        }
        expected = {
            uuid_: (customer.email.strip(), customer.status)
            for uuid_, customer in self.customers.items()
            if not customer.deleted
        }
        assert stored == expected

    def _stored_live_sessions_are_the_models_live_tokens(self, tables: Tables) -> None:
        # Checked on the tables (cheap, every step); use_a_token checks it with real requests.
        now = time.time()
        customers = tables.customers
        stored_live = set()
        for item in tables.sessions_table:
            owner = customers.get(item.get("owner", {}).get("S", "").removeprefix(keys.CUSTOMER_PREFIX))
            if owner is None or int(item["expires_at"]["N"]) <= now or owner["status"]["N"] != "1":
                continue
            if item["epoch"]["N"] == owner["session_epoch"]["N"]:
                stored_live.add(keys.sid_of(item["pk"]["S"]))
        assert stored_live == {token.sid for token in self.tokens if token.live}


@pytest.mark.parametrize("aws", [DYNAMODB_LOCAL], indirect=True)
def test_any_sequence_of_requests_keeps_the_contracts_promises(admin_token: str) -> None:
    # On DynamoDB Local, AWS's own engine: moto copies whole tables (their streams too) for every
    # item of every transaction, which made 100 sequences of up to 10 steps take minutes there;
    # on DynamoDB Local they take under a minute. `make fuzz` runs 1000.
    run_state_machine_as_test(
        lambda: CustomerService(admin_token),
        settings=settings(
            max_examples=int(os.environ.get("STATE_MACHINE_EXAMPLES", "100")),
            stateful_step_count=10,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
