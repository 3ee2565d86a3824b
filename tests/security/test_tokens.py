"""Every protected route refuses every bad credential with the contract's 401, and changes nothing.

The matrix: each bad token (forged, tampered, expired, premature, incomplete, of the wrong kind,
revoked in each way the contract promises) on each protected route, sent as a bearer token and
as the cookie EverShop's clients use. Forgeries are signed with the service's real keys (read
from Secrets Manager) wherever the case needs a valid signature, so that each one fails for its
one defect only: `test_a_forgery_without_defect_is_accepted` proves the forging itself is sound.

One world (moto tables, an admin, a customer, their sessions) serves the whole module: no
request here may change it, and each test proves that by comparing the tables before and after.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest

from customer_api.core import settings as config
from customer_api.domain import sessions, tokens
from tests.support import Reply
from tests.support.world import World, admin_login, client, customer_login, module_world, new_customer, snapshot


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with module_world() as built:
        yield built


# --- forging -------------------------------------------------------------------------------


def signing_key(audience: str) -> str:
    """The service's real current key for an audience, straight from Secrets Manager."""
    settings = config.settings()
    name = settings.customer_token_secret if audience == tokens.CUSTOMER else settings.admin_token_secret
    secret = client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]
    return str(json.loads(secret)["current"])


def live_claims(world: World, audience: str) -> dict[str, Any]:
    """The claims of a live token of this audience: a forgery starts from them."""
    token = world.customer_token if audience == tokens.CUSTOMER else world.admin_token
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def forge(claims: dict[str, Any], key: str, headers: dict[str, Any] | None = None) -> str:
    return jwt.encode(claims, key, algorithm="HS256", headers=headers)


def forge_with(world: World, audience: str, **changes: Any) -> str:
    """A token signed with the real key: the live claims with `changes` (None removes a claim)."""
    claims = {**live_claims(world, audience), **changes}
    return forge({name: value for name, value in claims.items() if value is not None}, signing_key(audience))


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def tampered(world: World, audience: str, **changes: Any) -> str:
    """A live token whose payload was edited while its signature was kept."""
    token = world.customer_token if audience == tokens.CUSTOMER else world.admin_token
    header, _, signature = token.split(".")
    return ".".join([header, _b64({**live_claims(world, audience), **changes}), signature])


def now() -> int:
    return int(time.time())


# --- revocations (each builds its own victim, so the shared world stays as it is) -----------


def logged_out_customer_token(world: World) -> str:
    session = customer_login(world.api, world.customer_email)
    reply = world.api.delete(f"/api/customers/sessions/{session['sid']}", token=session["token"])
    assert reply.status == 200, reply.body
    return session["token"]


def _token_of_changed_customer(world: World, change: Callable[[str], Reply]) -> str:
    customer_uuid, email = new_customer(world.api, world.admin_token)
    token = customer_login(world.api, email)["token"]
    reply = change(customer_uuid)
    assert reply.status == 200, reply.body
    return token


def token_after_password_change(world: World) -> str:
    return _token_of_changed_customer(
        world,
        lambda id_: world.api.patch(f"/api/customers/{id_}", {"password": "new-secret-1"}, token=world.admin_token),
    )


def token_of_disabled_customer(world: World) -> str:
    return _token_of_changed_customer(
        world, lambda id_: world.api.patch(f"/api/customers/{id_}", {"status": 0}, token=world.admin_token)
    )


def token_of_deleted_customer(world: World) -> str:
    return _token_of_changed_customer(
        world, lambda id_: world.api.delete(f"/api/customers/{id_}", token=world.admin_token)
    )


def token_of_ended_admin_session(world: World) -> str:
    session = admin_login(world.api)
    reply = world.api.delete(f"/api/user/sessions/{session['sid']}", token=world.admin_token)
    assert reply.status == 200, reply.body
    return session["token"]


# --- the matrix ------------------------------------------------------------------------------

# A case builds a bad token from the world and the audience the forgery targets.
Case = Callable[[World, str], str]

