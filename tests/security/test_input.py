"""Hostile input on every route that reads a body or an id: always a 4xx in the contract's shape,
never a 500, and nothing written (the tables are compared before and after each request)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from customer_api.core.records import PrincipalKind
from customer_api.core.settings import settings
from customer_api.domain.inputs import INVALID_EMAIL, INVALID_STATUS
from customer_api.store import keys
from tests.support import ADMIN_EMAIL, Reply, unique_email
from tests.support.world import CUSTOMER_PASSWORD, Tables, World, customer_login, module_world, new_customer, snapshot


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with module_world() as built:
        yield built


@dataclasses.dataclass(frozen=True)
class BodyRoute:
    name: str
    method: str
    path: Callable[[World], str]
    fields: tuple[str, ...]
    valid: Callable[[World], dict[str, Any]]  # a body the route would accept
    admin: bool  # needs the admin token

    @property
    def is_login(self) -> bool:
        return not self.admin


def _customer_credentials(world: World) -> dict[str, Any]:
    # A fresh account each time: the failures a test causes must not throttle the next test.
    _, email = new_customer(world.api, world.admin_token)
    return {"email": email, "password": CUSTOMER_PASSWORD}


def _admin_credentials(world: World) -> dict[str, Any]:
    # The admin's own email would be throttled by the failures these tests cause.
    return {"email": unique_email("admin"), "password": CUSTOMER_PASSWORD}


BODY_ROUTES = [
    BodyRoute(
        "create customer",
        "POST",
        lambda w: "/api/customers",
        ("email", "password", "full_name", "status"),
        lambda w: {"email": unique_email(), "password": "secret-123", "full_name": "Jane Doe", "status": 1},
        admin=True,
    ),
    BodyRoute(
        "update customer",
        "PATCH",
        lambda w: f"/api/customers/{w.spare_customer_uuid}",
        ("email", "password", "full_name", "status"),
        lambda w: {"email": unique_email(), "password": "secret-456", "full_name": "Jane Roe", "status": 1},
        admin=True,
    ),
    BodyRoute(
        "customer login",
        "POST",
        lambda w: "/api/customers/sessions",
        ("email", "password"),
        _customer_credentials,
        False,
    ),
    BodyRoute("admin tokens", "POST", lambda w: "/api/user/tokens", ("email", "password"), _admin_credentials, False),
    BodyRoute(
        "admin session", "POST", lambda w: "/api/user/sessions", ("email", "password"), _admin_credentials, False
    ),
]
ROUTE_IDS = [route.name for route in BODY_ROUTES]


def send(world: World, route: BodyRoute, raw_body: bytes | str | None, **kwargs: Any) -> Reply:
    token = world.admin_token if route.admin else None
    return world.api.call(route.method, route.path(world), raw_body=raw_body, token=token, **kwargs)


def send_json(world: World, route: BodyRoute, body: Any) -> Reply:
    return send(world, route, json.dumps(body))


def assert_client_error(reply: Reply, status: int = 400, message: str | None = None) -> None:
    assert reply.status == status, reply.body
    assert reply.body == {"error": {"status": status, "message": reply.error["message"]}}
    assert isinstance(reply.error["message"], str)
    assert reply.error["message"]
    if message is not None:
        assert reply.error["message"] == message


def without_login_failures(tables: Tables) -> Tables:
    """The tables minus the failed-login counters: a wrong password is counted, by design."""
    return {
        table: [item for item in items if not item["pk"]["S"].startswith(keys.FAILURES_PREFIX)]
        for table, items in tables.items()
    }


# --- bodies that are not a JSON object -------------------------------------------------------

NOT_AN_OBJECT: dict[str, bytes | str] = {
    "binary (base64 in the event)": b"\xff\xfe\x00\x81binary\xc0\xc1",
    "latin-1 text": '{"email": "caf\xe9@shop.example.com"}'.encode("latin-1"),
    "lone surrogate escape": '{"email": "\\ud800@shop.example.com", "password": "secret-123"}',
    "not JSON": "{email: nope",
    "truncated JSON": '{"email": "a@b.example.com", "password": "secr',
    "JSON array": '[{"email": "a@b.example.com"}]',
    "JSON string": '"email=a@b.example.com"',
    "JSON number": "12345",
    "JSON null": "null",
    "JSON true": "true",
    "empty body": "",
    "whitespace": "   \n\t ",
    "form encoded": "email=a%40b.example.com&password=secret-123",
    "NaN": '{"email": NaN, "password": Infinity}',
    "deeply nested array": "[" * 4000 + "]" * 4000,
    "deeply nested object": '{"full_name":' + '{"a":' * 1300 + "1" + "}" * 1301,
    "deeply nested field": '{"email": ' + "[" * 3900 + "]" * 3900 + "}",
    "duplicate keys": '{"email": "a@b.example.com", "email": {"$ne": null}}',
}


@pytest.mark.parametrize("route", BODY_ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("body", NOT_AN_OBJECT.values(), ids=list(NOT_AN_OBJECT))
def test_a_body_that_is_not_a_json_object_is_a_400_and_writes_nothing(
    world: World, route: BodyRoute, body: bytes | str
) -> None:
    before = snapshot()

    reply = send(world, route, body)

    assert_client_error(reply)
    assert snapshot() == before


@pytest.mark.parametrize("route", BODY_ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("body", [b"\xff" * 9000, "x" * 9000, json.dumps({"full_name": "x" * 9000})])
def test_a_body_over_the_limit_is_a_413_and_writes_nothing(world: World, route: BodyRoute, body: bytes | str) -> None:
    assert len(body) > settings().max_body_bytes
    before = snapshot()

    reply = send(world, route, body)

    assert_client_error(reply, 413)
    assert snapshot() == before


@pytest.mark.parametrize("route", BODY_ROUTES, ids=ROUTE_IDS)
def test_a_body_of_many_multibyte_characters_is_measured_in_bytes(world: World, route: BodyRoute) -> None:
    body = json.dumps({"full_name": "€" * 3000}, ensure_ascii=False)  # 3000 characters, 9000+ bytes
    before = snapshot()

    reply = send(world, route, body)

    assert_client_error(reply, 413)
    assert snapshot() == before


# --- fields with hostile values ----------------------------------------------------------------

WRONG_TYPES: dict[str, Any] = {
    "number": 12345,
    "float": 1.5,
    "bool": True,
    "list": ["a@b.example.com"],
    "object": {"$ne": None},
    "null": None,
}


def _field_cases() -> Iterator[Any]:
    for route in BODY_ROUTES:
        for field in route.fields:
            for kind, value in WRONG_TYPES.items():
                if field == "status" and kind == "number":
                    continue  # a number is status's type; its values are tested below
                yield pytest.param(route, field, value, id=f"{route.name}: {field} {kind}")


@pytest.mark.parametrize(("route", "field", "value"), list(_field_cases()))
def test_a_field_of_the_wrong_type_is_a_400_and_writes_nothing(
    world: World, route: BodyRoute, field: str, value: Any
) -> None:
    body = {**route.valid(world), field: value}
    before = snapshot()

    reply = send_json(world, route, body)

    assert_client_error(reply)
    assert snapshot() == before


HOSTILE_STRINGS: dict[str, str] = {
    "huge": "x" * 8000,
    "NUL byte": "secret\x00-123@shop.example.com",
    "control characters": "secret\x07\x1b[31m-123\r\n",
    "only whitespace": "   \t  ",
    "empty": "",
    "right-to-left override": "secret-\u202e321@shop.example.com",
}


def _string_cases() -> Iterator[Any]:
    for route in BODY_ROUTES:
        for field in route.fields:
            if field == "status":
                continue
            for kind, value in HOSTILE_STRINGS.items():
                if route.admin and (field, kind) in ACCEPTED_AS_IS:
                    continue
                yield pytest.param(route, field, value, id=f"{route.name}: {field} {kind}")


ACCEPTED_AS_IS = {
    # A password is opaque: any 6 to 72 bytes but NUL.
    ("password", "control characters"),
    ("password", "only whitespace"),
    ("password", "right-to-left override"),
    # Names are written in every script; format characters (joiners, direction marks) belong.
    ("full_name", "right-to-left override"),
}


@pytest.mark.parametrize(("route", "field", "value"), list(_string_cases()))
def test_a_hostile_string_in_a_field_is_a_client_error_and_writes_nothing(
    world: World, route: BodyRoute, field: str, value: str
) -> None:
    body = {**route.valid(world), field: value}
    before = snapshot()

    reply = send_json(world, route, body)

    assert_client_error(reply)
    if route.is_login:
        assert reply.error["message"] == "Invalid email or password"
        assert without_login_failures(snapshot()) == without_login_failures(before)
    else:
        assert snapshot() == before


SURROGATE_CASES = [
    pytest.param(route, field, id=f"{route.name}: {field}")
    for route in BODY_ROUTES
    for field in route.fields
    if field != "status"
]


@pytest.mark.parametrize(("route", "field"), SURROGATE_CASES)
def test_a_lone_surrogate_in_a_field_is_a_400_and_writes_nothing(world: World, route: BodyRoute, field: str) -> None:
    """JSON may escape half a UTF-16 pair (a backslash-u d800): it parses, but is no text to store or hash."""
    body = {**route.valid(world), field: "secret-\ud800-123"}
    before = snapshot()

    reply = send_json(world, route, body)

    assert_client_error(reply)
    assert snapshot() == before


# --- emails ------------------------------------------------------------------------------------

UNICODE_EMAILS = {
    "unicode local part": "jöhn@shop.example.com",
    "unicode domain": "john@shöp.example.com",
    "cyrillic lookalike": "j\u043ehn@shop.example.com",
    "fullwidth at sign": "john\uff20shop.example.com",
    "emoji": "😀@shop.example.com",
}


@pytest.mark.parametrize("email", UNICODE_EMAILS.values(), ids=list(UNICODE_EMAILS))
@pytest.mark.parametrize("route", BODY_ROUTES[:2], ids=ROUTE_IDS[:2])
def test_a_unicode_email_is_a_clear_400_and_writes_nothing(world: World, route: BodyRoute, email: str) -> None:
    before = snapshot()

    reply = send_json(world, route, {**route.valid(world), "email": email})

    assert_client_error(reply, 400, INVALID_EMAIL)
    assert snapshot() == before


def test_plus_addressing_creates_a_customer_who_can_log_in(world: World) -> None:
    email = unique_email("jane+orders")
    body = {"email": email, "password": "secret-123", "full_name": "Jane Plus"}

    created = world.api.post("/api/customers", body, token=world.admin_token)
    login = world.api.post("/api/customers/sessions", {"email": email, "password": "secret-123"})

    assert created.status == 200, created.body
    assert created.data["email"] == email
    assert login.status == 200, login.body


def test_plus_addresses_are_distinct_customers(world: World) -> None:
    base = unique_email("jane")
    local, domain = base.split("@")
    first = {"email": base, "password": "secret-123", "full_name": "Jane"}
    second = {**first, "email": f"{local}+shop@{domain}"}

    assert world.api.post("/api/customers", first, token=world.admin_token).status == 200
    reply = world.api.post("/api/customers", second, token=world.admin_token)

    assert reply.status == 200, reply.body


# --- status --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "stored"), [(0, 0), (1, 1), ("0", 0), ("1", 1)])
def test_evershops_status_values_are_accepted(world: World, status: Any, stored: int) -> None:
    body = {"email": unique_email(), "password": "secret-123", "full_name": "Jane", "status": status}

    reply = world.api.post("/api/customers", body, token=world.admin_token)

    assert reply.status == 200, reply.body
    assert reply.data["status"] == stored


BAD_STATUSES = [2, -1, "2", True, False, "yes", 1.5, 1.0, "1.0", " 1", "", None, [1], {"value": 1}]


@pytest.mark.parametrize("route", BODY_ROUTES[:2], ids=ROUTE_IDS[:2])
@pytest.mark.parametrize("status", BAD_STATUSES, ids=[json.dumps(value) for value in BAD_STATUSES])
def test_any_other_status_is_a_400_with_evershops_message(world: World, route: BodyRoute, status: Any) -> None:
    before = snapshot()

    reply = send_json(world, route, {**route.valid(world), "status": status})

    assert_client_error(reply, 400, INVALID_STATUS)
    assert snapshot() == before


# --- ids ---------------------------------------------------------------------------------------------

BAD_CUSTOMER_IDS = {
    "integer id": "1",
    "dashed uuid": "e1b20098-a66c-11ed-b46b-60d819134f39",
    "upper-case hex": "E1B20098A66C11EDB46B60D819134F39",
    "too short": "e1b20098a66c11edb46b60d819134f3",
    "too long": "e1b20098a66c11edb46b60d819134f390",
    "not hex": "z1b20098a66c11edb46b60d819134f39",
    "sql": "' OR '1'='1",
    "dynamodb key prefix": "EMAIL%23admin@shop.example.com",
    "admin key": f"ADMIN%23{ADMIN_EMAIL}",
    "percent-encoded NUL": "%00",
    "dot dot": "..",
    "huge": "a" * 5000,
}


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
@pytest.mark.parametrize("customer_id", BAD_CUSTOMER_IDS.values(), ids=list(BAD_CUSTOMER_IDS))
def test_a_customer_id_that_is_not_a_uuid_is_a_404_and_writes_nothing(
    world: World, method: str, customer_id: str
) -> None:
    before = snapshot()

    reply = world.api.call(method, f"/api/customers/{customer_id}", {"full_name": "X"}, token=world.admin_token)

    assert_client_error(reply, 404, "Invalid customer id")
    assert snapshot() == before


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/api/customers/EMAIL#x", "/api/customers/x?y"])
def test_a_path_no_route_matches_is_a_404_and_writes_nothing(world: World, method: str, path: str) -> None:
    before = snapshot()

    reply = world.api.call(method, path, {"full_name": "X"}, token=world.admin_token)

    assert_client_error(reply, 404)
    assert snapshot() == before


def test_an_unknown_uuid_is_a_404(world: World) -> None:
    reply = world.api.delete(f"/api/customers/{'0' * 32}", token=world.admin_token)

    assert_client_error(reply, 404, "Invalid customer id")


BAD_SESSION_IDS = {
    "empty list": ",",
    "empty ids around a good one": ",{sid},",
    "blank": "%20",
    "integer": "1",
    "sid with a bad version": "09d34c21-4af3-1db8-a38b-335ebf6d45fa",
    "dynamodb key": keys.session("{sid}"),
    "failures key": keys.login_failures(PrincipalKind.CUSTOMER, "{email}"),
    "twenty-six ids": ",".join(f"00000000-0000-4000-8000-{index:012d}" for index in range(25)) + ",{sid}",
    "huge": "a" * 5000,
}


@pytest.mark.parametrize("method", ["DELETE", "POST"])
@pytest.mark.parametrize("ids", BAD_SESSION_IDS.values(), ids=list(BAD_SESSION_IDS))
def test_a_bad_logout_list_is_a_404_and_ends_nothing(world: World, method: str, ids: str) -> None:
    path = "/api/customers/sessions/" + ids.format(sid=world.target_customer_sid, email=world.customer_email)
    before = snapshot()

    reply = world.api.call(method, path, token=world.customer_token)

    assert_client_error(reply, 404)
    assert snapshot() == before


def test_twenty_five_ids_are_accepted(world: World) -> None:
    sids = [customer_login(world.api, world.customer_email)["sid"] for _ in range(25)]

    reply = world.api.delete(f"/api/customers/sessions/{','.join(sids)}", token=world.admin_token)

    assert reply.status == 200, reply.body


@pytest.mark.parametrize("method", ["DELETE", "POST"])
def test_a_hostile_body_on_logout_is_ignored(world: World, method: str) -> None:
    """Logout reads no body: whatever comes with it changes nothing about the answer."""
    sid = customer_login(world.api, world.customer_email)["sid"]

    reply = world.api.call(method, f"/api/customers/sessions/{sid}", raw_body=b"\xff\x00", token=world.admin_token)

    assert reply.status == 200, reply.body
