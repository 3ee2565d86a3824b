"""Identifiers in request paths: what shape names what, and anything else is a 404."""

from __future__ import annotations

import re

from customer_api.core.errors import AddressNotFound, CustomerNotFound, GroupNotFound, SessionNotFound

MAX_IDS_PER_LOGOUT = 25
_SID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_CUSTOMER_UUID = re.compile(r"[0-9a-f]{32}")
_DASHED_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _uuid(path_id: str) -> str | None:
    """A uuid as 32 lowercase hex: it may come so or dashed (EverShop 2.x's form, which imported
    records keep), in any letter case. None for any other shape."""
    path_id = path_id.lower()
    if _DASHED_UUID.fullmatch(path_id):
        path_id = path_id.replace("-", "")
    return path_id if _CUSTOMER_UUID.fullmatch(path_id) else None


def customer_uuid(path_id: str) -> str:
    """The customer uuid of `/api/customers/{id}`; CustomerNotFound for any other shape."""
    found = _uuid(path_id)
    if found is None:
        raise CustomerNotFound()
    return found


def address_uuid(path_id: str) -> str:
    """The address uuid of `.../addresses/{address_id}`; AddressNotFound for any other shape."""
    found = _uuid(path_id)
    if found is None:
        raise AddressNotFound()
    return found


_GROUP_ID = re.compile(r"[1-9][0-9]{0,9}")


def group_id(path_id: str) -> int:
    """The group id of `/api/customer-groups/{group_id}`: an integer; GroupNotFound otherwise."""
    if not _GROUP_ID.fullmatch(path_id) or int(path_id) >= 2**31:
        raise GroupNotFound()
    return int(path_id)


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