# Forgeries: each is tried with the audience of every kind of token the route accepts.
FORGERIES: dict[str, Case] = {
    "garbage": lambda w, a: "not.a.jwt",
    "not three parts": lambda w, a: "garbage",
    "alg none": lambda w, a: jwt.encode(live_claims(w, a), None, algorithm="none"),
    "alg none with the signature kept": lambda w, a: ".".join(
        [_b64({"alg": "none", "typ": "JWT"}), *forge_with(w, a).split(".")[1:]]
    ),
    "alg HS512 with the real key": lambda w, a: jwt.encode(live_claims(w, a), signing_key(a), algorithm="HS512"),
    "signed with another key": lambda w, a: forge(live_claims(w, a), "another-key-" + "x" * 40),
    "signed with the other audience's key": lambda w, a: forge(
        live_claims(w, a), signing_key(tokens.ADMIN if a == tokens.CUSTOMER else tokens.CUSTOMER)
    ),
    "payload tampered: exp extended": lambda w, a: tampered(w, a, exp=now() + 365 * 86400),
    "payload tampered: sid changed": lambda w, a: tampered(w, a, sid=w.target_customer_sid),
    "expired": lambda w, a: forge_with(w, a, iat=now() - 7200, exp=now() - 60),
    "issued in the future": lambda w, a: forge_with(w, a, iat=now() + 3600, exp=now() + 7200),
    "not valid before a future time": lambda w, a: forge_with(w, a, nbf=now() + 3600),
    "missing exp": lambda w, a: forge_with(w, a, exp=None),
    "missing iat": lambda w, a: forge_with(w, a, iat=None),
    "missing aud": lambda w, a: forge_with(w, a, aud=None),
    "missing sid": lambda w, a: forge_with(w, a, sid=None),
    "sid not a string": lambda w, a: forge_with(w, a, sid=12345),
    "sid of no session": lambda w, a: forge_with(w, a, sid="00000000-0000-4000-8000-000000000000"),
    "missing the principal claim": lambda w, a: forge_with(w, a, customer=None, user=None),
    "audience list": lambda w, a: forge_with(w, a, aud=[a, "other"]),
    "unknown audience": lambda w, a: forge_with(w, a, aud="superuser"),
}
# Tokens of the wrong kind or revoked: the same on every route.
WRONG_OR_REVOKED: dict[str, Case] = {
    "admin refresh token": lambda w, a: w.admin_refresh_token,
    "customer session logged out": lambda w, a: logged_out_customer_token(w),
    "customer password changed": lambda w, a: token_after_password_change(w),
    "customer disabled": lambda w, a: token_of_disabled_customer(w),
    "customer deleted": lambda w, a: token_of_deleted_customer(w),
    "admin session ended": lambda w, a: token_of_ended_admin_session(w),
}
ON_ADMIN_ROUTES_ONLY: dict[str, Case] = {
    "customer token": lambda w, a: w.customer_token,
    "customer token tampered to the admin audience": lambda w, a: tampered(w, tokens.CUSTOMER, aud=tokens.ADMIN),
}


@dataclasses.dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: Callable[[World], str]
    body: dict[str, Any] | None
    audiences: tuple[str, ...]  # the kinds of token the route accepts
    cookie: dict[str, str]  # the cookie that carries a token of each audience

    @property
    def is_admin_only(self) -> bool:
        return self.audiences == (tokens.ADMIN,)


_ADMIN_COOKIE = {tokens.ADMIN: "admin_token", tokens.CUSTOMER: "admin_token"}
_LOGOUT_COOKIE = {tokens.ADMIN: "admin_token", tokens.CUSTOMER: "token"}
ROUTES = [
    Route(
        "create customer",
        "POST",
        lambda w: "/api/customers",
        {"email": "intruder@shop.example.com", "password": "secret-123", "full_name": "Intruder"},
        (tokens.ADMIN,),
        _ADMIN_COOKIE,
    ),
    Route(
        "update customer",
        "PATCH",
        lambda w: f"/api/customers/{w.customer_uuid}",
        {"full_name": "Owned", "password": "owned-password", "status": 0},
        (tokens.ADMIN,),
        _ADMIN_COOKIE,
    ),
    Route(
        "delete customer", "DELETE", lambda w: f"/api/customers/{w.customer_uuid}", None, (tokens.ADMIN,), _ADMIN_COOKIE
    ),
    Route(
        "end admin session",
        "DELETE",
        lambda w: f"/api/user/sessions/{w.target_admin_sid}",
        None,
        (tokens.ADMIN,),
        _ADMIN_COOKIE,
    ),
    Route(
        "logout (DELETE)",
        "DELETE",
        lambda w: f"/api/customers/sessions/{w.target_customer_sid}",
        None,
        (tokens.CUSTOMER, tokens.ADMIN),
        _LOGOUT_COOKIE,
    ),
    Route(
        "logout (POST)",
        "POST",
        lambda w: f"/api/customers/sessions/{w.target_customer_sid}",
        None,
        (tokens.CUSTOMER, tokens.ADMIN),
        _LOGOUT_COOKIE,
    ),
]


def _matrix() -> Iterator[Any]:
    for route in ROUTES:
        for case_name, case in FORGERIES.items():
            for audience in route.audiences:
                yield pytest.param(route, case, audience, id=f"{route.name}: {audience} {case_name}")
        extra = {**WRONG_OR_REVOKED, **(ON_ADMIN_ROUTES_ONLY if route.is_admin_only else {})}
        for case_name, case in extra.items():
            yield pytest.param(route, case, route.audiences[0], id=f"{route.name}: {case_name}")


