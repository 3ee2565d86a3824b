"""Logins resist guessing: failures are throttled per normalized email, and every outcome costs
exactly one bcrypt check, so neither the answer nor the work tells an attacker which failed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import bcrypt
import pytest

from customer_api.core import clock
from customer_api.core import settings as config
from local import template
from tests.support import ADMIN_EMAIL, ADMIN_PASSWORD, Api, CustomerAccount, Reply, unique_email

CUSTOMER_LOGIN = "/api/customers/sessions"
ADMIN_LOGINS = ["/api/user/tokens", "/api/user/sessions"]
WINDOW = 15 * 60
MAX_FAILURES = 5


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Stops the service's clock at the current second; call it to move the clock to that
    second plus some seconds."""
    start = float(int(clock.now()))
    moment = {"now": start}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])

    def move_to(seconds_after_start: float) -> None:
        moment["now"] = start + seconds_after_start

    return move_to


@pytest.fixture
def login_limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int, int], None]]:
    """Sets LOGIN_MAX_FAILURES and LOGIN_FAILURE_WINDOW_SECONDS for one test."""

    def set_limits(max_failures: int, window_seconds: int) -> None:
        monkeypatch.setenv("LOGIN_MAX_FAILURES", str(max_failures))
        monkeypatch.setenv("LOGIN_FAILURE_WINDOW_SECONDS", str(window_seconds))
        config.settings.cache_clear()

    yield set_limits
    config.settings.cache_clear()  # the environment is restored after this; read it afresh


def attempt(api: Api, email: str, password: str, path: str = CUSTOMER_LOGIN) -> Reply:
    return api.post(path, {"email": email, "password": password})


def fail(api: Api, email: str, times: int, path: str = CUSTOMER_LOGIN) -> None:
    for _ in range(times):
        reply = attempt(api, email, "wrong-password", path)
        assert reply.status == 400, reply.body


def assert_throttled(reply: Reply, retry_after: int) -> None:
    assert reply.status == 429, reply.body
    assert reply.body == {"error": {"status": 429, "message": reply.error["message"]}}
    assert reply.headers["retry-after"] == str(retry_after)


# --- customer login throttling ---------------------------------------------------------------


def test_the_right_password_is_throttled_after_five_failures(
    api: Api, customer: CustomerAccount, frozen_clock: Callable[[float], None]
) -> None:
    fail(api, customer.email, MAX_FAILURES)

    reply = attempt(api, customer.email, customer.password)

    assert_throttled(reply, WINDOW)


def test_four_failures_do_not_throttle(
    api: Api, customer: CustomerAccount, frozen_clock: Callable[[float], None]
) -> None:
    fail(api, customer.email, MAX_FAILURES - 1)

    reply = attempt(api, customer.email, customer.password)

    assert reply.status == 200, reply.body


def test_retry_after_counts_down_to_the_end_of_the_window(
    api: Api, customer: CustomerAccount, frozen_clock: Callable[[float], None]
) -> None:
    fail(api, customer.email, MAX_FAILURES)
    frozen_clock(WINDOW - 100)

    reply = attempt(api, customer.email, customer.password)

    assert_throttled(reply, 100)


def test_the_window_opens_at_the_first_failure(
    api: Api, customer: CustomerAccount, frozen_clock: Callable[[float], None]
) -> None:
    fail(api, customer.email, 1)
    frozen_clock(600)
    fail(api, customer.email, MAX_FAILURES - 1)

    reply = attempt(api, customer.email, customer.password)

    assert_throttled(reply, WINDOW - 600)


def test_a_login_succeeds_again_once_the_window_has_passed(
    api: Api, customer: CustomerAccount, frozen_clock: Callable[[float], None]
) -> None:
    fail(api, customer.email, MAX_FAILURES)
    frozen_clock(WINDOW)

    reply = attempt(api, customer.email, customer.password)

    assert reply.status == 200, reply.body


def test_failures_of_an_old_window_do_not_count_in_the_next(
    api: Api, customer: CustomerAccount, frozen_clock: Callable[[float], None]
) -> None:
    fail(api, customer.email, MAX_FAILURES - 1)
    frozen_clock(WINDOW + 1)
    fail(api, customer.email, MAX_FAILURES - 1)

    reply = attempt(api, customer.email, customer.password)

    assert reply.status == 200, reply.body


def test_a_success_resets_the_count(api: Api, customer: CustomerAccount, frozen_clock: Callable[[float], None]) -> None:
    fail(api, customer.email, MAX_FAILURES - 1)
    assert attempt(api, customer.email, customer.password).status == 200
    fail(api, customer.email, MAX_FAILURES - 1)

    reply = attempt(api, customer.email, customer.password)

    assert reply.status == 200, reply.body


