"""Logins of customers and admins: the same bcrypt work whatever the outcome, throttled per email
(each password check counted before it is made)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from customer_api import store
from customer_api.core import clock
from customer_api.core.errors import ConcurrentChange, InvalidCredentials, InvalidPassword, TooManyLoginFailures
from customer_api.core.records import (
    UNKNOWN_ORIGIN,
    AdminUser,
    Customer,
    LoginFailures,
    LoginOrigin,
    PrincipalKind,
    Session,
    email_key,
)
from customer_api.core.settings import settings
from customer_api.domain import tokens
from customer_api.domain.inputs import MAX_EMAIL_CHARS
from customer_api.domain.passwords import hash_password, needs_rehash, password_matches


def _refuse_impossible_email(key: str, password: str) -> None:
    """No account has an email longer than the limit, and DynamoDB refuses keys that long:
    answer as for an unknown email, after the same one bcrypt check."""
    if len(key) > MAX_EMAIL_CHARS:
        password_matches(password, None)
        raise InvalidCredentials()


def _refuse_while_throttled(failures: LoginFailures, now: int) -> None:
    # Cheap: answers a flood from the read alone, without a write.
    if failures.count >= settings().login_max_failures and failures.window_ends > now:
        raise TooManyLoginFailures(failures.window_ends - now)


# A user agent is kept for the customer to recognise a device, not in full.
MAX_USER_AGENT_CHARS = 256


def open_session(
    kind: PrincipalKind,
    principal: str,
    account: Customer | AdminUser,
    lifetime: int,
    origin: LoginOrigin,
    *,
    sid: str | None = None,
    proof: str = "",
) -> Session:
    """A new session (`sid`, or a new one), opened only while the account is still enabled at
    the epoch it was read at; the counted login attempts of the account's email are forgotten
    with it."""
    now = int(clock.now())
    session = Session(
        sid=sid or str(uuid.uuid4()),
        kind=kind,
        principal=principal,
        epoch=account.session_epoch,
        expires_at=now + lifetime,
        seq=account.session_seq,
        created_at=now,
        ip=origin.ip,
        user_agent=origin.user_agent[:MAX_USER_AGENT_CHARS],
        proof=proof,
    )
    try:
        store.active().open_session(session, clear_failures_of=account.email_key)
    except ConcurrentChange as error:
        # Disabled, deleted or logged out everywhere between our read and our write.
        raise InvalidCredentials() from error
    return session


def _upgrade_hash(kind: PrincipalKind, principal: str, stored_hash: str, password: str) -> None:
    """Hash the password again at the configured cost when the stored hash has another one
    (imported, or made before the cost changed); a password changed meanwhile is left alone."""
    if needs_rehash(stored_hash):
        store.active().upgrade_password_hash(kind, principal, stored_hash, hash_password(password))


def _checked[Account: (Customer, AdminUser)](
    kind: PrincipalKind, key: str, password: str, account: Account | None, seen: LoginFailures
) -> Account:
    """The account, after the throttled password check every login makes whatever the account:
    InvalidCredentials for an unknown email, a wrong password or a disabled account alike.

    The check is counted before it is made, so that parallel requests cannot all read a count
    below the limit and all check a password: TooManyLoginFailures past the limit."""
    _count_attempt(kind, key, seen)
    matches = password_matches(password, account.password_hash if account else None)
    if account is None or not matches or account.status != 1:
        raise InvalidCredentials()
    return account


def _count_attempt(kind: PrincipalKind, key: str, seen: LoginFailures) -> None:
    """Count one password check of an email before it is made: TooManyLoginFailures past the
    limit, however many checks run at once."""
    now, config = int(clock.now()), settings()
    _refuse_while_throttled(seen, now)
    window, limit = config.login_failure_window_seconds, config.login_max_failures
    store.active().take_login_attempt(kind, key, now, window_seconds=window, max_attempts=limit, seen=seen)


def check_own_password(customer: Customer, password: str) -> None:
    """A logged-in customer's current password (to change the password or the email), checked
    as a login checks it: counted first on the same per-email throttle. InvalidPassword if wrong."""
    _count_attempt(PrincipalKind.CUSTOMER, customer.email_key, LoginFailures())
    if not password_matches(password, customer.password_hash):
        raise InvalidPassword()


def log_in_customer(email: str, password: str, origin: LoginOrigin = UNKNOWN_ORIGIN) -> tuple[Customer, Session]:
    """A new session for the customer with these credentials, else InvalidCredentials.

    Unknown email, wrong password and disabled customer all cost the same bcrypt work and give
    the same answer.
    """
    key = email_key(email)
    _refuse_impossible_email(key, password)
    found, failures = store.active().customer_for_login(key)
    customer = _checked(PrincipalKind.CUSTOMER, key, password, found, failures)
    lifetime = settings().customer_token_seconds
    kind = PrincipalKind.CUSTOMER
    session = open_session(kind, customer.uuid, customer, lifetime, origin)
    _upgrade_hash(kind, customer.uuid, customer.password_hash, password)
    return customer, session


def log_in_admin(
    email: str,
    password: str,
    lifetime: int,
    origin: LoginOrigin = UNKNOWN_ORIGIN,
    *,
    sign: Callable[[AdminUser, str], str],
) -> tuple[AdminUser, Session, str]:
    """A new admin session of `lifetime` seconds and its token, `sign(admin, sid)`, else
    InvalidCredentials (throttled likewise). The session keeps the token's proof, so that the
    function that ends customer sessions can tell an admin's token without the signing key."""
    key = email_key(email)
    _refuse_impossible_email(key, password)
    found, failures = store.active().admin_for_login(key)
    admin = _checked(PrincipalKind.ADMIN, key, password, found, failures)
    kind = PrincipalKind.ADMIN
    sid = str(uuid.uuid4())
    token = sign(admin, sid)
    session = open_session(kind, admin.email_key, admin, lifetime, origin, sid=sid, proof=tokens.proof_of(token))
    _upgrade_hash(kind, admin.email_key, admin.password_hash, password)
    return admin, session, token
