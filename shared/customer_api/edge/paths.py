"""Identifiers in request paths: what shape names what, and anything else is a 404."""

from __future__ import annotations

import re

from customer_api.core.errors import CustomerNotFound, SessionNotFound

MAX_IDS_PER_LOGOUT = 25
_SID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_CUSTOMER_UUID = re.compile(r"[0-9a-f]{32}")
_DASHED_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def customer_uuid(path_id: str) -> str:
    """The customer uuid of `/api/customers/{id}`, as 32 lowercase hex: it may come so or dashed
    (EverShop 2.x's form, which imported customers keep), in any letter case. CustomerNotFound
    for any other shape."""
    path_id = path_id.lower()
    if _DASHED_UUID.fullmatch(path_id):
        path_id = path_id.replace("-", "")
    if not _CUSTOMER_UUID.fullmatch(path_id):
        raise CustomerNotFound()
    return path_id


def logout_ids(ids: str) -> tuple[list[str], list[str]]:
    """The sids (dashed uuid4: that session) and customer uuids (32 hex: every session of that
    customer) of a logout list, comma-separated. Any other shape is unknown: SessionNotFound."""
    parts = list(dict.fromkeys(part.strip().lower() for part in ids.split(",")))
    if not parts or len(parts) > MAX_IDS_PER_LOGOUT:
        raise SessionNotFound()
    sids = [part for part in parts if _SID.fullmatch(part)]
    uuids = [part for part in parts if _CUSTOMER_UUID.fullmatch(part)]
    if len(sids) + len(uuids) != len(parts):
        raise SessionNotFound()
    return sids, uuids


def session_id(sid: str) -> str:
    """The sid of `/api/user/sessions/{sid}`; SessionNotFound for any other shape."""
    sid = sid.strip().lower()
    if not _SID.fullmatch(sid):
        raise SessionNotFound()
    return sid