def test_failures_in_any_letter_case_count_against_the_same_email(
    api: Api, customer: CustomerAccount, frozen_clock: Callable[[float], None]
) -> None:
    fail(api, customer.email.upper(), 2)
    fail(api, f"  {customer.email.title()} ", 3)

    reply = attempt(api, customer.email, customer.password)

    assert_throttled(reply, WINDOW)


def test_unknown_emails_are_throttled_like_known_ones(api: Api, frozen_clock: Callable[[float], None]) -> None:
    """Otherwise a 429 would tell which emails have an account."""
    email = unique_email("nobody")
    fail(api, email, MAX_FAILURES)

    reply = attempt(api, email, "any-password")

    assert_throttled(reply, WINDOW)


def test_throttling_one_email_leaves_others_alone(
    api: Api, new_customer: Any, frozen_clock: Callable[[float], None]
) -> None:
    victim, other = new_customer(), new_customer()
    fail(api, victim.email, MAX_FAILURES)

    reply = attempt(api, other.email, other.password)

    assert reply.status == 200, reply.body


def test_failures_while_throttled_do_not_extend_the_window(
    api: Api, customer: CustomerAccount, frozen_clock: Callable[[float], None]
) -> None:
    fail(api, customer.email, MAX_FAILURES)
    frozen_clock(WINDOW - 1)
    assert attempt(api, customer.email, "wrong-password").status == 429
    frozen_clock(WINDOW)

    reply = attempt(api, customer.email, customer.password)

    assert reply.status == 200, reply.body


def test_the_limit_and_the_window_come_from_the_environment(
    api: Api,
    customer: CustomerAccount,
    frozen_clock: Callable[[float], None],
    login_limits: Callable[[int, int], None],
) -> None:
    login_limits(2, 60)
    fail(api, customer.email, 2)

    reply = attempt(api, customer.email, customer.password)

    assert_throttled(reply, 60)


def test_a_shorter_configured_window_lets_logins_through_sooner(
    api: Api,
    customer: CustomerAccount,
    frozen_clock: Callable[[float], None],
    login_limits: Callable[[int, int], None],
) -> None:
    login_limits(2, 60)
    fail(api, customer.email, 2)
    frozen_clock(60)

    reply = attempt(api, customer.email, customer.password)

    assert reply.status == 200, reply.body


# --- admin login throttling -------------------------------------------------------------------


@pytest.mark.parametrize("path", ADMIN_LOGINS)
def test_admin_login_is_throttled_after_five_failures(
    api: Api, admin: None, frozen_clock: Callable[[float], None], path: str
) -> None:
    fail(api, ADMIN_EMAIL, MAX_FAILURES, path)
    frozen_clock(WINDOW - 1)

    reply = attempt(api, ADMIN_EMAIL.upper(), ADMIN_PASSWORD, path)

    assert_throttled(reply, 1)


@pytest.mark.parametrize("path", ADMIN_LOGINS)
def test_admin_login_succeeds_again_once_the_window_has_passed(
    api: Api, admin: None, frozen_clock: Callable[[float], None], path: str
) -> None:
    fail(api, ADMIN_EMAIL, MAX_FAILURES, path)
    frozen_clock(WINDOW)

    reply = attempt(api, ADMIN_EMAIL, ADMIN_PASSWORD, path)

    assert reply.status == 200, reply.body


@pytest.mark.parametrize("path", ADMIN_LOGINS)
def test_admin_success_resets_the_count(
    api: Api, admin: None, frozen_clock: Callable[[float], None], path: str
) -> None:
    fail(api, ADMIN_EMAIL, MAX_FAILURES - 1, path)
    assert attempt(api, ADMIN_EMAIL, ADMIN_PASSWORD, path).status == 200
    fail(api, ADMIN_EMAIL, MAX_FAILURES - 1, path)

    reply = attempt(api, ADMIN_EMAIL, ADMIN_PASSWORD, path)

    assert reply.status == 200, reply.body


def test_admin_and_customer_failures_are_counted_apart(
    api: Api, admin: None, frozen_clock: Callable[[float], None]
) -> None:
    """A customer with the admin's email cannot lock the admin out, nor the reverse."""
    fail(api, ADMIN_EMAIL, MAX_FAILURES, CUSTOMER_LOGIN)

    reply = attempt(api, ADMIN_EMAIL, ADMIN_PASSWORD, "/api/user/tokens")

    assert reply.status == 200, reply.body


# --- API Gateway throttling ---------------------------------------------------------------------


