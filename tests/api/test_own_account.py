"""The customer's own account (customer token): GET and PATCH /api/customers/me,
POST /api/customers/me/password, GET /api/customers/me/sessions. Every row of the contract."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests.api.test_customers import CUSTOMER_FIELDS, fields
from tests.support import Api, CustomerAccount, unique_email


def me(api: Api, token: str) -> dict[str, Any]:
    reply = api.get("/api/customers/me", token=token)
    assert reply.status == 200, reply.body
    return reply.data


def logs_in(api: Api, email: str, password: str) -> int:
    return api.post("/api/customers/sessions", {"email": email, "password": password}).status


# --- GET /api/customers/me


def test_a_customer_reads_their_account_without_links(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    data = me(api, log_in(customer)["token"])
    assert list(data) == CUSTOMER_FIELDS
    assert data == fields(customer.view)


def test_the_token_cookie_works_as_the_bearer_does(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    reply = api.get("/api/customers/me", cookies=[f"token={log_in(customer)['token']}"])
    assert reply.status == 200
    assert reply.data["uuid"] == customer.uuid


def test_me_needs_a_live_customer_token(api: Api, customer: CustomerAccount, log_in: Any, admin_token: str) -> None:
    session = log_in(customer)
    assert api.get("/api/customers/me").status == 401
    assert api.get("/api/customers/me", token=admin_token).status == 401
    assert api.get("/api/customers/me", cookies=[f"admin_token={admin_token}"]).status == 401
    assert api.delete(f"/api/customers/sessions/{session['sid']}", token=session["token"]).status == 200
    assert api.get("/api/customers/me", token=session["token"]).status == 401


# --- PATCH /api/customers/me


def test_a_customer_changes_their_name(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    token = log_in(customer)["token"]
    reply = api.patch("/api/customers/me", {"full_name": "  Jane Roe "}, token=token)
    assert reply.status == 200
    assert reply.data["full_name"] == "Jane Roe"
    assert list(reply.data) == CUSTOMER_FIELDS
    assert me(api, token)["full_name"] == "Jane Roe"


def test_an_empty_change_changes_nothing(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    reply = api.patch("/api/customers/me", {}, token=log_in(customer)["token"])
    assert reply.status == 200
    assert reply.data == fields(customer.view)


def test_a_new_email_needs_the_current_password(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    token = log_in(customer)["token"]
    new_email = unique_email()
    reply = api.patch("/api/customers/me", {"email": new_email}, token=token)
    assert reply.status == 400
    assert reply.error["message"] == "Current password is required to change the email"
    wrong = api.patch("/api/customers/me", {"email": new_email, "current_password": "wrong-pass"}, token=token)
    assert wrong.status == 400
    assert wrong.error["message"] == "Invalid password"
    assert me(api, token)["email"] == customer.email
    moved = api.patch("/api/customers/me", {"email": new_email, "current_password": customer.password}, token=token)
    assert moved.status == 200
    assert moved.data["email"] == new_email
    assert logs_in(api, new_email, customer.password) == 200
    assert logs_in(api, customer.email, customer.password) == 400
    # The same email in another letter case is no new email.
    recased = api.patch("/api/customers/me", {"email": new_email.upper()}, token=token)
    assert recased.status == 200


def test_an_email_taken_is_a_409(api: Api, customer: CustomerAccount, new_customer: Any, log_in: Any) -> None:
    other = new_customer()
    change = {"email": other.email.upper(), "current_password": customer.password}
    reply = api.patch("/api/customers/me", change, token=log_in(customer)["token"])
    assert reply.status == 409
    assert reply.error["message"] == "Email is already used"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("password", "Password cannot be changed here: use POST /api/customers/me/password"),
        ("status", "Status cannot be changed by the customer"),
        ("group_id", "Group id cannot be changed by the customer"),
    ],
)
def test_fields_a_customer_cannot_change_are_a_400_naming_them(
    api: Api, customer: CustomerAccount, log_in: Any, field: str, message: str
) -> None:
    token = log_in(customer)["token"]
    reply = api.patch("/api/customers/me", {"full_name": "Sneaky", field: 0}, token=token)
    assert reply.status == 400
    assert reply.error == {"status": 400, "message": message}
    assert me(api, token)["full_name"] == customer.view["full_name"]


@pytest.mark.parametrize("body", [{"email": "nope"}, {"full_name": " "}, {"full_name": None}, {"email": 5}])
def test_invalid_fields_are_a_400(api: Api, customer: CustomerAccount, log_in: Any, body: dict[str, Any]) -> None:
    reply = api.patch(
        "/api/customers/me", {**body, "current_password": customer.password}, token=log_in(customer)["token"]
    )
    assert reply.status == 400
    assert reply.error["status"] == 400


def test_wrong_current_passwords_count_as_failed_logins(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    token = log_in(customer)["token"]
    wrong = {"email": unique_email(), "current_password": "wrong-pass"}
    assert [api.patch("/api/customers/me", wrong, token=token).status for _ in range(5)] == [400] * 5
    throttled = api.patch("/api/customers/me", wrong, token=token)
    assert throttled.status == 429
    assert int(throttled.headers["retry-after"]) > 0
    # The login throttle is the same counter: the right password is refused too until the window passes.
    assert logs_in(api, customer.email, customer.password) == 429


# --- POST /api/customers/me/password


def change_password(api: Api, token: str, current: str, new: str) -> Any:
    return api.post("/api/customers/me/password", {"current_password": current, "new_password": new}, token=token)


def test_a_password_change_ends_every_session_and_opens_a_new_one(
    api: Api, customer: CustomerAccount, log_in: Any
) -> None:
    this, other = log_in(customer), log_in(customer)
    reply = change_password(api, this["token"], customer.password, "brand-new-pass")
    assert reply.status == 200
    assert set(reply.data) == {"token", "sid"}
    assert any(cookie.startswith(f"token={reply.data['token']};") for cookie in reply.cookies)
    assert api.get("/api/customers/me", token=this["token"]).status == 401
    assert api.get("/api/customers/me", token=other["token"]).status == 401
    assert me(api, reply.data["token"])["uuid"] == customer.uuid
    assert logs_in(api, customer.email, customer.password) == 400
    assert logs_in(api, customer.email, "brand-new-pass") == 200


def test_a_wrong_current_password_changes_nothing_and_is_throttled(
    api: Api, customer: CustomerAccount, log_in: Any
) -> None:
    token = log_in(customer)["token"]
    first = change_password(api, token, "wrong-pass", "brand-new-pass")
    assert first.status == 400
    assert first.error["message"] == "Invalid password"
    assert me(api, token)["uuid"] == customer.uuid  # still logged in
    statuses = [change_password(api, token, "wrong-pass", "brand-new-pass").status for _ in range(5)]
    assert statuses == [400] * 4 + [429]
    assert change_password(api, token, customer.password, "brand-new-pass").status == 429


@pytest.mark.parametrize(
    "body",
    [{"new_password": "brand-new-pass"}, {"current_password": "x"}, {"current_password": "x", "new_password": "short"}],
)
def test_a_password_change_needs_both_passwords_valid(
    api: Api, customer: CustomerAccount, log_in: Any, body: dict[str, Any]
) -> None:
    reply = api.post("/api/customers/me/password", body, token=log_in(customer)["token"])
    assert reply.status == 400
    assert logs_in(api, customer.email, customer.password) == 200


def test_an_admin_token_cannot_change_a_password_here(api: Api, admin_token: str) -> None:
    reply = api.post(
        "/api/customers/me/password", {"current_password": "a", "new_password": "bbbbbbbb"}, token=admin_token
    )
    assert reply.status == 401


# --- GET /api/customers/me/sessions


def test_the_sessions_list_the_live_ones_newest_first_with_where_they_came_from(
    api: Api, customer: CustomerAccount, log_in: Any
) -> None:
    first = log_in(customer)
    second = api.post(
        "/api/customers/sessions",
        {"email": customer.email, "password": customer.password},
        headers={"user-agent": "Phone/1.0"},
    ).data
    ended = log_in(customer)
    assert api.delete(f"/api/customers/sessions/{ended['sid']}", token=ended["token"]).status == 200
    reply = api.get("/api/customers/me/sessions", token=first["token"])
    assert reply.status == 200
    items = reply.data["items"]
    assert [item["sid"] for item in items] == [second["sid"], first["sid"]]
    assert [item["current"] for item in items] == [False, True]
    assert set(items[0]) == {"sid", "created_at", "expires_at", "ip", "user_agent", "current"}
    assert items[0]["user_agent"] == "Phone/1.0"
    assert items[0]["ip"] == "127.0.0.1"
    assert items[0]["created_at"] < items[0]["expires_at"]


def test_after_logging_out_everywhere_only_the_new_session_is_listed(
    api: Api, customer: CustomerAccount, log_in: Any
) -> None:
    log_in(customer), log_in(customer)
    renewed = change_password(api, log_in(customer)["token"], customer.password, "brand-new-pass").data
    items = api.get("/api/customers/me/sessions", token=renewed["token"]).data["items"]
    assert [(item["sid"], item["current"]) for item in items] == [(renewed["sid"], True)]


def test_another_customers_sessions_are_never_listed(
    api: Api, customer: CustomerAccount, new_customer: Any, log_in: Any
) -> None:
    other = new_customer()
    log_in(other)
    mine = log_in(customer)
    items = api.get("/api/customers/me/sessions", token=mine["token"]).data["items"]
    assert [item["sid"] for item in items] == [mine["sid"]]
    assert dataclasses.asdict(other)["uuid"] not in str(items)
