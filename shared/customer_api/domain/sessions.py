"""Who is calling (tokens checked against live sessions) and ending sessions (logout)."""

from __future__ import annotations

import contextlib
import dataclasses
import hmac

from customer_api import store
from customer_api.core import clock
from customer_api.core.errors import ConcurrentChange, InvalidToken, SessionNotFound
from customer_api.core.records import AddressBook, AdminUser, Customer, Principal, PrincipalKind, Session, email_key
from customer_api.core.settings import settings
from customer_api.domain import tokens


@dataclasses.dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated caller: a customer (principal = uuid) or an admin (= email key)."""

    kind: PrincipalKind
    principal: str
    sid: str
    session: Session  # as authenticate read it: logging out of it needs no second read
    account: Customer | AdminUser  # as authenticate read it, strongly consistent
    # The customer's address book, read along when authenticate was asked to (own-address routes).
    address_book: AddressBook | None = None

    @property
    def is_admin(self) -> bool:
        return self.kind is PrincipalKind.ADMIN

    @property
    def customer(self) -> Customer:
        """The calling customer (only routes that admit customers alone ask)."""
        if not isinstance(self.account, Customer):
            raise TypeError("the caller is not a customer")
        return self.account


# Where a token names its principal: customer.uuid, or user.email (an admin's key is the email).
_CLAIM_OF = {PrincipalKind.CUSTOMER: ("customer", "uuid"), PrincipalKind.ADMIN: ("user", "email")}


def _principal_claimed(claims: dict[str, object], kind: PrincipalKind) -> str:
    holder_name, field = _CLAIM_OF[kind]
    holder = claims.get(holder_name)
    value = holder.get(field) if isinstance(holder, dict) else None
    if not isinstance(value, str) or not value:
        raise InvalidToken()
    return value if kind is PrincipalKind.CUSTOMER else email_key(value)


def _is_live(session: Session, owner: Principal, kind: PrincipalKind, principal: str) -> bool:
    """The claimed principal's, and live for it (see Session.is_live_for)."""
    return (session.kind, session.principal) == (kind, principal) and session.is_live_for(
        owner, clock.now(), settings().max_sessions
    )


def authenticate(token: str, audience: str, *, with_address_book: bool = False) -> Caller:
    """The caller behind a token: signature, audience and expiry checked, then its session.

    A session is live while it exists, has not expired, and its customer or admin still exists,
    is enabled and has not had every session ended since (the epoch). A customer refresh token
    (audience CUSTOMER_REFRESH) names a customer session like an access token does. A customer's
    address book is read in the same round trip if asked (`with_address_book`).
    """
    kind = PrincipalKind.ADMIN if audience == tokens.ADMIN else PrincipalKind.CUSTOMER
    return _caller_of(tokens.verify(token, audience), kind, with_address_book=with_address_book)


def _caller_of(claims: dict[str, object], kind: PrincipalKind, *, with_address_book: bool = False) -> Caller:
    """The caller whose verified claims these are, while their session is live."""
    principal, sid = _principal_claimed(claims, kind), str(claims["sid"])
    db = store.active()
    session: Session | None
    owner: Customer | AdminUser | None
    book = None
    if with_address_book and kind is PrincipalKind.CUSTOMER:
        session, owner, book = db.session_with_customer_and_book(sid, principal)
    else:
        session, owner = db.session_with_account(sid, kind, principal)
    if session is None or owner is None or not _is_live(session, owner, kind, principal):
        raise InvalidToken()
    return Caller(kind=kind, principal=principal, sid=sid, session=session, account=owner, address_book=book)


def authenticate_admin_by_proof(token: str) -> Caller:
    """An admin behind a token, told without the admin signing key: the token must be the very
    one its live session was opened with (the session keeps its SHA-256, written only by the
    admin login functions). For a function customer tokens reach, which must not hold that key
    (it could sign admin tokens with it). Expiry and audience are checked as `verify` does."""
    caller = _caller_of(tokens.bound_claims(token, tokens.ADMIN), PrincipalKind.ADMIN)
    if not caller.session.proof or not hmac.compare_digest(caller.session.proof, tokens.proof_of(token)):
        raise InvalidToken()
    return caller