def test_the_http_api_throttles_every_route_by_parameters() -> None:
    resources, parameters = template.template()["Resources"], template.template()["Parameters"]
    settings = resources["HttpApi"]["Properties"]["DefaultRouteSettings"]

    assert settings["ThrottlingRateLimit"] == {"Ref": "ThrottlingRateLimit"}
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ThrottlingBurstLimit"}
    assert parameters["ThrottlingRateLimit"]["Default"] > 0
    assert parameters["ThrottlingBurstLimit"]["Default"] > 0


# --- one bcrypt check, whatever the outcome ----------------------------------------------------


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Records every bcrypt.checkpw call (the password checked) and every hash made."""
    calls: list[bytes] = []
    real_checkpw, real_hashpw = bcrypt.checkpw, bcrypt.hashpw

    def counting_checkpw(password: bytes, hashed: bytes) -> bool:
        calls.append(password)
        return real_checkpw(password, hashed)

    def refusing_hashpw(password: bytes, salt: bytes) -> bytes:
        calls.append(b"<hashpw>")  # a login must never hash: that costs the same as a check
        return real_hashpw(password, salt)

    monkeypatch.setattr(bcrypt, "checkpw", counting_checkpw)
    monkeypatch.setattr(bcrypt, "hashpw", refusing_hashpw)
    return calls


@pytest.fixture
def disabled_customer(new_customer: Any) -> CustomerAccount:
    return new_customer(status=0)  # type: ignore[no-any-return]


LOGIN_FAILURES: dict[str, Callable[[CustomerAccount, CustomerAccount], dict[str, str]]] = {
    "unknown email": lambda c, d: {"email": unique_email("nobody"), "password": c.password},
    "wrong password": lambda c, d: {"email": c.email, "password": "wrong-password"},
    "disabled customer": lambda c, d: {"email": d.email, "password": d.password},
    "password over 72 bytes": lambda c, d: {"email": c.email, "password": c.password + "x" * 80},
    "password of 40 characters and 80 bytes": lambda c, d: {"email": c.email, "password": "é" * 40},
    "password with a NUL byte": lambda c, d: {"email": c.email, "password": c.password + "\x00"},
    "empty password": lambda c, d: {"email": c.email, "password": ""},
    "unknown email with a NUL password": lambda c, d: {"email": unique_email("nobody"), "password": "a\x00b"},
}


@pytest.mark.parametrize("case", LOGIN_FAILURES.values(), ids=list(LOGIN_FAILURES))
def test_every_login_failure_costs_one_bcrypt_check(
    api: Api,
    customer: CustomerAccount,
    disabled_customer: CustomerAccount,
    checks: list[bytes],
    case: Callable[[CustomerAccount, CustomerAccount], dict[str, str]],
) -> None:
    body = case(customer, disabled_customer)
    checks.clear()

    reply = api.post(CUSTOMER_LOGIN, body)

    assert reply.body == {"error": {"status": 400, "message": "Invalid email or password"}}
    assert reply.status == 400
    assert len(checks) == 1, checks


def test_a_successful_login_costs_one_bcrypt_check(api: Api, customer: CustomerAccount, checks: list[bytes]) -> None:
    checks.clear()

    reply = attempt(api, customer.email, customer.password)

    assert reply.status == 200, reply.body
    assert checks == [customer.password.encode()]


def test_a_throttled_login_costs_no_bcrypt_check(
    api: Api, customer: CustomerAccount, checks: list[bytes], frozen_clock: Callable[[float], None]
) -> None:
    """Throttling is decided before the check, so a flood of guesses burns no CPU."""
    fail(api, customer.email, MAX_FAILURES)
    checks.clear()

    reply = attempt(api, customer.email, customer.password)

    assert reply.status == 429
    assert checks == []


ADMIN_FAILURES: dict[str, dict[str, str]] = {
    "unknown email": {"email": "nobody@shop.example.com", "password": ADMIN_PASSWORD},
    "wrong password": {"email": ADMIN_EMAIL, "password": "wrong-password"},
    "password over 72 bytes": {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD + "x" * 80},
    "password with a NUL byte": {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD + "\x00"},
}


@pytest.mark.parametrize("path", ADMIN_LOGINS)
@pytest.mark.parametrize("body", ADMIN_FAILURES.values(), ids=list(ADMIN_FAILURES))
def test_every_admin_login_failure_costs_one_bcrypt_check(
    api: Api, admin: None, checks: list[bytes], path: str, body: dict[str, str]
) -> None:
    checks.clear()

    reply = api.post(path, body)

    assert reply.body == {"error": {"status": 400, "message": "Invalid email or password"}}
    assert len(checks) == 1, checks
