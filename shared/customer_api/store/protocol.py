"""What the domain needs kept, whatever keeps it: the DynamoDB store on AWS, the in-memory store in
the unit tests. One contract test suite runs against both (tests/contract), so they cannot drift.

Every invariant is a condition of the write that could break it, never a read then a write:
- an email (compared by its key) belongs to one customer at most: EmailTaken otherwise;
- a customer or session is changed only as it was read: ConcurrentChange otherwise;
- a session opens only while its principal is enabled and at the epoch it was read at;
- a multi-item change happens whole or not at all.
"""

from __future__ import annotations

from typing import Any, Protocol

from customer_api.core.records import (
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

# At most this many changes in one all-or-nothing write (DynamoDB's transaction limit).
MAX_ITEMS_PER_CHANGE = 100


class Store(Protocol):
    # --- customers
    def next_customer_id(self) -> int:
        """An id never handed out before (ids of failed creates are skipped, never reused)."""
        ...

    def insert_customer(self, customer: Customer) -> None:
        """Store a new customer with its email claimed, counted in its group. EmailTaken if the
        email is claimed; UnknownGroup if the group does not exist."""
        ...

    def get_customer(self, customer_uuid: str) -> Customer | None: ...

    def customer_by_email(self, email_key: str) -> Customer | None:
        """The customer owning an email (through its claim), if any."""
        ...

    def list_customers(self, query: CustomerQuery, limit: int, after: str | None) -> tuple[list[Customer], str | None]:
        """A page of customers matching `query`: newest first, or in email order when the query
        has an email prefix; at most `limit`, maybe fewer (a page's reads are bounded whatever
        the filters discard). `after` is the position a previous page ended at; the position
        this page ends at comes back, None at the end. Listed customers carry no password hash."""
        ...

    def save_customer(self, current: Customer, changed: Customer) -> Customer:
        """Replace `current` (as read) by `changed` with the version bumped, moving the email claim
        if the email changed and the count of its group if the group changed. ConcurrentChange
        if the customer changed since it was read; EmailTaken if the new email belongs to another
        customer; UnknownGroup if the new group does not exist."""
        ...

    def change_customer_fields(
        self, customer_uuid: str, change: CustomerFieldsChange, *, only_while_live_at_epoch: int | None = None
    ) -> Customer:
        """Set a stored customer's name and/or status with the version bumped (and the session
        epoch, if the change ends sessions) in one conditional write, without reading it first;
        the customer as it is after it. Nothing else of the customer is written, so a change
        made meanwhile by another writer stays (and a save from an older read of it fails).
        CustomerNotFound if there is no such customer; with `only_while_live_at_epoch`,
        ConcurrentChange unless the customer is enabled and still at that session epoch (every
        session of it ended since: the caller's session is over)."""
        ...

    def delete_customer(self, current: Customer) -> None:
        """Delete the customer (as read) with its addresses, free its email and count it out of
        its group, all at once. ConcurrentChange if it changed."""
        ...

    # --- address books
    def get_address_book(self, customer_uuid: str) -> AddressBook:
        """The customer's addresses (an empty book at version 0 when it never had one)."""
        ...

    def save_address_book(self, customer_uuid: str, current: AddressBook, changed: AddressBook) -> AddressBook:
        """Replace the book as read by `changed`, version bumped, while the customer exists.
        ConcurrentChange if it changed since read; CustomerNotFound if the customer is gone."""
        ...

    # --- customer groups (group 1, Default, is stored only once renamed, and counts no members)
    def next_group_id(self) -> int:
        """A group id never handed out before, from 2."""
        ...

    def get_group(self, group_id: int) -> CustomerGroup | None: ...

    def list_groups(self) -> list[CustomerGroup]:
        """Every stored group, by id (member counts not included)."""
        ...

    def insert_group(self, group: CustomerGroup) -> None:
        """Store a new group. ConcurrentChange if one has its id."""
        ...

    def rename_group(self, group_id: int, group_name: str, updated_at: str) -> CustomerGroup | None:
        """Rename a stored group (its count untouched); the group as it is now, None if none."""
        ...

    def delete_group(self, group_id: int) -> CustomerGroup:
        """Delete a group no customer is in: GroupInUse otherwise, GroupNotFound if there is none.
        The group as it was when deleted."""
        ...

    # --- admin users
    def insert_admin(self, admin: AdminUser) -> None:
        """Store a new admin user. EmailTaken if one has the email."""
        ...

    # --- logins
    def customer_for_login(self, email_key: str) -> tuple[Customer | None, LoginFailures]:
        """The customer owning an email (if any) and the email's failed logins."""
        ...

    def admin_for_login(self, email_key: str) -> tuple[AdminUser | None, LoginFailures]: ...

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
        """Count one password check for an email, atomically, before it is made: at most
        `max_attempts` per window however many run at once. Opens a new window when none is
        running; TooManyLoginFailures (with the seconds left) when the window is full. `seen`
        (the count as last read) only saves a round trip: the outcome does not depend on it."""
        ...

    def take_reset_request(self, email_key: str, now: int, *, window_seconds: int, max_requests: int) -> None:
        """Count one password reset request for an email, atomically, before it is served, as
        `take_login_attempt` counts logins (its own counter): TooManyResetRequests past the limit."""
        ...

    def upgrade_password_hash(self, kind: PrincipalKind, principal: str, old_hash: str, new_hash: str) -> bool:
        """Replace a password hash by the same password hashed anew, unless the hash changed
        meanwhile (a new password wins). Whether it was replaced."""
        ...

    def open_session(self, session: Session, clear_failures_of: str | None) -> None:
        """Store a session if its principal is enabled and still at the session's epoch, and count
        the login on the principal (`session_seq`, and a customer's version); zero the count of
        login attempts of `clear_failures_of` with it. ConcurrentChange otherwise."""
        ...

    # --- sessions
    def session_with_account(
        self, sid: str, kind: PrincipalKind, principal: str
    ) -> tuple[Session | None, Customer | AdminUser | None]:
        """A session and the customer or admin it claims to belong to, in one read."""
        ...

    def session_with_customer_and_book(
        self, sid: str, customer_uuid: str
    ) -> tuple[Session | None, Customer | None, AddressBook]:
        """A customer session, the customer it claims to belong to, and that customer's address
        book (empty, version 0, if it has none), in one read."""
        ...

    def get_sessions(self, sids: list[str], kind: PrincipalKind = PrincipalKind.CUSTOMER) -> dict[str, Session]:
        """The sessions of this kind that exist among `sids`."""
        ...

    def recent_sessions(self, kind: PrincipalKind, principal: str, limit: int) -> list[Session]:
        """The principal's latest `limit` sessions that still exist (100 at most), newest login
        first."""
        ...

    def spend_refresh(self, session: Session) -> bool:
        """Count one more refresh token of the session spent, if none was since `session` was
        read (its `refresh_gen`) and it still exists. Whether it was counted."""
        ...

    def end_sessions(self, sessions: list[Session], end_all_of: list[tuple[PrincipalKind, str]]) -> None:
        """Delete these sessions and end every session of these principals (by bumping their
        epoch), all or nothing. ConcurrentChange if a session is gone or not its owner's any
        more, or a principal no longer exists. ValueError past MAX_ITEMS_PER_CHANGE."""
        ...

    def sweep_sessions(self, kind: PrincipalKind, principal: str) -> int:
        """Delete up to SWEEP_LIMIT session items of a principal whose sessions were ended; how
        many. Only housekeeping: those sessions are already dead, so an interrupted or partial
        sweep loses nothing (what is left expires by TTL)."""
        ...

    # --- password resets: a known email's calls and an unknown one's alike (domain.recovery)
    def email_owner(self, email_key: str) -> str | None:
        """The uuid of the customer owning an email (through its claim), if any: the claim's
        other fields do not come back."""
        ...

    def reset_target(self, customer_uuid: str) -> ResetTarget | None:
        """A customer as a reset request needs it, if it exists: its other fields do not come
        back, so that the answer is about as small as none."""
        ...

    def save_reset(self, current: ResetTarget, reset: PasswordReset) -> None:
        """Put a new pending password reset on the customer as read, replacing any older one,
        with the version bumped and nothing else changed. ConcurrentChange if the customer
        changed since it was read, or is gone."""
        ...

    def save_reset_for_nobody(self, email_key: str, reset: PasswordReset) -> None:
        """The write `save_reset` makes, of a reset made for nobody (an unknown or disabled
        email), where nothing reads it and no event comes of it (the sessions table: no
        stream), replacing the email's previous one; it expires with the reset. Customers and
        the counting of requests are left as they were."""
        ...

    # --- keys and events
    def seal(self, plaintext: str, context: dict[str, str]) -> str:
        """`plaintext` encrypted with the reset-token key under an encryption context, as base64:
        only a holder of the key who names the same context can read it."""
        ...

    def publish_events(self, events: list[DomainEvent]) -> None:
        """Put the events on the bus; raises unless the bus took every one."""
        ...

    # --- secrets
    def read_secret(self, name: str, max_age: int, *, fresh: bool = False) -> dict[str, Any]:
        """A JSON secret, from a cache at most `max_age` seconds old; `fresh` reads it past the
        cache (and caches what it read), so a change made behind the cache shows at once."""
        ...
