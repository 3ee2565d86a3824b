"""The endpoints measured: one realistic request each, its floor, and the fewest DynamoDB round
trips the table layout allows it, with why."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable
from typing import Any

from bench.floors import Action, Floor
from bench.world import ADMIN_EMAIL, PASSWORD, World
from local import runtime


@dataclasses.dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: dict[str, Any] | None = None
    token: str | None = None

    def event(self) -> tuple[str, dict[str, Any]]:
        """The function serving it and its API Gateway event."""
        found = runtime.match(self.method, self.path)
        if found is None:
            raise SystemExit(f"no function serves {self.method} {self.path}")
        headers = {"content-type": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        body = json.dumps(self.body) if self.body is not None else None
        event = runtime.http_api_event(
            self.method, self.path, route=found.route, path_parameters=found.path_parameters, headers=headers, body=body
        )
        return found.function.name, event


def _create_customer(world: World) -> Request:
    email = f"new-{uuid.uuid4().hex[:12]}@shop.example.com"
    body = {"email": email, "password": PASSWORD, "full_name": "New Customer"}
    return Request("POST", "/api/customers", body, world.admin_token)


def _rename_customer(world: World) -> Request:
    body = {"full_name": f"Jane {uuid.uuid4().hex[:6]}"}
    return Request("PATCH", f"/api/customers/{world.customer.uuid}", body, world.admin_token)


def _change_password(world: World) -> Request:
    return Request("PATCH", f"/api/customers/{world.customer.uuid}", {"password": PASSWORD}, world.admin_token)


def _delete_customer(world: World) -> Request:
    return Request("DELETE", f"/api/customers/{world.new_customer().uuid}", token=world.admin_token)


def _customer_login(world: World) -> Request:
    return Request("POST", "/api/customers/sessions", {"email": world.customer.email, "password": PASSWORD})


def _customer_logout(world: World) -> Request:
    token, sid = world.customer_session(world.customer)
    return Request("DELETE", f"/api/customers/sessions/{sid}", token=token)


def _admin_tokens(world: World) -> Request:
    return Request("POST", "/api/user/tokens", {"email": ADMIN_EMAIL, "password": PASSWORD})


def _admin_login(world: World) -> Request:
    return Request("POST", "/api/user/sessions", {"email": ADMIN_EMAIL, "password": PASSWORD})


def _admin_logout(world: World) -> Request:
    token, sid = world.admin_session()
    return Request("DELETE", f"/api/user/sessions/{sid}", token=token)


@dataclasses.dataclass(frozen=True)
class Endpoint:
    label: str
    request: Callable[[World], Request]  # a new one for every run
    floor: Callable[[Floor], Action]
    bcrypt: bool
    minimum: int  # DynamoDB round trips the data model allows at least
    why: str

    def check(self, reply: dict[str, Any]) -> None:
        """Every measured request must succeed: a failing one would measure something else."""
        if reply["statusCode"] != 200:
            raise SystemExit(f"{self.label} answered {reply['statusCode']}: {reply['body']}")


ENDPOINTS = [
    Endpoint(
        "POST /api/customers",
        _create_customer,
        Floor.create_customer,
        True,
        3,
        "auth (session + admin, one BatchGetItem); the next customer_id (an atomic counter: a "
        "transaction cannot return it); customer + email claim (one transaction)",
    ),
    Endpoint(
        "PATCH /api/customers/{id} (name)",
        _rename_customer,
        Floor.rename_customer,
        False,
        2,
        "auth; one conditional UpdateItem returning the new item would do for fields other than "
        "email and password (see below)",
    ),
    Endpoint(
        "PATCH /api/customers/{id} (password)",
        _change_password,
        Floor.change_password,
        True,
        4,
        "auth; read (the epoch to bump, the view to answer); conditional put; the by_owner query "
        "that finds session items to sweep (+1 TransactWriteItems deleting at most SWEEP_LIMIT of them)",
    ),
    Endpoint(
        "DELETE /api/customers/{id}",
        _delete_customer,
        Floor.delete_customer,
        False,
        4,
        "auth; read (its email: the claim to free, and the answer's view); customer + claim "
        "deleted in one transaction; the sweep query (+1 TransactWriteItems if it finds sessions)",
    ),
    Endpoint(
        "POST /api/customers/sessions",
        _customer_login,
        Floor.customer_login,
        True,
        4,
        "claim + attempt counter (one BatchGetItem); the customer the claim points to; the "
        "password check counted before it is made (a conditional UpdateItem: parallel guesses "
        "cannot pass the limit); session + login counted on the customer (one transaction)",
    ),
    Endpoint(
        "DELETE /api/customers/sessions/{sid}",
        _customer_logout,
        Floor.customer_logout,
        False,
        2,
        "auth (session + customer, one BatchGetItem: the caller's own session, the usual one to end, is read "
        "there); the conditional delete",
    ),
    Endpoint(
        "POST /api/user/tokens",
        _admin_tokens,
        Floor.admin_login,
        True,
        3,
        "admin + attempt counter (one BatchGetItem: admins are keyed by email); the check counted "
        "(UpdateItem); session + login counted on the admin (one transaction)",
    ),
    Endpoint(
        "POST /api/user/sessions",
        _admin_login,
        Floor.admin_login,
        True,
        3,
        "as POST /api/user/tokens",
    ),
    Endpoint(
        "DELETE /api/user/sessions/{sid}",
        _admin_logout,
        Floor.admin_logout,
        False,
        2,
        "auth (session + admin, one BatchGetItem: the caller's own session is read there); the conditional delete",
    ),
]

# The request each function answers first when cold.
COLD_REQUEST = {
    "CreateCustomerFunction": _create_customer,
    "UpdateCustomerFunction": _rename_customer,
    "DeleteCustomerFunction": _delete_customer,
    "CreateSessionFunction": _customer_login,
    "DeleteSessionsFunction": _customer_logout,
    "CreateAdminTokenFunction": _admin_tokens,
    "CreateAdminSessionFunction": _admin_login,
    "DeleteAdminSessionFunction": _admin_logout,
}
