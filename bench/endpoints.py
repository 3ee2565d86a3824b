"""The endpoints measured: one realistic request each, its floor, and the fewest DynamoDB round
trips the table layout allows it, with why."""

from __future__ import annotations

import dataclasses
import functools
import json
import uuid
from collections.abc import Callable
from typing import Any

from bench.floors import BOOK_SIZE, Action, Floor
from bench.world import ADDRESS, ADMIN_EMAIL, EMAIL_PREFIX, PASSWORD, World
from customer_api.core.records import Customer
from customer_api.store import keys
from local import runtime


@dataclasses.dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: dict[str, Any] | None = None
    token: str | None = None
    query: str = ""  # the query string, without "?"

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
            self.method,
            self.path,
            route=found.route,
            path_parameters=found.path_parameters,
            headers=headers,
            query=self.query,
            body=body,
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


def _read_customer(world: World) -> Request:
    return Request("GET", f"/api/customers/{world.customer.uuid}", token=world.admin_token)


def _list_page(world: World) -> Request:
    return Request("GET", "/api/customers", token=world.admin_token)


def _list_page_filtered_out(world: World) -> Request:
    # Every customer of the world is enabled: the biggest page's reads, nothing to answer.
    return Request("GET", "/api/customers", token=world.admin_token, query="limit=100&status=0")


def _list_by_email_prefix(world: World) -> Request:
    return Request("GET", "/api/customers", token=world.admin_token, query=f"email_prefix={EMAIL_PREFIX}")


def _read_own_account(world: World) -> Request:
    return Request("GET", "/api/customers/me", token=world.own_token)


def _rename_own_account(world: World) -> Request:
    return Request("PATCH", "/api/customers/me", {"full_name": f"Jo {uuid.uuid4().hex[:6]}"}, world.own_token)


def _change_own_password(world: World) -> Request:
    # The same password again: the customer's password stays PASSWORD for the next run. The
    # caller logged in lately: its check counts into the window its login opened, as the floor's.
    body = {"current_password": PASSWORD, "new_password": PASSWORD}
    token = world.customer_session(world.password_changer)[0]
    world.open_login_window(world.password_changer)
    return Request("POST", "/api/customers/me/password", body, token)


def _list_own_sessions(world: World) -> Request:
    return Request("GET", "/api/customers/me/sessions", token=world.own_token)


def _customer_tokens(world: World) -> Request:
    return Request("POST", "/api/customer/tokens", {"email": world.customer.email, "password": PASSWORD})


def _refresh_customer_token(world: World) -> Request:
    body = {"refreshToken": world.customer_refresh_token(world.customer)}
    return Request("POST", "/api/customer/token/refresh", body)


def _request_reset(world: World) -> Request:
    customer = world.reset_requester
    world.forget_reset_requests(customer)  # its first in the window, as a customer's one request is
    return Request("POST", "/api/customers/reset-password", {"email": customer.email})


def _reset_password(world: World) -> Request:
    # PASSWORD again: the customer's password stays PASSWORD for the next run.
    body = {"token": world.reset_token(world.password_resetter), "password": PASSWORD}
    return Request("POST", "/api/customers/password", body)


def _list_groups(world: World) -> Request:
    return Request("GET", "/api/customer-groups", token=world.admin_token)


def _create_group(world: World) -> Request:
    return Request("POST", "/api/customer-groups", {"group_name": f"Group {uuid.uuid4().hex[:8]}"}, world.admin_token)


def _rename_group(world: World) -> Request:
    body = {"group_name": f"Trade {uuid.uuid4().hex[:6]}"}
    return Request("PATCH", f"/api/customer-groups/{world.group.group_id}", body, world.admin_token)


def _delete_group(world: World) -> Request:
    return Request("DELETE", f"/api/customer-groups/{world.new_group().group_id}", token=world.admin_token)


def _book_of(world: World, *, own: bool) -> tuple[Customer, str, str]:
    """The customer whose book the request is about, the path of its addresses, the caller's token."""
    if own:
        customer, token = world.address_keeper
        return customer, "/api/customers/me/addresses", token
    return world.address_owner, f"/api/customers/{world.address_owner.uuid}/addresses", world.admin_token


def _list_addresses(world: World, *, own: bool) -> Request:
    customer, path, token = _book_of(world, own=own)
    world.address_book(customer, BOOK_SIZE)
    return Request("GET", path, token=token)


def _add_address(world: World, *, own: bool) -> Request:
    customer, path, token = _book_of(world, own=own)
    world.address_book(customer, BOOK_SIZE)  # the previous run's new address dropped: never at the cap
    return Request("POST", path, ADDRESS, token)


def _update_address(world: World, *, own: bool) -> Request:
    customer, path, token = _book_of(world, own=own)
    target = world.address_book(customer, BOOK_SIZE).addresses[-1]  # the newest: not the default
    return Request("PATCH", f"{path}/{target.uuid}", {"city": f"Shelbyville {uuid.uuid4().hex[:6]}"}, token)


