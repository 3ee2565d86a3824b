"""The customer's own account, as the customer's token reaches it: read, change name or email
(the email with the current password), change the password, see the sessions."""

from __future__ import annotations

import dataclasses

from customer_api import store
from customer_api.core import clock
from customer_api.core.errors import ConcurrentChange, InvalidInput, InvalidToken
from customer_api.core.records import Customer, CustomerFieldsChange, LoginOrigin, PrincipalKind, Session
from customer_api.core.settings import settings
from customer_api.domain.customers import get_customer, retrying_lost_races
from customer_api.domain.inputs import OwnAccountUpdate, OwnPasswordChange
from customer_api.domain.logins import check_own_password, open_session
from customer_api.domain.passwords import hash_password
from customer_api.domain.sessions import Caller

EMAIL_NEEDS_PASSWORD = "Current password is required to change the email"


def _still_live(caller: Caller) -> Customer:
    """The caller's customer as it is now, if the caller's session has not been ended since it
    was authenticated (a password change or logout meanwhile wins): else InvalidToken."""
    current = get_customer(caller.principal)
    if current.status != 1 or current.session_epoch != caller.session.epoch:
        raise InvalidToken()
    return current


def _rename_while_live(caller: Caller, full_name: str) -> Customer:
    """A rename in one write, conditioned on what `_still_live` reads for: the caller's customer
    still enabled and at the epoch of the caller's session."""
    change = CustomerFieldsChange(updated_at=clock.timestamp(), full_name=full_name)
    try:
        return store.active().change_customer_fields(
            caller.principal, change, only_while_live_at_epoch=caller.session.epoch
        )
    except ConcurrentChange as ended:
        raise InvalidToken() from ended


def update_own_account(caller: Caller, changes: OwnAccountUpdate) -> Customer:
    """Change the caller's name and/or email; a new email needs the current password (checked
    and counted as a login is). `{}` changes nothing."""
    customer = caller.customer
    fields = changes.model_dump(exclude_none=True, exclude={"current_password"})
    if changes.email is not None and changes.email.strip().lower() != customer.email_key:
        if changes.current_password is None:
            raise InvalidInput(EMAIL_NEEDS_PASSWORD)
        check_own_password(customer, changes.current_password)
    if not fields:
        return customer
    if changes.full_name is not None and changes.email is None:
        return _rename_while_live(caller, changes.full_name)
    db = store.active()

    def change() -> Customer:
        current = _still_live(caller)
        return db.save_customer(current, dataclasses.replace(current, **fields, updated_at=clock.timestamp()))

    return retrying_lost_races(change)


def change_own_password(caller: Caller, change: OwnPasswordChange, origin: LoginOrigin) -> tuple[Customer, Session]:
    """Set a new password (the current one checked and counted as a login is), end every
    session of the customer, this one too, and open a new one."""
    check_own_password(caller.customer, change.current_password)
    new_hash = hash_password(change.new_password)
    db = store.active()

    def save() -> Customer:
        current = _still_live(caller)
        changed = dataclasses.replace(
            current,
            password_hash=new_hash,
            session_epoch=current.session_epoch + 1,
            reset=None,  # a new password voids a pending reset token
            updated_at=clock.timestamp(),
        )
        return db.save_customer(current, changed)

    saved = retrying_lost_races(save)
    db.sweep_sessions(PrincipalKind.CUSTOMER, saved.uuid)
    # Interrupted here, the password is changed and every session ended: a login opens one.
    session = open_session(PrincipalKind.CUSTOMER, saved.uuid, saved, settings().customer_token_seconds, origin)
    return saved, session


def own_sessions(caller: Caller) -> list[Session]:
    """The caller's live sessions, newest first (only the latest MAX_SESSIONS logins can be)."""
    limit = settings().max_sessions
    recent = store.active().recent_sessions(PrincipalKind.CUSTOMER, caller.principal, limit)
    now = clock.now()
    return [session for session in recent if session.is_live_for(caller.account, now, limit)]
