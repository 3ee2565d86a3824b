"""Customer login and logout, admin tokens and admin sessions, EverShop's cookies."""

from __future__ import annotations

import base64
import json
import re
import uuid
from typing import Any

import pytest

from customer_api.core import settings as config
from tests.support import ADMIN_EMAIL, ADMIN_PASSWORD, Api, CustomerAccount

SID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


def header(token: str) -> dict[str, Any]:
    part = token.split(".", maxsplit=1)[0]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # type: ignore[no-any-return]


def login(api: Api, email: str, password: str) -> Any:
    return api.post("/api/customers/sessions", {"email": email, "password": password})


# --- login ----------------------------------------------------------------------------------


def test_login_answers_an_hs256_token_with_evershops_payload(api: Api, customer: CustomerAccount) -> None:
    reply = login(api, customer.email, customer.password)
    assert reply.status == 200
    assert set(reply.data) == {"token", "sid"}
    assert SID.fullmatch(reply.data["sid"])
    token = reply.data["token"]
    assert header(token)["alg"] == "HS256"
    payload = claims(token)
    view = customer.view
    assert payload["customer"] == {
        "customerId": view["customer_id"],
        "uuid": view["uuid"],
        "status": 1,
        "groupId": 1,
        "email": view["email"],
        "fullName": view["full_name"],
        "createdAt": view["created_at"],
        "updatedAt": view["updated_at"],
    }
    assert payload["sid"] == reply.data["sid"]
    assert payload["exp"] - payload["iat"] == 48 * 3600
    assert "password" not in json.dumps(payload)


def test_login_sets_the_token_cookie_as_evershop_did(api: Api, customer: CustomerAccount) -> None:
    reply = login(api, customer.email, customer.password)
    [cookie] = reply.cookies
    attributes = [part.strip() for part in cookie.split(";")]
    assert attributes[0] == f"token={reply.data['token']}"
    assert set(attributes[1:]) == {"Path=/", "HttpOnly", "Secure", "SameSite=Lax", "Max-Age=172800"}


def test_login_is_case_insensitive_on_the_email(api: Api, customer: CustomerAccount) -> None:
    assert login(api, f"  {customer.email.upper()} ", customer.password).status == 200


@pytest.mark.parametrize("case", ["unknown email", "wrong password", "disabled"])
def test_every_login_failure_is_the_same_400(api: Api, admin_token: str, customer: CustomerAccount, case: str) -> None:
    email, password = customer.email, customer.password
    if case == "unknown email":
        email = "nobody@shop.example.com"
    elif case == "wrong password":
        password = "not-the-password"
    else:
        api.patch(f"/api/customers/{customer.uuid}", {"status": 0}, token=admin_token)
    reply = login(api, email, password)
    assert reply.status == 400
    assert reply.body == {"error": {"status": 400, "message": "Invalid email or password"}}
    assert reply.cookies == []


def test_login_with_missing_fields_is_400(api: Api) -> None:
    reply = api.post("/api/customers/sessions", {"email": "a@b.example.com"})
    assert reply.status == 400
    assert reply.error["message"] == "Password is required"


def test_login_lifetime_is_configurable(api: Api, customer: CustomerAccount, monkeypatch: Any) -> None:
    monkeypatch.setenv("CUSTOMER_TOKEN_SECONDS", "600")
    config.settings.cache_clear()
    payload = claims(login(api, customer.email, customer.password).data["token"])
    config.settings.cache_clear()
    assert payload["exp"] - payload["iat"] == 600


# --- logout ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["DELETE", "POST"])
def test_logout_ends_the_session_and_clears_the_cookie(
    api: Api, customer: CustomerAccount, log_in: Any, method: str
) -> None:
    session = log_in(customer)
    reply = api.call(method, f"/api/customers/sessions/{session['sid']}", token=session["token"])
    assert reply.status == 200
    assert reply.body == {"data": {}}
    [cookie] = reply.cookies
    assert cookie.startswith("token=;")
    assert "Max-Age=0" in cookie
    again = api.delete(f"/api/customers/sessions/{session['sid']}", token=session["token"])
    assert again.status == 401