def _delete_address(world: World, *, own: bool) -> Request:
    customer, path, token = _book_of(world, own=own)
    doomed = world.address_book(customer, BOOK_SIZE + 1).addresses[-1]  # a new one, not the default
    return Request("DELETE", f"{path}/{doomed.uuid}", token=token)


_list_customer_addresses = functools.partial(_list_addresses, own=False)
_add_customer_address = functools.partial(_add_address, own=False)
_update_customer_address = functools.partial(_update_address, own=False)
_delete_customer_address = functools.partial(_delete_address, own=False)
_list_own_addresses = functools.partial(_list_addresses, own=True)
_add_own_address = functools.partial(_add_address, own=True)
_update_own_address = functools.partial(_update_address, own=True)
_delete_own_address = functools.partial(_delete_address, own=True)


# Measured without the moment the route answers at (RESET_ANSWER_SECONDS: 0 in the bench).
RESET_REQUEST = "POST /api/customers/reset-password (the work, not the answer's wait)"


@dataclasses.dataclass(frozen=True)
class Endpoint:
    label: str
    request: Callable[[World], Request]  # a new one for every run
    floor: Callable[[Floor], Action]
    bcrypt: bool
    minimum: int  # DynamoDB round trips the data model allows at least
    why: str
    full_shop: bool = False  # measured with the world's SHOP_SIZE more customers (World.full_shop)

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
        "auth; one UpdateItem conditional on the customer existing, returning the new item (name and "
        "status are on no other item: no read first; status 0 adds the sweep query)",
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
    Endpoint(
        "GET /api/customers/{id}",
        _read_customer,
        Floor.read_customer,
        False,
        2,
        "auth; the customer (one GetItem)",
    ),
    Endpoint(
        "GET /api/customer-groups",
        _list_groups,
        Floor.list_groups,
        False,
        2,
        "auth; every group in one Query (all are in one partition of the listing index: a shop has few)",
    ),
    Endpoint(
        "POST /api/customer-groups",
        _create_group,
        Floor.create_group,
        False,
        3,
        "auth; the next group_id (an atomic counter: a put cannot return it); the group (one PutItem "
        "conditional on its key new)",
    ),
    Endpoint(
        "PATCH /api/customer-groups/{group_id}",
        _rename_group,
        Floor.rename_group,
        False,
        2,
        "auth; one UpdateItem conditional on the group existing, returning the new item (not a put: "
        "customers joining meanwhile keep its count; the Default group's first rename: +1 PutItem)",
    ),
    Endpoint(
        "DELETE /api/customer-groups/{group_id}",
        _delete_group,
        Floor.delete_group,
        False,
        2,
        "auth; one DeleteItem conditional on the group existing with no customer in it, answering what "
        "it deleted (ReturnValues ALL_OLD; refused, the old item tells missing from in use)",
    ),
    Endpoint(
        "GET /api/customers/{id}/addresses",
        _list_customer_addresses,
        Floor.list_customer_addresses,
        False,
        2,
        "auth; the book (one GetItem: a customer's addresses are one item; no book: +1 GetItem, is there a customer?)",
    ),
    Endpoint(
        "POST /api/customers/{id}/addresses",
        _add_customer_address,
        Floor.add_customer_address,
        False,
        3,
        "auth; the book (the cap and the one default are checked on it as read); the customer's "
        "ConditionCheck + the book put conditional on the version read (one transaction)",
    ),
    Endpoint(
        "PATCH /api/customers/{id}/addresses/{address_id}",
        _update_customer_address,
        Floor.update_customer_address,
        False,
        3,
        "as adding one: the book read, then written back whole (the default may move) in one transaction",
    ),
    Endpoint(
        "DELETE /api/customers/{id}/addresses/{address_id}",
        _delete_customer_address,
        Floor.delete_customer_address,
        False,
        3,
        "as adding one (the oldest left becomes the default if the default goes)",
    ),
    Endpoint(
        "GET /api/customers/me/addresses",
        _list_own_addresses,
        Floor.list_own_addresses,
        False,
        1,
        "auth alone: its BatchGetItem reads the book along with the session and the customer (the "
        "book's key is the token's customer's, as the customer's own item is)",
    ),
    Endpoint(
        "POST /api/customers/me/addresses",
        _add_own_address,
        Floor.add_own_address,
        False,
        2,
        "auth, the book read along (as listing them); the customer's ConditionCheck + the book put "
        "conditional on the version read (one transaction; a change made meanwhile: +1 GetItem, the "
        "book read again)",
    ),
    Endpoint(
        "PATCH /api/customers/me/addresses/{address_id}",
        _update_own_address,
        Floor.update_own_address,
        False,
        2,
        "as POST /api/customers/me/addresses",
    ),
    Endpoint(
        "DELETE /api/customers/me/addresses/{address_id}",
        _delete_own_address,
        Floor.delete_own_address,
        False,
        2,
        "as POST /api/customers/me/addresses",
    ),
    Endpoint(
        "GET /api/customers (a page of 20)",
        _list_page,
        Floor.list_page,
        False,
        1 + keys.LIST_SHARDS,
        f"auth; one Query per shard ({keys.LIST_SHARDS}): the listing index is write-sharded, so a page "
        "merges every shard, each read for at most limit + 1 items",
        full_shop=True,
    ),
    Endpoint(
        "GET /api/customers?limit=100&status=0 (worst page)",
        _list_page_filtered_out,
        Floor.list_page_filtered_out,
        False,
        1 + keys.LIST_SHARDS,
        f"as a page: still {keys.LIST_SHARDS} Query calls whatever the filters (applied to what the index "
        f"holds), reading at most {keys.LIST_SHARDS} x 101 items; here all read, none answered",
        full_shop=True,
    ),
    Endpoint(
        "GET /api/customers?email_prefix= (a page of 20)",
        _list_by_email_prefix,
        Floor.list_by_email_prefix,
        False,
        2 + keys.LIST_SHARDS,
        f"auth; one Query per shard of the email claims ({keys.LIST_SHARDS}, in address order); the "
        "customers the page's claims name (one BatchGetItem: a claim holds the uuid alone)",
        full_shop=True,
    ),
    Endpoint(
        "GET /api/customers/me",
        _read_own_account,
        Floor.read_own_account,
        False,
        1,
        "auth alone: it reads the customer with the session (one BatchGetItem), and that is the answer",
    ),
    Endpoint(
        "PATCH /api/customers/me (name)",
        _rename_own_account,
        Floor.rename_own_account,
        False,
        2,
        "auth (reads the customer too); one UpdateItem conditional on the customer still enabled at the "
        "epoch of the caller's session (a logout everywhere meanwhile refuses it: no re-read)",
    ),
    Endpoint(
        "POST /api/customers/me/password",
        _change_own_password,
        Floor.change_own_password,
        True,
        5,
        "auth (the customer, and the attempt count could be read along); the check counted (one "
        "UpdateItem); the put conditional on what auth read; the by_owner query; one transaction "
        "deleting what it found and opening the new session",
    ),
    Endpoint(
        "GET /api/customers/me/sessions",
        _list_own_sessions,
        Floor.list_own_sessions,
        False,
        3,
        "auth; the recent_by_owner query (keys only: it names the latest logins); their items read "
        "consistently (one BatchGetItem: an index is eventually consistent, it would list a session just ended)",
    ),
    Endpoint(
        "POST /api/customer/tokens",
        _customer_tokens,
        Floor.customer_login,
        True,
        4,
        "as POST /api/customers/sessions",
    ),
    Endpoint(
        "POST /api/customer/token/refresh",
        _refresh_customer_token,
        Floor.refresh_customer_token,
        False,
        1,
        "the refresh token's session + customer (one BatchGetItem); rotation off, the default (on: +1 "
        "conditional UpdateItem spending it)",
    ),
    Endpoint(
        RESET_REQUEST,
        _request_reset,
        Floor.request_reset,
        False,
        4,
        "the email's request counted (UpdateItem, every email alike); its claim, then its customer (GetItem "
        "twice: the claim names the customer; its status says where the reset goes, so that a disabled or "
        "unknown email's request writes as a customer's does); the reset on the customer, conditional on "
        "the version read (UpdateItem); and one KMS Encrypt of the token. The route answers "
        "RESET_ANSWER_SECONDS (template.yaml) after the request began, whoever asked: 0 here (Password reset timing)",
    ),
    Endpoint(
        "POST /api/customers/password",
        _reset_password,
        Floor.reset_password,
        True,
        3,
        "the customer (one GetItem: the token names it, its hash is on it); the put conditional on the "
        "version read (token spent, password set, every session ended by the epoch, in one write); the "
        "by_owner query that finds session items to sweep (+1 TransactWriteItems deleting them)",
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
    "GetCustomerFunction": _read_customer,
    "ListCustomersFunction": _list_page,
    "GetOwnAccountFunction": _read_own_account,
    "UpdateOwnAccountFunction": _rename_own_account,
    "ChangeOwnPasswordFunction": _change_own_password,
    "ListOwnSessionsFunction": _list_own_sessions,
    "CreateCustomerTokenFunction": _customer_tokens,
    "RefreshCustomerTokenFunction": _refresh_customer_token,
    "RequestPasswordResetFunction": _request_reset,
    "ResetPasswordFunction": _reset_password,
    "ListGroupsFunction": _list_groups,
    "CreateGroupFunction": _create_group,
    "UpdateGroupFunction": _rename_group,
    "DeleteGroupFunction": _delete_group,
    "ListCustomerAddressesFunction": _list_customer_addresses,
    "AddCustomerAddressFunction": _add_customer_address,
    "UpdateCustomerAddressFunction": _update_customer_address,
    "DeleteCustomerAddressFunction": _delete_customer_address,
    "ListOwnAddressesFunction": _list_own_addresses,
    "AddOwnAddressFunction": _add_own_address,
    "UpdateOwnAddressFunction": _update_own_address,
    "DeleteOwnAddressFunction": _delete_own_address,
}
