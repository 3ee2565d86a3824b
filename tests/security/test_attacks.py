"""What an attacker found that the older tests missed (SECURITY.md's threat model, items 2, 4, 8
and 9), each proven here on the real handlers: media types, huge numbers and lone surrogates on
every route, cross-site changes with cookies, duplicate auth cookies, batch retries under
throttling."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.retries import standard

from customer_api.core.settings import settings
from customer_api.store import client
from local import template
from tests.support import Api, CustomerAccount, Reply

ROUTES = [(route.method, route.path) for function in template.functions() for route in function.routes]
# Routes that read no body, and what they answer here whatever body comes along.
READS_NO_BODY = {
    ("GET", "/api/customers/{id}"): 200,
    ("GET", "/api/customers"): 200,
    ("GET", "/api/customers/me"): 200,
    ("GET", "/api/customers/me/sessions"): 200,
    ("DELETE", "/api/customers/{id}"): 200,
    ("DELETE", "/api/customers/sessions/{ids}"): 200,
    ("POST", "/api/customers/sessions/{ids}"): 200,
    ("DELETE", "/api/user/sessions/{sid}"): 404,  # an unknown sid
    ("GET", "/api/customers/me/addresses"): 200,
    ("GET", "/api/customers/{id}/addresses"): 200,
    ("GET", "/api/customer-groups"): 200,
    ("DELETE", "/api/customers/me/addresses/{address_id}"): 404,  # "{address_id}" is no address id
    ("DELETE", "/api/customers/{id}/addresses/{address_id}"): 404,
    ("DELETE", "/api/customer-groups/{group_id}"): 404,  # "{group_id}" is no group id
}
JSON_TYPES = ["APPLICATION/JSON", "Application/Json; charset=utf-8", "application/merge-patch+json"]
HOSTILE_BODIES = {
    "4,400-digit integer": '{"email": "a@shop.example.com", "password": "secret-123", "n": ' + "9" * 4400 + "}",
    "4,400-digit integer in a field": '{"email": "a@shop.example.com", "password": ' + "1" * 4400 + "}",
    "lone surrogate in the email": '{"email": "\\ud800@example.com", "password": "secret-123"}',
    "lone surrogate in a key": '{"\\udfff": 1, "email": "a@shop.example.com", "password": "secret-123"}',
    "lone surrogate deep inside": '{"full_name": {"a": ["\\ud83d"]}}',
}


UNKNOWN_SID = "00000000-0000-4000-8000-000000000000"


def concrete(path: str, account: CustomerAccount) -> str:
    return path.replace("{id}", account.uuid).replace("{ids}", account.uuid).replace("{sid}", UNKNOWN_SID)


@pytest.fixture
def call_as_admin(api: Api, admin_token: str, customer: CustomerAccount, log_in: Any) -> Any:
    """call_as_admin((method, path), **kwargs): a route of the template, its ids filled in, with
    an admin token (a customer's own on the customer's own routes)."""
    customer_token = log_in(customer)["token"]

    def call(route: tuple[str, str], **kwargs: Any) -> Reply:
        method, path = route
        token = customer_token if path.startswith("/api/customers/me") else admin_token
        return api.call(method, concrete(path, customer), token=token, **kwargs)

    return call


@pytest.mark.parametrize("path", ["/api/customers/sessions", "/api/user/sessions", "/api/user/tokens"])
@pytest.mark.parametrize("content_type", [*JSON_TYPES, "application/problem+json"])
def test_json_in_any_letter_case_or_plus_json_type_is_read_as_json(
    api: Api, path: str, content_type: str, customer: CustomerAccount
) -> None:
    body = {"email": customer.email, "password": "wrong-password"}

    reply = api.post(path, body, headers={"content-type": content_type})

    assert reply.status == 400
    assert reply.error == {"status": 400, "message": "Invalid email or password"}


def test_a_login_sent_as_upper_case_json_works(api: Api, customer: CustomerAccount) -> None:
    body = {"email": customer.email, "password": customer.password}

    reply = api.post("/api/customers/sessions", body, headers={"content-type": "APPLICATION/JSON"})

    assert reply.status == 200, reply.body


@pytest.mark.parametrize("route", ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=list(HOSTILE_BODIES))
def test_huge_numbers_and_lone_surrogates_are_a_400_on_every_route_that_reads_a_body(
    call_as_admin: Any, route: tuple[str, str], body: str
) -> None:
    reply = call_as_admin(route, raw_body=body)

    if route in READS_NO_BODY:
        assert reply.status == READS_NO_BODY[route], reply.body
    else:
        assert reply.status == 400, reply.body
        assert reply.error["status"] == 400


@pytest.mark.parametrize("route", ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_body_of_another_media_type_is_a_415_on_every_route(
    call_as_admin: Any, route: tuple[str, str], content_type: str
) -> None:
    reply = call_as_admin(route, raw_body="a=1", headers={"content-type": content_type})

    assert reply.status == 415, reply.body
    assert reply.error == {"status": 415, "message": "Request body must be JSON (Content-Type: application/json)"}


# --- cross-site requests with cookies


def admin_cookie_of(api: Api, admin: None) -> str:
    from tests.support import ADMIN_EMAIL, ADMIN_PASSWORD  # noqa: PLC0415

    reply = api.post("/api/user/sessions", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert reply.status == 200, reply.body
    return f"admin_token={reply.data['token']}"


@pytest.mark.parametrize(
    "headers",
    [{"origin": "https://evil.example.net"}, {"sec-fetch-site": "cross-site"}, {"origin": "null"}],
    ids=["foreign origin", "cross-site fetch", "opaque origin"],
)
def test_a_cookie_authenticated_create_from_another_site_is_a_403_and_creates_nothing(
    api: Api, admin: None, headers: dict[str, str]
) -> None:
    cookie = admin_cookie_of(api, admin)
    body = {"email": "csrf@shop.example.com", "password": "secret-123", "full_name": "Eve"}

    reply = api.call("POST", "/api/customers", raw_body=json.dumps(body), headers=headers, cookies=[cookie])

    assert reply.status == 403
    assert reply.error["status"] == 403
    login = api.post("/api/customers/sessions", {"email": body["email"], "password": body["password"]})
    assert login.error["message"] == "Invalid email or password"


def test_an_empty_cross_site_form_post_does_not_log_a_customer_out(
    api: Api, customer: CustomerAccount, log_in: Any
) -> None:
    token = log_in(customer)["token"]
    headers = {"origin": "https://evil.example.net", "content-type": "application/x-www-form-urlencoded"}

    reply = api.call("POST", f"/api/customers/sessions/{customer.uuid}", headers=headers, cookies=[f"token={token}"])

    assert reply.status == 403
    assert api.call("DELETE", f"/api/customers/sessions/{customer.uuid}", token=token).status == 200


def test_a_cookie_change_from_the_api_s_own_origin_or_an_allowed_one_is_let_through(
    api: Api, admin: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookie = admin_cookie_of(api, admin)
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://shop.example.com")
    settings.cache_clear()
    for origin, email in (
        ("https://shop.example.com", "one@shop.example.com"),
        ("https://api.example.com", "two@x.io"),
    ):
        body = {"email": email, "password": "secret-123", "full_name": "Ann"}
        headers = {"origin": origin, "host": "api.example.com", "sec-fetch-site": "same-site"}
        reply = api.call("POST", "/api/customers", raw_body=json.dumps(body), headers=headers, cookies=[cookie])
        assert reply.status == 200, reply.body
    settings.cache_clear()


def test_a_bearer_change_is_not_affected_by_its_origin(api: Api, admin_token: str) -> None:
    body = {"email": "bearer@shop.example.com", "password": "secret-123", "full_name": "Ann"}
    headers = {"origin": "https://evil.example.net", "sec-fetch-site": "cross-site"}

    reply = api.call("POST", "/api/customers", raw_body=json.dumps(body), headers=headers, token=admin_token)

    assert reply.status == 200, reply.body


# --- duplicate auth cookies


@pytest.mark.parametrize("order", ["bad first", "good first"])
def test_two_different_values_of_one_auth_cookie_are_refused(api: Api, admin: None, order: str) -> None:
    good = admin_cookie_of(api, admin)
    cookies = ["admin_token=bad", good] if order == "bad first" else [good, "admin_token=bad"]
    body = {"email": "dup@shop.example.com", "password": "secret-123", "full_name": "Ann"}

    reply = api.call("POST", "/api/customers", raw_body=json.dumps(body), cookies=cookies)

    assert reply.status == 401
    assert reply.error == {"status": 401, "message": "Conflicting admin_token cookies"}


def test_the_same_cookie_sent_twice_is_one_cookie(api: Api, admin: None) -> None:
    good = admin_cookie_of(api, admin)
    body = {"email": "twice@shop.example.com", "password": "secret-123", "full_name": "Ann"}

    reply = api.call("POST", "/api/customers", raw_body=json.dumps(body), cookies=[good, good])

    assert reply.status == 200, reply.body


# --- batch retries under throttling


@pytest.fixture
def unprocessed_forever() -> Iterator[list[str]]:
    """Every BatchGetItem answers with all its keys unprocessed (DynamoDB under throttling)."""
    calls: list[str] = []

    def nothing_processed(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]]:
        calls.append("BatchGetItem")
        body = json.loads(params["body"])
        response = {"Responses": {}, "UnprocessedKeys": body["RequestItems"]}
        http = type("Http", (), {"status_code": 200, "headers": {}, "content": json.dumps(response).encode()})()
        return http, response

    events = client.dynamodb().meta.events
    events.register("before-call.dynamodb.BatchGetItem", nothing_processed, unique_id="unprocessed")
    try:
        yield calls
    finally:
        events.unregister("before-call.dynamodb.BatchGetItem", unique_id="unprocessed")


def test_unprocessed_batch_keys_are_retried_a_bounded_number_of_times_then_503(
    api: Api,
    admin_token: str,
    customer: CustomerAccount,
    unprocessed_forever: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    monkeypatch.setattr(client.time, "sleep", lambda seconds: None)

    reply: Reply = api.post("/api/customers/sessions", {"email": customer.email, "password": customer.password})

    assert reply.status == 503
    assert int(reply.headers["retry-after"]) >= 1
    assert len(unprocessed_forever) == settings().dynamodb_max_attempts


# --- sessions per account


def test_past_max_sessions_the_oldest_token_stops_working(
    api: Api, customer: CustomerAccount, log_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_SESSIONS", "2")
    settings.cache_clear()
    oldest, middle, newest = log_in(customer), log_in(customer), log_in(customer)

    def works(session: dict[str, str]) -> bool:
        return api.delete(f"/api/customers/sessions/{session['sid']}", token=session["token"]).status == 200

    assert [works(newest), works(middle), works(oldest)] == [True, True, False]
    settings.cache_clear()
