"""The records the rooms pass to one another: customers, admins, sessions, throttles. Plain frozen
dataclasses (cheap to import, no validation: the edge validated what came in)."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Protocol


class PrincipalKind(enum.StrEnum):
    """Who a session belongs to."""

    CUSTOMER = "customer"
    ADMIN = "admin"


def email_key(email: str) -> str:
    """The form of an email that uniqueness and login compare: trimmed, lower-cased."""
    return email.strip().lower()


@dataclasses.dataclass(frozen=True, slots=True)
class Customer:
    customer_id: int
    uuid: str
    status: int
    group_id: int
    email: str
    full_name: str
    password_hash: str = dataclasses.field(repr=False)
    created_at: str
    updated_at: str
    version: int = 1  # bumped by every write: the condition of optimistic updates
    session_epoch: int = 0  # bumped to end every session at once
    session_seq: int = 0  # logins so far: only the latest MAX_SESSIONS stay live
    reset: PasswordReset | None = None  # a pending password reset

    @property
    def email_key(self) -> str:
        return email_key(self.email)

    def token_claims(self) -> dict[str, Any]:
        """The `customer` claim of a customer token, as EverShop's docs show it."""
        return {
            "customerId": self.customer_id,
            "uuid": self.uuid,
            "status": self.status,
            "groupId": self.group_id,
            "email": self.email,
            "fullName": self.full_name,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }


@dataclasses.dataclass(frozen=True, slots=True)
class CustomerFieldsChange:
    """A change of a customer's name and/or status: fields no other item holds a copy or count
    of (unlike the email, which its claim mirrors, or the group, which counts its customers), so
    it needs no read first, only one write. `ends_sessions` ends every session of the customer
    with it (a disable does)."""

    updated_at: str
    full_name: str | None = None
    status: int | None = None
    ends_sessions: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class AdminUser:
    uuid: str
    email: str
    full_name: str
    password_hash: str = dataclasses.field(repr=False)
    status: int = 1
    session_epoch: int = 0
    session_seq: int = 0

    @property
    def email_key(self) -> str:
        return email_key(self.email)

    def token_claims(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "email": self.email, "fullName": self.full_name}


@dataclasses.dataclass(frozen=True, slots=True)
class LoginOrigin:
    """Where a login came from, kept on its session for the customer to see."""

    ip: str = ""
    user_agent: str = ""


UNKNOWN_ORIGIN = LoginOrigin()  # a login made by a command, or in a test


@dataclasses.dataclass(frozen=True, slots=True)
class Session:
    """A login. `principal` is the customer uuid or the admin's email key."""

    sid: str
    kind: PrincipalKind
    principal: str
    epoch: int  # the principal's session_epoch at login; a later bump ends this session
    expires_at: int
    seq: int = 0  # the principal's session_seq at login: MAX_SESSIONS logins later it is ended
    created_at: int = 0  # when the login happened (0: a session older than this field)
    ip: str = ""  # where the login came from, as API Gateway saw it
    user_agent: str = ""
    refresh_gen: int = 0  # refresh tokens of this session spent so far (rotation only)
    # An admin session's token, hashed: lets a function without the admin signing key check an
    # admin token (see sessions.authenticate_admin_by_proof). Empty for customer sessions.
    proof: str = dataclasses.field(default="", repr=False)

    def is_live_for(self, owner: Principal, now: float, max_sessions: int) -> bool:
        """Unexpired, at its owner's current epoch, the owner enabled, and among the owner's
        latest `max_sessions` logins."""
        return (
            self.expires_at > now
            and owner.status == 1
            and owner.session_epoch == self.epoch
            and self.seq >= owner.session_seq - max_sessions
        )


class Principal(Protocol):
    """What a session's validity depends on: its customer's or admin's status and epoch."""

    @property
    def status(self) -> int: ...
    @property
    def session_epoch(self) -> int: ...
    @property
    def session_seq(self) -> int: ...


@dataclasses.dataclass(frozen=True, slots=True)
class CustomerQuery:
    """The filters of a customer listing (any of them; None: not filtered on)."""

    email_prefix: str | None = None  # an email key prefix: the listing is in address order
    status: int | None = None
    group_id: int | None = None
    created_from: str | None = None  # YYYY-MM-DD HH:MM:SS, inclusive
    created_to: str | None = None  # YYYY-MM-DD HH:MM:SS, inclusive

    def matches(self, customer: Customer) -> bool:
        # Timestamps compare as text; "~" sorts after every one of them.
        return (
            customer.email_key.startswith(self.email_prefix or "")
            and self.status in (None, customer.status)
            and self.group_id in (None, customer.group_id)
            and (self.created_from or "") <= customer.created_at <= (self.created_to or "~")
        )


@dataclasses.dataclass(frozen=True, slots=True)
class LoginFailures:
    """Failed logins for one email in the current window (a window opens at its first failure)."""

    count: int = 0
    window_ends: int = 0


DEFAULT_GROUP_ID = 1  # EverShop's group "Default": always there, never deleted


@dataclasses.dataclass(frozen=True, slots=True)
class CustomerGroup:
    group_id: int
    uuid: str
    group_name: str
    created_at: str
    updated_at: str
    members: int = 0  # customers in the group: a group in use cannot be deleted


@dataclasses.dataclass(frozen=True, slots=True)
class Address:
    uuid: str
    full_name: str
    telephone: str
    address_1: str
    address_2: str | None
    city: str
    province: str | None
    country: str
    postcode: str
    is_default: bool
    created_at: str
    updated_at: str


@dataclasses.dataclass(frozen=True, slots=True)
class AddressBook:
    """A customer's addresses, kept and changed together: one default at most, a cap, all
    gone with the customer. `version` 0: the customer has never had an address."""

    addresses: tuple[Address, ...] = ()
    version: int = 0

    def find(self, address_uuid: str) -> Address | None:
        return next((address for address in self.addresses if address.uuid == address_uuid), None)


@dataclasses.dataclass(frozen=True, slots=True)
class DomainEvent:
    """A change as the shop's other systems hear of it: an EventBridge detail-type and detail."""

    detail_type: str
    detail: dict[str, Any]


@dataclasses.dataclass(frozen=True, slots=True)
class PasswordReset:
    """A pending password reset, on its customer: the token's hash (never the token), when it
    expires, and the token as KMS encrypted it for the reset event."""

    token_hash: str = dataclasses.field(repr=False)
    expires_at: int
    encrypted_token: str = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class ResetTarget:
    """A customer as a reset request reads it: who, whether enabled, and the version the reset
    is written under (nothing else comes back, see Store.reset_target)."""

    uuid: str
    status: int
    version: int
