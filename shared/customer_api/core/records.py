"""The records the rooms pass to one another: customers, admins, sessions, throttles. Plain frozen
dataclasses (cheap to import, no validation: the edge validated what came in)."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any


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
class Session:
    """A login. `principal` is the customer uuid or the admin's email key."""

    sid: str
    kind: PrincipalKind
    principal: str
    epoch: int  # the principal's session_epoch at login; a later bump ends this session
    expires_at: int
    seq: int = 0  # the principal's session_seq at login: MAX_SESSIONS logins later it is ended

    def is_live_for(self, owner: Principal, now: float, max_sessions: int) -> bool:
        """Unexpired, at its owner's current epoch, the owner enabled, and among the owner's
        latest `max_sessions` logins."""
        return (
            self.expires_at > now
            and owner.status == 1
            and owner.session_epoch == self.epoch
            and self.seq >= owner.session_seq - max_sessions
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Principal:
    """What a session's validity depends on: the customer's or admin's status and epoch."""

    status: int
    session_epoch: int
    session_seq: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class LoginFailures:
    """Failed logins for one email in the current window (a window opens at its first failure)."""

    count: int = 0
    window_ends: int = 0
