"""The tables' key layout, as named functions: the store builds its keys here, and tests, the
benchmarks and the invariant checker import them instead of retyping prefixes.

Customers table, key `pk`, index `listing` on (`list_pk`, `list_sk`):
  CUSTOMER#<uuid>            a customer; listed under CREATED#<shard>, sorted by creation
  EMAIL#<email key>          the claim that makes an email unique: {customer_uuid}; listed under
                             EMAILS#<shard>, sorted by email key (the email_prefix search)
  COUNTER#customer_id        the last customer_id handed out
  ADMIN#<email key>          an admin user (not listed)
  ADDRESSES#<uuid>           a customer's address book: every address in one item, so that one
                             default, the cap and the customer's deletion hold in one write
  GROUP#<group_id>           a customer group, with the count of its customers
  COUNTER#group_id           the last group_id handed out (1, Default, is never stored as handed out)
Sessions table, key `pk`, index `by_owner` on `owner`, index `recent_by_owner` on (`owner`, `seq`):
  SESSION#<sid>              a customer's session: owner (the pk of its customer), epoch, seq,
                             expires_at (TTL)
  ADMINSESSION#<sid>         an admin's session, alike: its own prefix lets IAM keep the functions
                             customer tokens reach off admins' sessions (dynamodb:LeadingKeys)
  FAILURES#<kind>#<email>    failed logins of the current window: count, window_ends, expires_at
  RESETS#<email>             password reset requests of the current window: the same fields
  NOBODY#<email>             the last reset made for nobody, for an unknown or disabled email
                             (the write a customer's reset is, where no stream is): the reset's
                             fields, expires_at (TTL)

The listing index is write-sharded: a customer's shard comes from its uuid, a claim's from its
email key, so creates spread over LIST_SHARDS partitions of each kind instead of all landing on
one. A page reads every shard of its kind (see DynamoStore.list_customers).
"""

from __future__ import annotations

import zlib

from customer_api.core.records import Customer, PrincipalKind

CUSTOMER_PREFIX = "CUSTOMER#"
ADMIN_PREFIX = "ADMIN#"
EMAIL_PREFIX = "EMAIL#"
SESSION_PREFIX = "SESSION#"
ADMIN_SESSION_PREFIX = "ADMINSESSION#"
FAILURES_PREFIX = "FAILURES#"
RESETS_PREFIX = "RESETS#"
NOBODY_PREFIX = "NOBODY#"
COUNTER = "COUNTER#customer_id"
GROUP_COUNTER = "COUNTER#group_id"
ADDRESSES_PREFIX = "ADDRESSES#"
GROUP_PREFIX = "GROUP#"
OWNER_INDEX = "by_owner"
RECENT_SESSIONS_INDEX = "recent_by_owner"
LISTING_INDEX = "listing"
# Partitions of each listing. A partition takes about 1,000 writes a second: 8 of them carry
# 8,000 creates a second, far past a shop's sign-ups, while a page costs 8 small queries. Changing
# it needs only the backfill command to run again (a cursor holds no shard).
LIST_SHARDS = 8
CREATED_PREFIX = "CREATED#"
GROUPS_LISTING = "GROUPS"  # every group in one listing partition: a shop has few, made rarely
EMAILS_PREFIX = "EMAILS#"

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


def session(sid: str, kind: PrincipalKind = PrincipalKind.CUSTOMER) -> str:
    return (ADMIN_SESSION_PREFIX if kind is PrincipalKind.ADMIN else SESSION_PREFIX) + sid


def sid_of(session_key: str) -> str:
    return session_key.removeprefix(ADMIN_SESSION_PREFIX).removeprefix(SESSION_PREFIX)


def login_failures(kind: PrincipalKind, email_key: str) -> str:
    return f"{FAILURES_PREFIX}{kind}#{email_key}"


def reset_requests(email_key: str) -> str:
    return RESETS_PREFIX + email_key


def reset_for_nobody(email_key: str) -> str:
    return NOBODY_PREFIX + email_key


def created_shards() -> list[str]:
    return [f"{CREATED_PREFIX}{shard}" for shard in range(LIST_SHARDS)]


def email_shards() -> list[str]:
    return [f"{EMAILS_PREFIX}{shard}" for shard in range(LIST_SHARDS)]


def created_listing(customer: Customer) -> tuple[str, str]:
    return created_listing_of(customer.uuid, customer.created_at, customer.customer_id)


def created_listing_of(customer_uuid: str, created_at: str, customer_id: int) -> tuple[str, str]:
    """The (list_pk, list_sk) of a customer: a shard from its random uuid; creation time, then
    the id (12 digits, so that the string order is the number order) to make the key unique."""
    shard = int(customer_uuid[:8], 16) % LIST_SHARDS
    return f"{CREATED_PREFIX}{shard}", created_sort_key(created_at, customer_id)


def created_sort_key(created_at: str, customer_id: int) -> str:
    return f"{created_at}#{customer_id:012d}"


def email_listing(email_key: str) -> tuple[str, str]:
    """The (list_pk, list_sk) of an email claim: a shard from the email key, then the key."""
    shard = zlib.crc32(email_key.encode()) % LIST_SHARDS
    return f"{EMAILS_PREFIX}{shard}", email_key


def address_book(customer_uuid: str) -> str:
    return ADDRESSES_PREFIX + customer_uuid


def group(group_id: int) -> str:
    return f"{GROUP_PREFIX}{group_id}"


def group_listing(group_id: int) -> tuple[str, str]:
    return GROUPS_LISTING, f"{group_id:012d}"