def test_logout_of_another_session_keeps_the_callers_cookie(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    phone, laptop = log_in(customer), log_in(customer)
    reply = api.delete(f"/api/customers/sessions/{phone['sid']}", token=laptop["token"])
    assert reply.status == 200
    assert reply.cookies == []
    assert api.delete(f"/api/customers/sessions/{laptop['sid']}", token=laptop["token"]).status == 200


def test_logout_accepts_the_token_cookie(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    session = log_in(customer)
    reply = api.delete(f"/api/customers/sessions/{session['sid']}", cookies=[f"token={session['token']}"])
    assert reply.status == 200


def test_logout_of_several_sessions_at_once(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    sessions = [log_in(customer) for _ in range(3)]
    ids = ",".join(session["sid"] for session in sessions)
    assert api.delete(f"/api/customers/sessions/{ids}", token=sessions[0]["token"]).status == 200
    for session in sessions:
        assert api.delete(f"/api/customers/sessions/{session['sid']}", token=session["token"]).status == 401


def test_logout_list_with_one_unknown_id_ends_nothing(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    first, second = log_in(customer), log_in(customer)
    ids = f"{first['sid']},{uuid.uuid4()}"
    reply = api.delete(f"/api/customers/sessions/{ids}", token=second["token"])
    assert reply.status == 404
    assert reply.error["status"] == 404
    assert api.delete(f"/api/customers/sessions/{first['sid']}", token=first["token"]).status == 200


def test_logout_of_another_customers_session_is_404_and_ends_nothing(api: Api, new_customer: Any, log_in: Any) -> None:
    alice, bob = new_customer(), new_customer()
    alice_session, bob_session = log_in(alice), log_in(bob)
    ids = f"{alice_session['sid']},{bob_session['sid']}"
    assert api.delete(f"/api/customers/sessions/{ids}", token=alice_session["token"]).status == 404
    assert api.delete(f"/api/customers/sessions/{bob_session['sid']}", token=bob_session["token"]).status == 200


def test_logout_by_the_customers_uuid_ends_every_session(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    sessions = [log_in(customer) for _ in range(3)]
    reply = api.delete(f"/api/customers/sessions/{customer.uuid}", token=sessions[0]["token"])
    assert reply.status == 200
    assert "Max-Age=0" in reply.cookies[0]
    for session in sessions:
        assert api.delete(f"/api/customers/sessions/{session['sid']}", token=session["token"]).status == 401
    assert login(api, customer.email, customer.password).status == 200


def test_logout_by_another_customers_uuid_is_404(api: Api, new_customer: Any, log_in: Any) -> None:
    alice, bob = new_customer(), new_customer()
    bob_session = log_in(bob)
    reply = api.delete(f"/api/customers/sessions/{bob.uuid}", token=log_in(alice)["token"])
    assert reply.status == 404
    assert api.delete(f"/api/customers/sessions/{bob_session['sid']}", token=bob_session["token"]).status == 200


def test_an_admin_may_log_any_customer_out(api: Api, admin_token: str, customer: CustomerAccount, log_in: Any) -> None:
    first, second = log_in(customer), log_in(customer)
    assert api.delete(f"/api/customers/sessions/{first['sid']}", token=admin_token).status == 200
    assert api.post(f"/api/customers/sessions/{customer.uuid}", token=admin_token).status == 200
    assert api.delete(f"/api/customers/sessions/{second['sid']}", token=second["token"]).status == 401


def test_an_admin_logging_out_an_unknown_customer_gets_404(api: Api, admin_token: str) -> None:
    assert api.delete(f"/api/customers/sessions/{uuid.uuid4().hex}", token=admin_token).status == 404


@pytest.mark.parametrize("ids", ["not-a-sid", "1,2", ",", "x" * 40])
def test_logout_with_malformed_ids_is_404(api: Api, customer: CustomerAccount, log_in: Any, ids: str) -> None:
    reply = api.delete(f"/api/customers/sessions/{ids}", token=log_in(customer)["token"])
    assert reply.status == 404


def test_logout_of_more_than_25_ids_is_404(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    ids = ",".join(str(uuid.uuid4()) for _ in range(26))
    assert api.delete(f"/api/customers/sessions/{ids}", token=log_in(customer)["token"]).status == 404


def test_logout_without_a_token_is_401(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    reply = api.delete(f"/api/customers/sessions/{log_in(customer)['sid']}")
    assert reply.status == 401
    assert reply.body == {"error": {"status": 401, "message": "Unauthorized"}}


# --- admin tokens and sessions --------------------------------------------------------------


def test_admin_tokens_answer_access_and_refresh_tokens(api: Api, admin: None) -> None:
    reply = api.post("/api/user/tokens", {"email": ADMIN_EMAIL.upper(), "password": ADMIN_PASSWORD})
    assert reply.status == 200
    assert set(reply.data) == {"accessToken", "refreshToken"}
    access, refresh = claims(reply.data["accessToken"]), claims(reply.data["refreshToken"])
    assert access["exp"] - access["iat"] == 15 * 60
    assert access["aud"] == "admin"
    assert refresh["aud"] == "admin-refresh"
    assert refresh["exp"] > access["exp"]


def test_admin_login_failure_is_400(api: Api, admin: None) -> None:
    reply = api.post("/api/user/tokens", {"email": ADMIN_EMAIL, "password": "wrong-password"})
    assert reply.body == {"error": {"status": 400, "message": "Invalid email or password"}}


def test_a_refresh_token_is_not_an_access_token(api: Api, admin: None) -> None:
    tokens = api.post("/api/user/tokens", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).data
    body = {"email": "x@shop.example.com", "password": "secret-123", "full_name": "X"}
    reply = api.post("/api/customers", body, token=tokens["refreshToken"])
    assert reply.status == 401


def test_admin_session_login_sets_the_admin_token_cookie(api: Api, admin: None) -> None:
    reply = api.post("/api/user/sessions", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert reply.status == 200
    assert set(reply.data) == {"token", "sid"}
    [cookie] = reply.cookies
    attributes = [part.strip() for part in cookie.split(";")]
    assert attributes[0] == f"admin_token={reply.data['token']}"
    assert set(attributes[1:]) == {"Path=/", "HttpOnly", "Secure", "SameSite=Strict", "Max-Age=86400"}


def test_cookie_only_client_flow(api: Api, admin: None) -> None:
    """Admin login -> create -> customer login -> logout, with nothing but cookies."""
    admin_cookie = api.post("/api/user/sessions", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).cookies[0]
    body = {"email": "cookie@shop.example.com", "password": "secret-123", "full_name": "Cookie"}
    created = api.post("/api/customers", body, cookies=[admin_cookie.split(";")[0]])
    assert created.status == 200
    logged_in = login(api, body["email"], body["password"])
    token_cookie = logged_in.cookies[0].split(";")[0]
    logged_out = api.delete(f"/api/customers/sessions/{logged_in.data['sid']}", cookies=[token_cookie])
    assert logged_out.status == 200
    assert logged_out.cookies[0].startswith("token=;")


def test_ending_an_admin_session_kills_its_token_at_once(api: Api, admin: None) -> None:
    session = api.post("/api/user/sessions", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).data
    reply = api.delete(f"/api/user/sessions/{session['sid']}", token=session["token"])
    assert reply.status == 200
    assert reply.cookies[0].startswith("admin_token=;")
    body = {"email": "late@shop.example.com", "password": "secret-123", "full_name": "Late"}
    assert api.post("/api/customers", body, token=session["token"]).status == 401


def test_an_access_token_dies_with_its_admin_session(api: Api, admin_token: str) -> None:
    sid = claims(admin_token)["sid"]
    assert api.delete(f"/api/user/sessions/{sid}", token=admin_token).status == 200
    assert api.delete(f"/api/user/sessions/{sid}", token=admin_token).status == 401


def test_ending_an_unknown_admin_session_is_404(api: Api, admin_token: str) -> None:
    assert api.delete(f"/api/user/sessions/{uuid.uuid4()}", token=admin_token).status == 404
    assert api.delete("/api/user/sessions/garbage", token=admin_token).status == 404


def test_a_customer_token_cannot_end_admin_sessions(api: Api, admin_token: str, customer: Any, log_in: Any) -> None:
    sid = claims(admin_token)["sid"]
    assert api.delete(f"/api/user/sessions/{sid}", token=log_in(customer)["token"]).status == 401