def refresh(refresh_token: str) -> tuple[Caller, int]:
    """The customer session a refresh token belongs to, if live, and the generation of the
    refresh token to answer with: the same one, or with rotation on, the next (this one is then
    spent, and presenting a spent one ends the session). InvalidToken otherwise."""
    claims = tokens.verify(refresh_token, tokens.CUSTOMER_REFRESH)
    generation = claims.get("gen")
    if type(generation) is not int:
        raise InvalidToken()
    caller = _caller_of(claims, PrincipalKind.CUSTOMER)
    if not settings().refresh_token_rotation:
        return caller, generation
    db = store.active()
    if generation != caller.session.refresh_gen or not db.spend_refresh(caller.session):
        # Spent already: whoever holds it may have stolen it, so nobody keeps the session.
        with contextlib.suppress(ConcurrentChange):  # ended meanwhile: so much the better
            db.end_sessions([caller.session], [])
        raise InvalidToken()
    return caller, generation + 1


def _listed_sessions(caller: Caller, sids: list[str], kind: PrincipalKind) -> dict[str, Session]:
    """The listed sessions of this kind that exist. The caller's own (the usual logout) was read
    moments ago, strongly consistent, by `authenticate`; the delete's condition catches any
    change since."""
    known = {caller.sid: caller.session} if caller.sid in sids and caller.kind is kind else {}
    others = [sid for sid in sids if sid not in known]
    return {**known, **(store.active().get_sessions(others, kind) if others else {})}


def _may_end(caller: Caller, session: Session | None, kind: PrincipalKind) -> bool:
    """Whether the caller may end this session: live, of this kind, and the caller's own unless
    the caller is an admin."""
    if session is None or session.kind is not kind or session.expires_at <= clock.now():
        return False
    return caller.is_admin or session.principal == caller.principal


def _refuse_unless_may_end_all(caller: Caller, sessions: list[Session | None], customer_uuids: list[str]) -> None:
    if not all(_may_end(caller, session, PrincipalKind.CUSTOMER) for session in sessions):
        raise SessionNotFound()
    if not caller.is_admin and set(customer_uuids) - {caller.principal}:
        raise SessionNotFound()


def end_customer_sessions(caller: Caller, sids: list[str], customer_uuids: list[str]) -> bool:
    """End the listed sessions and every session of the listed customers.

    All or nothing: an id that is unknown, expired or not the caller's ends nothing
    (SessionNotFound). Answers whether the caller's own session is among those ended.
    """
    sessions = _listed_sessions(caller, sids, PrincipalKind.CUSTOMER)
    _refuse_unless_may_end_all(caller, [sessions.get(sid) for sid in sids], customer_uuids)
    db = store.active()
    everyone = [(PrincipalKind.CUSTOMER, uuid) for uuid in customer_uuids]
    try:
        db.end_sessions(list(sessions.values()), everyone)
    except ConcurrentChange as error:
        raise SessionNotFound() from error  # an id vanished meanwhile: nothing was ended
    for uuid in customer_uuids:
        db.sweep_sessions(PrincipalKind.CUSTOMER, uuid)
    return caller.sid in sids or caller.principal in customer_uuids


def end_admin_session(caller: Caller, sid: str) -> bool:
    """End one admin session (any admin may end any admin's). Answers whether it was the caller's."""
    session = _listed_sessions(caller, [sid], PrincipalKind.ADMIN).get(sid)
    if not _may_end(caller, session, PrincipalKind.ADMIN) or session is None:
        raise SessionNotFound()
    try:
        store.active().end_sessions([session], [])
    except ConcurrentChange as error:
        raise SessionNotFound() from error
    return sid == caller.sid