MATRIX = list(_matrix())


def call(world: World, route: Route, **credentials: Any) -> Reply:
    return world.api.call(route.method, route.path(world), route.body, **credentials)


def assert_refused(reply: Reply) -> None:
    assert reply.status == 401, reply.body
    assert reply.body == {"error": {"status": 401, "message": reply.error["message"]}}
    assert reply.error["message"] in {"Unauthorized", "Invalid token"}
    assert not any("Max-Age" in cookie and "=;" not in cookie for cookie in reply.cookies)


@pytest.mark.parametrize(("route", "case", "audience"), MATRIX)
def test_bad_bearer_token_is_refused_and_changes_nothing(world: World, route: Route, case: Case, audience: str) -> None:
    token = case(world, audience)
    before = snapshot()

    reply = call(world, route, token=token)

    assert_refused(reply)
    assert snapshot() == before


# Every admin route reads its cookie through the same authorizer (auth.admin_caller), and both
# logout routes through auth.customer_or_admin_caller: one route of each carries the cookie matrix.
COOKIE_ROUTES = ("delete customer", "logout (DELETE)")
COOKIE_MATRIX = [param for param in MATRIX if param.values[0].name in COOKIE_ROUTES]


@pytest.mark.parametrize(("route", "case", "audience"), COOKIE_MATRIX)
def test_bad_token_cookie_is_refused_and_changes_nothing(world: World, route: Route, case: Case, audience: str) -> None:
    token = case(world, audience)
    before = snapshot()

    reply = call(world, route, cookies=[f"{route.cookie[audience]}={token}"])

    assert_refused(reply)
    assert snapshot() == before


MISSING_CREDENTIALS: dict[str, dict[str, Any]] = {
    "no credentials": {},
    "empty bearer": {"headers": {"authorization": "Bearer "}},
    "bearer scheme alone": {"headers": {"authorization": "Bearer"}},
    "basic scheme": {"headers": {"authorization": "Basic YWRtaW46YWRtaW4="}},
    "empty cookies": {"cookies": ["admin_token=", "token="]},
    "unrelated cookie": {"cookies": ["session=abc"]},
}


@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
@pytest.mark.parametrize("credentials", MISSING_CREDENTIALS.values(), ids=list(MISSING_CREDENTIALS))
def test_missing_credentials_are_refused_and_change_nothing(
    world: World, route: Route, credentials: dict[str, Any]
) -> None:
    before = snapshot()

    reply = call(world, route, **credentials)

    assert_refused(reply)
    assert snapshot() == before


@pytest.mark.parametrize("audience", [tokens.CUSTOMER, tokens.ADMIN])
def test_a_forgery_without_defect_is_accepted(world: World, audience: str) -> None:
    """The control of the matrix: forging itself is sound, so each refusal above is its defect's."""
    caller = sessions.authenticate(forge_with(world, audience), audience)

    assert caller.sid == live_claims(world, audience)["sid"]


def test_the_bad_bearer_wins_over_a_good_cookie(world: World) -> None:
    before = snapshot()

    reply = world.api.delete(
        f"/api/customers/{world.customer_uuid}",
        token="not.a.jwt",
        cookies=[f"admin_token={world.admin_token}"],
    )

    assert_refused(reply)
    assert snapshot() == before


def test_a_revoked_customer_cookie_is_not_rescued_by_an_admin_cookie(world: World) -> None:
    """On logout the customer cookie is the credential when present; a dead one is a 401."""
    dead_token = logged_out_customer_token(world)
    before = snapshot()

    reply = world.api.delete(
        f"/api/customers/sessions/{world.target_customer_sid}",
        cookies=[f"token={dead_token}", f"admin_token={world.admin_token}"],
    )

    assert_refused(reply)
    assert snapshot() == before


@pytest.mark.parametrize("method", ["DELETE", "POST"])
def test_an_admin_may_log_a_customer_out(world: World, method: str) -> None:
    session = customer_login(world.api, world.customer_email)

    reply = world.api.call(method, f"/api/customers/sessions/{session['sid']}", token=world.admin_token)

    assert reply.status == 200, reply.body
    assert reply.body == {"data": {}}
    gone = world.api.delete(f"/api/customers/sessions/{world.target_customer_sid}", token=session["token"])
    assert gone.status == 401


def test_an_admin_cookie_may_log_a_customer_out(world: World) -> None:
    session = customer_login(world.api, world.customer_email)

    reply = world.api.delete(f"/api/customers/sessions/{session['sid']}", cookies=[f"admin_token={world.admin_token}"])

    assert reply.status == 200, reply.body
