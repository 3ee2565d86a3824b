"""The tables' key layout, as named functions: the store builds its keys here, and tests, the
benchmarks and the invariant checker import them instead of retyping prefixes.

Customers table, key `pk`:
  CUSTOMER#<uuid>            a customer
  EMAIL#<email key>          the claim that makes an email unique: {customer_uuid}
  COUNTER#customer_id        the last customer_id handed out
  ADMIN#<email key>          an admin user
Sessions table, key `pk`, index `by_owner` on `owner`:
  SESSION#<sid>              owner (the pk of its customer or admin), epoch, expires_at (TTL)
  FAILURES#<kind>#<email>    failed logins of the current window: count, window_ends, expires_at
"""

from __future__ import annotations

from customer_api.core.records import PrincipalKind

CUSTOMER_PREFIX = "CUSTOMER#"
ADMIN_PREFIX = "ADMIN#"
EMAIL_PREFIX = "EMAIL#"
SESSION_PREFIX = "SESSION#"
FAILURES_PREFIX = "FAILURES#"
COUNTER = "COUNTER#customer_id"
OWNER_INDEX = "by_owner"

_PRINCIPAL_PREFIX = {PrincipalKind.CUSTOMER: CUSTOMER_PREFIX, PrincipalKind.ADMIN: ADMIN_PREFIX}


def principal(kind: PrincipalKind, name: str) -> str:
    """The pk of a customer (by uuid) or an admin (by email key); also a session's `owner`."""
    return _PRINCIPAL_PREFIX[kind] + name


def customer(customer_uuid: str) -> str:
    return principal(PrincipalKind.CUSTOMER, customer_uuid)


def admin(admin_email_key: str) -> str:
    return principal(PrincipalKind.ADMIN, admin_email_key)


def principal_of(owner: str) -> tuple[PrincipalKind, str]:
    """The kind and name of a session's `owner` (the inverse of `principal`)."""
    kind, _, name = owner.partition("#")
    return PrincipalKind(kind.lower()), name


def email_claim(email_key: str) -> str:
    return EMAIL_PREFIX + email_key


def session(sid: str) -> str:
    return SESSION_PREFIX + sid


def sid_of(session_key: str) -> str:
    return session_key.removeprefix(SESSION_PREFIX)


def login_failures(kind: PrincipalKind, email_key: str) -> str:
    return f"{FAILURES_PREFIX}{kind}#{email_key}"
