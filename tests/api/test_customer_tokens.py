"""Tokens as EverShop 2.x issues them: POST /api/customer/tokens and
POST /api/customer/token/refresh, with and without rotation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jwt
import pytest

from customer_api.core.settings import settings
from tests.support import Api, CustomerAccount


def issue(api: Api, account: CustomerAccount, password: str | None = None) -> dict[str, str]:
    reply = api.post("/api/customer/tokens", {"email": account.email, "password": password or account.password})
    assert reply.status == 200, reply.body
    assert reply.cookies == []  # no cookie, as EverShop 2.x
    return reply.data


def refresh(api: Api, refresh_token: str) -> Any:
    return api.post("/api/customer/token/refresh", {"refreshToken": refresh_token})


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})  # type: ignore[no-any-return]


@pytest.fixture
def rotation() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REFRESH_TOKEN_ROTATION", "true")
        settings.cache_clear()
        yield
    settings.cache_clear()


def test_a_login_answers_a_short_lived_access_token_and_a_refresh_token(api: Api, customer: CustomerAccount) -> None:
    pair = issue(api, customer)
    assert set(pair) == {"accessToken", "refreshToken"}
    access, renewal = claims(pair["accessToken"]), claims(pair["refreshToken"])
    assert access["exp"] - access["iat"] == 15 * 60
    assert access["customer"]["uuid"] == customer.uuid
    assert access["customer"]["email"] == customer.email
    assert access["sid"] == renewal["sid"]
    assert renewal["aud"] == "customer-refresh"
    assert renewal["exp"] - renewal["iat"] <= 48 * 3600


def test_the_access_token_works_wherever_a_customer_token_does(api: Api, customer: CustomerAccount) -> None:
    pair = issue(api, customer)
    assert api.get("/api/customers/me", token=pair["accessToken"]).data["uuid"] == customer.uuid
    sid = claims(pair["accessToken"])["sid"]
    assert api.delete(f"/api/customers/sessions/{sid}", token=pair["accessToken"]).status == 200


def test_the_refresh_token_is_accepted_by_the_refresh_route_only(
    api: Api, customer: CustomerAccount, admin_token: str
) -> None:
    pair = issue(api, customer)
    assert api.get("/api/customers/me", token=pair["refreshToken"]).status == 401
    sid = claims(pair["refreshToken"])["sid"]
    assert api.delete(f"/api/customers/sessions/{sid}", token=pair["refreshToken"]).status == 401
    assert refresh(api, pair["accessToken"]).status == 401
    assert refresh(api, admin_token).status == 401


def test_wrong_credentials_are_refused_and_share_the_login_throttle(api: Api, customer: CustomerAccount) -> None:
    wrong = {"email": customer.email, "password": "wrong-password"}
    first = api.post("/api/customer/tokens", wrong)
    assert first.status == 400
    assert first.error["message"] == "Invalid email or password"
    for _ in range(2):
        assert api.post("/api/customer/tokens", wrong).status == 400
        assert api.post("/api/customers/sessions", wrong).status == 400
    assert api.post("/api/customer/tokens", {"email": customer.email, "password": customer.password}).status == 429


def test_without_rotation_the_same_refresh_token_comes_back_with_a_new_access_token(
    api: Api, customer: CustomerAccount, frozen_clock: Any
) -> None:
    pair = issue(api, customer)
    renewed = refresh(api, pair["refreshToken"])
    assert renewed.status == 200
    assert renewed.data["refreshToken"] == pair["refreshToken"]
    again = refresh(api, pair["refreshToken"])
    assert again.status == 200
    assert api.get("/api/customers/me", token=again.data["accessToken"]).status == 200
    assert claims(again.data["accessToken"])["sid"] == claims(pair["accessToken"])["sid"]


def test_a_refresh_answers_the_customer_as_it_is_now(api: Api, customer: CustomerAccount, admin_token: str) -> None:
    pair = issue(api, customer)
    api.patch(f"/api/customers/{customer.uuid}", {"full_name": "Renamed"}, token=admin_token)
    renewed = refresh(api, pair["refreshToken"]).data
    assert claims(renewed["accessToken"])["customer"]["fullName"] == "Renamed"


def test_with_rotation_each_refresh_spends_the_token_and_a_spent_one_ends_the_session(
    api: Api, customer: CustomerAccount, rotation: None
) -> None:
    pair = issue(api, customer)
    first = refresh(api, pair["refreshToken"])
    assert first.status == 200
    assert first.data["refreshToken"] != pair["refreshToken"]
    second = refresh(api, first.data["refreshToken"])
    assert second.status == 200
    assert api.get("/api/customers/me", token=second.data["accessToken"]).status == 200
    # The first refresh token, spent, comes back: whoever holds it, the session ends for all.
    reused = refresh(api, pair["refreshToken"])
    assert reused.status == 401
    assert reused.error["message"] == "Invalid token"
    assert api.get("/api/customers/me", token=second.data["accessToken"]).status == 401
    assert refresh(api, second.data["refreshToken"]).status == 401
    # Other sessions of the customer are left alone.
    assert api.get("/api/customers/me", token=issue(api, customer)["accessToken"]).status == 200


@pytest.mark.parametrize("how", ["logout", "password change", "disabled", "deleted", "logout everywhere"])
def test_whatever_ends_the_session_kills_both_tokens(
    api: Api, customer: CustomerAccount, admin_token: str, how: str
) -> None:
    pair = issue(api, customer)
    sid = claims(pair["accessToken"])["sid"]
    if how == "logout":
        assert api.delete(f"/api/customers/sessions/{sid}", token=pair["accessToken"]).status == 200
    elif how == "password change":
        change = {"current_password": customer.password, "new_password": "brand-new-pass"}
        assert api.post("/api/customers/me/password", change, token=pair["accessToken"]).status == 200
    elif how == "disabled":
        assert api.patch(f"/api/customers/{customer.uuid}", {"status": 0}, token=admin_token).status == 200
    elif how == "deleted":
        assert api.delete(f"/api/customers/{customer.uuid}", token=admin_token).status == 200
    else:
        assert api.delete(f"/api/customers/sessions/{customer.uuid}", token=admin_token).status == 200
    assert api.get("/api/customers/me", token=pair["accessToken"]).status == 401
    assert refresh(api, pair["refreshToken"]).status == 401


@pytest.mark.parametrize("body", [{}, {"refreshToken": 5}, {"refresh_token": "x"}])
def test_a_refresh_without_a_refresh_token_string_is_a_400(api: Api, body: dict[str, Any]) -> None:
    assert refresh_body(api, body).status == 400


def refresh_body(api: Api, body: dict[str, Any]) -> Any:
    return api.post("/api/customer/token/refresh", body)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
def test_a_bad_refresh_token_is_a_401(api: Api, token: str) -> None:
    reply = refresh(api, token)
    assert reply.status == 401
    assert reply.error == {"status": 401, "message": "Invalid token"}


def test_a_refresh_token_without_its_generation_is_refused(api: Api, customer: CustomerAccount) -> None:
    """Signed with our key but made without `gen` (not one of ours): refused."""
    from customer_api.domain import tokens  # noqa: PLC0415

    pair = issue(api, customer)
    made = claims(pair["refreshToken"])
    forged = tokens.issue(tokens.CUSTOMER_REFRESH, {"customer": made["customer"], "sid": made["sid"]}, 60)
    assert refresh(api, forged).status == 401
