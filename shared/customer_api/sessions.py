"""Who is calling (tokens checked against live sessions) and ending sessions (logout)."""

from __future__ import annotations

import dataclasses
import re

from customer_api import clock, store, tokens
from customer_api.errors import ConcurrentChange, InvalidToken, SessionNotFound
from customer_api.models import Session

MAX_IDS_PER_LOGOUT = 25
_SID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_CUSTOMER_UUID = re.compile(r"[0-9a-f]{32}")


@dataclasses.dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated caller: a customer (principal = uuid) or an admin (= email key)."""

    kind: str
    principal: str
    sid: str
    session: Session  # as authenticate read it: logging out of it needs no second read

    @property
    def is_admin(self) -> bool:
        return self.kind == store.ADMIN_KIND


def is_customer_uuid(value: str) -> bool:
    return _CUSTOMER_UUID.fullmatch(value) is not None


def _principal_claimed(claims: dict[str, object], kind: str) -> str:
    holder = claims.get("customer" if kind == store.CUSTOMER_KIND else "user")
    field = "uuid" if kind == store.CUSTOMER_KIND else "email"
    value = holder.get(field) if isinstance(holder, dict) else None
    if not isinstance(value, str) or not value:
        raise InvalidToken()
    return value if kind == store.CUSTOMER_KIND else value.strip().lower()


def authenticate(token: str, audience: str) -> Caller:
    """The caller behind a token: signature, audience and expiry checked, then its session.

    A session is live while it exists, has not expired, and its customer or admin still exists,
    is enabled and has not had every session ended since (the epoch).
    """
    claims = tokens.verify(token, audience)
    kind = store.CUSTOMER_KIND if audience == tokens.CUSTOMER else store.ADMIN_KIND
    principal, sid = _principal_claimed(claims, kind), str(claims["sid"])
    session, owner = store.session_with_principal(sid, kind, principal)
    live = (
        session is not None
        and owner is not None
        and session.kind == kind
        and session.principal == principal
        and session.expires_at > clock.now()
        and owner.status == 1
        and owner.session_epoch == session.epoch
    )
    if not live or session is None:
        raise InvalidToken()
    return Caller(kind=kind, principal=principal, sid=sid, session=session)


def parse_ids(ids: str) -> tuple[list[str], list[str]]:
    """Split a logout list into sids and customer uuids; any other shape is unknown (404)."""
    parts = list(dict.fromkeys(part.strip().lower() for part in ids.split(",")))
    if not parts or len(parts) > MAX_IDS_PER_LOGOUT:
        raise SessionNotFound()
    sids = [part for part in parts if _SID.fullmatch(part)]
    uuids = [part for part in parts if is_customer_uuid(part)]
    if len(sids) + len(uuids) != len(parts):
        raise SessionNotFound()
    return sids, uuids


def _listed_sessions(caller: Caller, sids: list[str]) -> dict[str, Session]:
    """The listed sessions that exist. The caller's own (the usual logout) was read moments ago,
    strongly consistent, by `authenticate`; the delete's condition catches any change since."""
    known = {caller.sid: caller.session} if caller.sid in sids else {}
    others = [sid for sid in sids if sid not in known]
    return {**known, **(store.get_sessions(others) if others else {})}


def end_customer_sessions(caller: Caller, ids: str) -> bool:
    """End the listed sessions (sids) and every session of the listed customers (uuids).

    All or nothing: an id that is unknown, expired or not the caller's ends nothing (404).
    Answers whether the caller's own session is among those ended.
    """
    sids, uuids = parse_ids(ids)
    sessions = _listed_sessions(caller, sids)
    now = clock.now()
    for sid in sids:
        session = sessions.get(sid)
        if session is None or session.kind != store.CUSTOMER_KIND or session.expires_at <= now:
            raise SessionNotFound()
        if not caller.is_admin and session.principal != caller.principal:
            raise SessionNotFound()
    if not caller.is_admin and any(uuid != caller.principal for uuid in uuids):
        raise SessionNotFound()
    try:
        store.end_sessions(list(sessions.values()), [(store.CUSTOMER_KIND, uuid) for uuid in uuids])
    except ConcurrentChange as error:
        raise SessionNotFound() from error  # an id vanished meanwhile: nothing was ended
    for uuid in uuids:
        store.sweep_sessions(store.CUSTOMER_KIND, uuid)
    return caller.sid in sids or caller.principal in uuids


def end_admin_session(caller: Caller, sid: str) -> bool:
    """End one admin session (any admin may end any admin's). Answers whether it was the caller's."""
    sid = sid.strip().lower()
    session = _listed_sessions(caller, [sid]).get(sid) if _SID.fullmatch(sid) else None
    if session is None or session.kind != store.ADMIN_KIND or session.expires_at <= clock.now():
        raise SessionNotFound()
    try:
        store.delete_session(session)
    except ConcurrentChange as error:
        raise SessionNotFound() from error
    return sid == caller.sid
