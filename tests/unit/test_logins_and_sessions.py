"""Logins, tokens and logouts on the in-memory store."""

from __future__ import annotations

import pytest

from customer_api.core.errors import InvalidCredentials, InvalidToken, SessionNotFound, TooManyLoginFailures
from customer_api.core.records import Customer, PrincipalKind
from customer_api.core.settings import settings
from customer_api.domain import customers, logins, sessions, tokens
from customer_api.domain.admins import create_admin
from customer_api.domain.inputs import CustomerCreate, CustomerUpdate
from customer_api.store.memory import MemoryStore

PASSWORD = "secret-123"


def create(email: str = "jane@shop.example.com") -> Customer:
    body = {"email": email, "password": PASSWORD, "full_name": "Jane Doe"}
    return customers.create_customer(CustomerCreate.model_validate(body))


def customer_token(email: str = "jane@shop.example.com") -> tuple[str, sessions.Caller]:
    customer, session = logins.log_in_customer(email, PASSWORD)
    token = tokens.issue(tokens.CUSTOMER, {"customer": customer.token_claims(), "sid": session.sid}, 60)
    return token, sessions.authenticate(token, tokens.CUSTOMER)


def test_a_login_opens_a_session_that_authenticates(memory: MemoryStore) -> None:
    customer = create()
    _, caller = customer_token("JANE@shop.example.com")
    assert (caller.kind, caller.principal) == (PrincipalKind.CUSTOMER, customer.uuid)
    assert caller.sid in memory.sessions


@pytest.mark.parametrize("password", ["wrong-password", "x" * 73, ""])
def test_a_wrong_password_is_refused_and_counted(memory: MemoryStore, password: str) -> None:
    create()
    with pytest.raises(InvalidCredentials):
        logins.log_in_customer("jane@shop.example.com", password)
    assert memory.failures[(PrincipalKind.CUSTOMER, "jane@shop.example.com")].count == 1
    assert memory.sessions == {}


def test_unknown_and_disabled_customers_get_the_same_refusal(memory: MemoryStore) -> None:
    disabled = create("off@shop.example.com")
    customers.update_customer(disabled.uuid, CustomerUpdate(status=0))
    for email in ("nobody@shop.example.com", "off@shop.example.com"):
        with pytest.raises(InvalidCredentials):
            logins.log_in_customer(email, PASSWORD)
    assert memory.sessions == {}


def test_after_the_allowed_failures_even_the_right_password_waits(memory: MemoryStore) -> None:
    create()
    for _ in range(settings().login_max_failures):
        with pytest.raises(InvalidCredentials):
            logins.log_in_customer("jane@shop.example.com", "wrong-password")
    with pytest.raises(TooManyLoginFailures) as refused:
        logins.log_in_customer("jane@shop.example.com", PASSWORD)
    assert 0 < refused.value.retry_after_seconds <= settings().login_failure_window_seconds


def test_a_successful_login_clears_the_failures(memory: MemoryStore) -> None:
    create()
    with pytest.raises(InvalidCredentials):
        logins.log_in_customer("jane@shop.example.com", "wrong-password")
    logins.log_in_customer("jane@shop.example.com", PASSWORD)
    assert (PrincipalKind.CUSTOMER, "jane@shop.example.com") not in memory.failures


def test_a_token_of_one_audience_is_refused_for_the_other(memory: MemoryStore) -> None:
    create()
    token, _ = customer_token()
    with pytest.raises(InvalidToken):
        sessions.authenticate(token, tokens.ADMIN)


def test_a_logout_kills_the_token(memory: MemoryStore) -> None:
    create()
    token, caller = customer_token()
    assert sessions.end_customer_sessions(caller, [caller.sid], []) is True
    with pytest.raises(InvalidToken):
        sessions.authenticate(token, tokens.CUSTOMER)


def test_logout_of_every_session_by_uuid_kills_every_token(memory: MemoryStore) -> None:
    customer = create()
    first, caller = customer_token()
    second, _ = customer_token()
    assert sessions.end_customer_sessions(caller, [], [customer.uuid]) is True
    for token in (first, second):
        with pytest.raises(InvalidToken):
            sessions.authenticate(token, tokens.CUSTOMER)
    assert memory.sessions == {}


def test_a_logout_listing_a_session_of_another_customer_ends_nothing(memory: MemoryStore) -> None:
    create()
    create("john@shop.example.com")
    _, jane = customer_token()
    _, john = customer_token("john@shop.example.com")
    with pytest.raises(SessionNotFound):
        sessions.end_customer_sessions(jane, [jane.sid, john.sid], [])
    with pytest.raises(SessionNotFound):
        sessions.end_customer_sessions(jane, [], [john.principal])
    assert set(memory.sessions) == {jane.sid, john.sid}


def test_an_admin_may_end_any_customer_session_and_admin_session(memory: MemoryStore) -> None:
    create()
    _, customer = customer_token()
    create_admin("boss@shop.example.com", "boss-pass-1", "Boss")
    admin, session = logins.log_in_admin("boss@shop.example.com", "boss-pass-1", 60)
    claims = {"user": admin.token_claims(), "sid": session.sid}
    caller = sessions.authenticate(tokens.issue(tokens.ADMIN, claims, 60), tokens.ADMIN)
    assert sessions.end_customer_sessions(caller, [customer.sid], []) is False
    assert sessions.end_admin_session(caller, session.sid) is True
    assert memory.sessions == {}
