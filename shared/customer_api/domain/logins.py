"""Logins of customers and admins: one bcrypt check whatever the outcome, throttled per email."""

from __future__ import annotations

import uuid
from typing import NoReturn

from customer_api import store
from customer_api.core import clock
from customer_api.core.errors import ConcurrentChange, InvalidCredentials, TooManyLoginFailures
from customer_api.core.records import AdminUser, Customer, LoginFailures, PrincipalKind, Session, email_key
from customer_api.core.settings import settings
from customer_api.domain.inputs import MAX_EMAIL_CHARS
from customer_api.domain.passwords import password_matches


def _refuse_impossible_email(key: str, password: str) -> None:
    """No account has an email longer than the limit, and DynamoDB refuses keys that long:
    answer as for an unknown email, after the same one bcrypt check."""
    if len(key) > MAX_EMAIL_CHARS:
        password_matches(password, None)
        raise InvalidCredentials()


def _refuse_while_throttled(failures: LoginFailures, now: int) -> None:
    if failures.count >= settings().login_max_failures and failures.window_ends > now:
        raise TooManyLoginFailures(failures.window_ends - now)


def _refuse_login(kind: PrincipalKind, key: str, now: int) -> NoReturn:
    """Count the failure against the email, then answer as for every failure."""
    store.active().record_login_failure(kind, key, now, settings().login_failure_window_seconds)
    raise InvalidCredentials()


def _open_session(
    kind: PrincipalKind, principal: str, *, epoch: int, lifetime: int, key: str, failures: LoginFailures
) -> Session:
    session = Session(
        sid=str(uuid.uuid4()),
        kind=kind,
        principal=principal,
        epoch=epoch,
        expires_at=int(clock.now()) + lifetime,
    )
    try:
        store.active().open_session(session, clear_failures_of=key if failures.count else None)
    except ConcurrentChange as error:
        # Disabled, deleted or logged out everywhere between our read and our write.
        raise InvalidCredentials() from error
    return session


def log_in_customer(email: str, password: str) -> tuple[Customer, Session]:
    """A new session for the customer with these credentials, else InvalidCredentials.

    Unknown email, wrong password and disabled customer all cost one bcrypt check and give
    the same answer.
    """
    key, now = email_key(email), int(clock.now())
    _refuse_impossible_email(key, password)
    customer, failures = store.active().customer_for_login(key)
    _refuse_while_throttled(failures, now)
    matches = password_matches(password, customer.password_hash if customer else None)
    if customer is None or not matches or customer.status != 1:
        _refuse_login(PrincipalKind.CUSTOMER, key, now)
    lifetime = settings().customer_token_seconds
    session = _open_session(
        PrincipalKind.CUSTOMER,
        customer.uuid,
        epoch=customer.session_epoch,
        lifetime=lifetime,
        key=key,
        failures=failures,
    )
    return customer, session


def log_in_admin(email: str, password: str, lifetime: int) -> tuple[AdminUser, Session]:
    """A new admin session of `lifetime` seconds, else InvalidCredentials (throttled likewise)."""
    key, now = email_key(email), int(clock.now())
    _refuse_impossible_email(key, password)
    admin, failures = store.active().admin_for_login(key)
    _refuse_while_throttled(failures, now)
    matches = password_matches(password, admin.password_hash if admin else None)
    if admin is None or not matches or admin.status != 1:
        _refuse_login(PrincipalKind.ADMIN, key, now)
    session = _open_session(
        PrincipalKind.ADMIN, admin.email_key, epoch=admin.session_epoch, lifetime=lifetime, key=key, failures=failures
    )
    return admin, session
