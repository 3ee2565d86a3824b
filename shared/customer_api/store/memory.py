"""The Store in memory, with the DynamoDB store's semantics: conditional writes, unique emails and
all-or-nothing changes, each under one lock. For the unit tests: no AWS, no moto, microseconds."""

from __future__ import annotations

import base64
import copy
import dataclasses
import json
import threading
from typing import Any

from customer_api.core.errors import (
    ConcurrentChange,
    CustomerNotFound,
    EmailTaken,
    GroupInUse,
    GroupNotFound,
    TooManyLoginFailures,
    TooManyResetRequests,
    UnknownGroup,
)
from customer_api.core.records import (
    DEFAULT_GROUP_ID,
    AddressBook,
    AdminUser,
    Customer,
    CustomerFieldsChange,
    CustomerGroup,
    CustomerQuery,
    DomainEvent,
    LoginFailures,
    PasswordReset,
    PrincipalKind,
    ResetTarget,
    Session,
)
from customer_api.core.settings import settings
from customer_api.store import keys
from customer_api.store.protocol import MAX_ITEMS_PER_CHANGE


class MemoryStore:
    """See `protocol.Store` for each method's promise."""

    def __init__(self, secrets: dict[str, dict[str, Any]] | None = None) -> None:
        self._lock = threading.RLock()
        self._last_customer_id = 0
        self.customers: dict[str, Customer] = {}
        self.claims: dict[str, str] = {}  # email key -> customer uuid
        self.admins: dict[str, AdminUser] = {}  # email key -> admin
        self.sessions: dict[str, Session] = {}
        self.failures: dict[tuple[PrincipalKind, str], LoginFailures] = {}
        self.secrets: dict[str, dict[str, Any]] = dict(secrets or {})
        self.address_books: dict[str, AddressBook] = {}  # by customer uuid
        self.groups: dict[int, CustomerGroup] = {}
        self._last_group_id = DEFAULT_GROUP_ID
        self.reset_requests: dict[str, LoginFailures] = {}
        self.resets_for_nobody: dict[str, PasswordReset] = {}  # by email key
        self.published: list[DomainEvent] = []

    # --- customers

    def next_customer_id(self) -> int:
        with self._lock:
            self._last_customer_id += 1
            return self._last_customer_id

    def insert_customer(self, customer: Customer) -> None:
        with self._lock:
            if customer.email_key in self.claims:
                raise EmailTaken()
            if customer.uuid in self.customers:
                raise ConcurrentChange()
            self._move_member(None, customer.group_id)
            self.customers[customer.uuid] = customer
            self.claims[customer.email_key] = customer.uuid

    def _move_member(self, left: int | None, joined: int | None) -> None:
        """Count a customer out of one group and into another (the Default group counts none)."""
        if left == joined:
            return
        if joined is not None and joined != DEFAULT_GROUP_ID:
            if joined not in self.groups:
                raise UnknownGroup()
            self.groups[joined] = dataclasses.replace(self.groups[joined], members=self.groups[joined].members + 1)
        if left is not None and left != DEFAULT_GROUP_ID and left in self.groups:
            self.groups[left] = dataclasses.replace(self.groups[left], members=self.groups[left].members - 1)

    def get_customer(self, customer_uuid: str) -> Customer | None:
        with self._lock:
            return self.customers.get(customer_uuid)

    def customer_by_email(self, email_key: str) -> Customer | None:
        with self._lock:
            owner = self.claims.get(email_key)
            return self.customers.get(owner) if owner else None

    def list_customers(self, query: CustomerQuery, limit: int, after: str | None) -> tuple[list[Customer], str | None]:
        # The positions are the DynamoDB store's: the creation sort key, or the email key.
        by_email = query.email_prefix is not None

        def position(customer: Customer) -> str:
            return customer.email_key if by_email else keys.created_listing(customer)[1]

        with self._lock:
            listed = sorted(self.customers.values(), key=position, reverse=not by_email)
        if after is not None:
            listed = [c for c in listed if (position(c) > after if by_email else position(c) < after)]
        matching = [dataclasses.replace(c, password_hash="") for c in listed if query.matches(c)]
        if len(matching) <= limit:
            return matching, None
        return matching[:limit], position(matching[limit - 1])

    def _require_as_read(self, current: Customer) -> None:
        stored = self.customers.get(current.uuid)
        if stored is None or stored.version != current.version:
            raise ConcurrentChange()

    def save_customer(self, current: Customer, changed: Customer) -> Customer:
        with self._lock:
            self._require_as_read(current)
            stored = dataclasses.replace(changed, version=current.version + 1)
            if stored.email_key != current.email_key:
                if stored.email_key in self.claims:
                    raise EmailTaken()
                if self.claims.get(current.email_key) != current.uuid:
                    raise ConcurrentChange()
            self._move_member(current.group_id, stored.group_id)
            if stored.email_key != current.email_key:
                del self.claims[current.email_key]
                self.claims[stored.email_key] = stored.uuid
            self.customers[stored.uuid] = stored
            return stored

    def change_customer_fields(
        self, customer_uuid: str, change: CustomerFieldsChange, *, only_while_live_at_epoch: int | None = None
    ) -> Customer:
        with self._lock:
            stored = self.customers.get(customer_uuid)
            if stored is None:
                raise CustomerNotFound()
            live = only_while_live_at_epoch
            if live is not None and (stored.status != 1 or stored.session_epoch != live):
                raise ConcurrentChange()
            epoch = stored.session_epoch + change.ends_sessions
            changed = dataclasses.replace(stored, **_fields_of(change), session_epoch=epoch, version=stored.version + 1)
            self.customers[customer_uuid] = changed
            return changed

    def delete_customer(self, current: Customer) -> None:
        with self._lock:
            self._require_as_read(current)
            if self.claims.get(current.email_key) != current.uuid:
                raise ConcurrentChange()
            del self.customers[current.uuid]
            del self.claims[current.email_key]
            self.address_books.pop(current.uuid, None)
            self._move_member(current.group_id, None)

    # --- address books

    def get_address_book(self, customer_uuid: str) -> AddressBook:
        with self._lock:
            return self.address_books.get(customer_uuid, AddressBook())

    def save_address_book(self, customer_uuid: str, current: AddressBook, changed: AddressBook) -> AddressBook:
        with self._lock:
            if customer_uuid not in self.customers:
                raise CustomerNotFound()
            if self.address_books.get(customer_uuid, AddressBook()).version != current.version:
                raise ConcurrentChange()
            stored = dataclasses.replace(changed, version=current.version + 1)
            self.address_books[customer_uuid] = stored
            return stored

    # --- customer groups

    def next_group_id(self) -> int:
        with self._lock:
            self._last_group_id += 1
            return self._last_group_id

    def get_group(self, group_id: int) -> CustomerGroup | None:
        with self._lock:
            return self.groups.get(group_id)

    def list_groups(self) -> list[CustomerGroup]:
        with self._lock:
            return [dataclasses.replace(group, members=0) for _, group in sorted(self.groups.items())]

    def insert_group(self, group: CustomerGroup) -> None:
        with self._lock:
            if group.group_id in self.groups:
                raise ConcurrentChange()
            self.groups[group.group_id] = group

    def rename_group(self, group_id: int, group_name: str, updated_at: str) -> CustomerGroup | None:
        with self._lock:
            stored = self.groups.get(group_id)
            if stored is None:
                return None
            renamed = dataclasses.replace(stored, group_name=group_name, updated_at=updated_at)
            self.groups[group_id] = renamed
            return renamed

    def delete_group(self, group_id: int) -> CustomerGroup:
        with self._lock:
            stored = self.groups.get(group_id)
            if stored is None:
                raise GroupNotFound()
            if stored.members > 0:
                raise GroupInUse()
            return self.groups.pop(group_id)

    # --- admin users

    def insert_admin(self, admin: AdminUser) -> None:
        with self._lock:
            if admin.email_key in self.admins:
                raise EmailTaken()
            self.admins[admin.email_key] = admin

    # --- logins

    def customer_for_login(self, email_key: str) -> tuple[Customer | None, LoginFailures]:
        with self._lock:
            owner = self.claims.get(email_key)
            customer = self.customers.get(owner) if owner else None
            return customer, self.failures.get((PrincipalKind.CUSTOMER, email_key), LoginFailures())

    def admin_for_login(self, email_key: str) -> tuple[AdminUser | None, LoginFailures]:
        with self._lock:
            return self.admins.get(email_key), self.failures.get((PrincipalKind.ADMIN, email_key), LoginFailures())

    def take_login_attempt(
        self,
        kind: PrincipalKind,
        email_key: str,
        now: int,
        *,
        window_seconds: int,
        max_attempts: int,
        seen: LoginFailures,
    ) -> LoginFailures:
        with self._lock:
            running = self.failures.get((kind, email_key))
            if running is None or running.window_ends <= now:
                counted = LoginFailures(count=1, window_ends=now + window_seconds)
            elif running.count < max_attempts:
                counted = dataclasses.replace(running, count=running.count + 1)
            else:
                raise TooManyLoginFailures(running.window_ends - now)
            self.failures[(kind, email_key)] = counted
            return counted

    def take_reset_request(self, email_key: str, now: int, *, window_seconds: int, max_requests: int) -> None:
        with self._lock:
            running = self.reset_requests.get(email_key)
            if running is None or running.window_ends <= now:
                self.reset_requests[email_key] = LoginFailures(count=1, window_ends=now + window_seconds)
            elif running.count < max_requests:
                self.reset_requests[email_key] = dataclasses.replace(running, count=running.count + 1)
            else:
                raise TooManyResetRequests(running.window_ends - now)

    def upgrade_password_hash(self, kind: PrincipalKind, principal: str, old_hash: str, new_hash: str) -> bool:
        with self._lock:
            account = self._principal(kind, principal)
            if account is None or account.password_hash != old_hash:
                return False
            self._write_principal(dataclasses.replace(account, password_hash=new_hash))
            return True

    def _principal(self, kind: PrincipalKind, principal: str) -> Customer | AdminUser | None:
        return self.customers.get(principal) if kind is PrincipalKind.CUSTOMER else self.admins.get(principal)

    def _write_principal(self, account: Customer | AdminUser) -> None:
        if isinstance(account, Customer):
            self.customers[account.uuid] = account
        else:
            self.admins[account.email_key] = account

    def open_session(self, session: Session, clear_failures_of: str | None) -> None:
        with self._lock:
            owner = self._principal(session.kind, session.principal)
            if owner is None or owner.status != 1 or owner.session_epoch != session.epoch:
                raise ConcurrentChange()
            if session.sid in self.sessions:
                raise ConcurrentChange()
            self.sessions[session.sid] = session
            self._write_principal(_changed(owner, session_seq=owner.session_seq + 1))
            if clear_failures_of is not None:
                window = self.failures.get((session.kind, clear_failures_of), LoginFailures())
                self.failures[(session.kind, clear_failures_of)] = LoginFailures(0, window.window_ends)

    # --- sessions

    def session_with_account(
        self, sid: str, kind: PrincipalKind, principal: str
    ) -> tuple[Session | None, Customer | AdminUser | None]:
        with self._lock:
            return self.sessions.get(sid), self._principal(kind, principal)

    def session_with_customer_and_book(
        self, sid: str, customer_uuid: str
    ) -> tuple[Session | None, Customer | None, AddressBook]:
        with self._lock:
            book = self.address_books.get(customer_uuid, AddressBook())
            return self.sessions.get(sid), self.customers.get(customer_uuid), book

    def recent_sessions(self, kind: PrincipalKind, principal: str, limit: int) -> list[Session]:
        with self._lock:
            owned = [s for s in self.sessions.values() if (s.kind, s.principal) == (kind, principal)]
        return sorted(owned, key=lambda session: session.seq, reverse=True)[: min(limit, 100)]

    def spend_refresh(self, session: Session) -> bool:
        with self._lock:
            stored = self.sessions.get(session.sid)
            if stored is None or stored.refresh_gen != session.refresh_gen:
                return False
            self.sessions[session.sid] = dataclasses.replace(stored, refresh_gen=stored.refresh_gen + 1)
            return True

    def get_sessions(self, sids: list[str], kind: PrincipalKind = PrincipalKind.CUSTOMER) -> dict[str, Session]:
        with self._lock:
            return {sid: self.sessions[sid] for sid in sids if sid in self.sessions and self.sessions[sid].kind is kind}

    def end_sessions(self, sessions: list[Session], end_all_of: list[tuple[PrincipalKind, str]]) -> None:
        if len(sessions) + len(end_all_of) > MAX_ITEMS_PER_CHANGE:
            raise ValueError("too many changes for one transaction")
        with self._lock:
            for session in sessions:
                stored = self.sessions.get(session.sid)
                if stored is None or (stored.kind, stored.principal) != (session.kind, session.principal):
                    raise ConcurrentChange()
            if any(self._principal(kind, principal) is None for kind, principal in end_all_of):
                raise ConcurrentChange()
            for session in sessions:
                del self.sessions[session.sid]
            for kind, principal in end_all_of:
                self._bump_epoch(kind, principal)

    def _bump_epoch(self, kind: PrincipalKind, principal: str) -> None:
        owner = self._principal(kind, principal)
        if owner is not None:
            self._write_principal(_changed(owner, session_epoch=owner.session_epoch + 1))

    def sweep_sessions(self, kind: PrincipalKind, principal: str) -> int:
        with self._lock:
            owned = [sid for sid, s in self.sessions.items() if (s.kind, s.principal) == (kind, principal)]
            owned = owned[: settings().sweep_limit]
            for sid in owned:
                del self.sessions[sid]
            return len(owned)

    # --- password resets

    def email_owner(self, email_key: str) -> str | None:
        with self._lock:
            return self.claims.get(email_key)

    def reset_target(self, customer_uuid: str) -> ResetTarget | None:
        with self._lock:
            found = self.customers.get(customer_uuid)
            return ResetTarget(found.uuid, found.status, found.version) if found else None

    def save_reset(self, current: ResetTarget, reset: PasswordReset) -> None:
        with self._lock:
            stored = self.customers.get(current.uuid)
            if stored is None or stored.version != current.version:
                raise ConcurrentChange()
            self.customers[current.uuid] = dataclasses.replace(stored, reset=reset, version=current.version + 1)

    def save_reset_for_nobody(self, email_key: str, reset: PasswordReset) -> None:
        with self._lock:
            self.resets_for_nobody[email_key] = reset

    # --- keys and events

    def seal(self, plaintext: str, context: dict[str, str]) -> str:
        # Not encryption: a wrapping that `unseal` opens only with the same context, as KMS would.
        return base64.b64encode(json.dumps({"context": context, "plaintext": plaintext}).encode()).decode()

    @staticmethod
    def unseal(sealed: str, context: dict[str, str]) -> str:
        opened = json.loads(base64.b64decode(sealed))
        if opened["context"] != context:
            raise ValueError("another encryption context")
        return str(opened["plaintext"])

    def publish_events(self, events: list[DomainEvent]) -> None:
        with self._lock:
            self.published.extend(events)

    # --- secrets

    def read_secret(self, name: str, max_age: int, *, fresh: bool = False) -> dict[str, Any]:
        # No cache here: every read is fresh.
        with self._lock:
            if name not in self.secrets:
                raise LookupError(f"no secret named {name!r}")
            return copy.deepcopy(self.secrets[name])


def _changed(account: Customer | AdminUser, **changes: Any) -> Customer | AdminUser:
    """The account with `changes`, and a customer's version bumped (admins have none): what the
    DynamoDB store's `ADD ..., version :one` does."""
    if isinstance(account, Customer):
        return dataclasses.replace(account, **changes, version=account.version + 1)
    return dataclasses.replace(account, **changes)


def _fields_of(change: CustomerFieldsChange) -> dict[str, Any]:
    """What a change of name and/or status sets (as DynamoStore's codec does)."""
    given = {"full_name": change.full_name, "status": change.status}
    return {"updated_at": change.updated_at} | {name: value for name, value in given.items() if value is not None}
