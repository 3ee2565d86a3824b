"""Finding customers (admin): the query string checked, one email through its claim, pages of the
listing through a signed cursor.

A cursor names where the previous page ended and which filters it was for, signed with the admin
token key (HMAC, under a purpose of its own): a client cannot forge or edit one, nor carry one
over to another query. A cursor outlives a key rotation while that key is the previous one."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from datetime import datetime

from customer_api import store
from customer_api.core.errors import InvalidInput
from customer_api.core.records import Customer, CustomerQuery, email_key
from customer_api.domain import tokens
from customer_api.domain.inputs import MAX_EMAIL_CHARS, is_valid_email

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_CURSOR_CHARS = 1024
_PURPOSE = b"customer-listing-cursor."
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_GROUP_ID = re.compile(r"[1-9]\d{0,9}")
_LIMIT = re.compile(r"\d{1,3}")


@dataclasses.dataclass(frozen=True, slots=True)
class ListingRequest:
    query: CustomerQuery
    email: str | None = None  # an exact address: its claim, 0 or 1 customer
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


def _bad(parameter: str, rule: str) -> InvalidInput:
    return InvalidInput(f"Invalid {parameter}: {rule}")


def _printable(parameter: str, value: str) -> str:
    if not value or len(value) > MAX_EMAIL_CHARS or not value.isprintable():
        raise _bad(parameter, f"1 to {MAX_EMAIL_CHARS} printable characters")
    return value


def _moment(parameter: str, value: str, *, end_of_day: bool) -> str:
    """A `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` bound as the latter; a bare date ending a range
    takes in that whole day."""
    if _DATE.fullmatch(value):
        value += " 23:59:59" if end_of_day else " 00:00:00"
    try:
        if not _DATE_TIME.fullmatch(value):
            raise ValueError(value)
        datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError as error:
        raise _bad(parameter, "use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (UTC)") from error
    return value


def _optional(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    return None if value is None else value.strip()


def _status(value: str | None) -> int | None:
    if value is None:
        return None
    if value not in ("0", "1"):
        raise _bad("status", "0 or 1")
    return int(value)


def _group_id(value: str | None) -> int | None:
    if value is None:
        return None
    if not _GROUP_ID.fullmatch(value):
        raise _bad("group_id", "a positive integer")
    return int(value)


def _limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not _LIMIT.fullmatch(value) or not 1 <= int(value) <= MAX_LIMIT:
        raise _bad("limit", f"an integer from 1 to {MAX_LIMIT}")
    return int(value)


def _email(value: str | None) -> str | None:
    if value is not None and not is_valid_email(value):
        raise _bad("email", "an email address (e.g., user@example.com)")
    return value


def listing_request(params: Mapping[str, str]) -> ListingRequest:
    """The listing a query string asks for; InvalidInput naming the first bad parameter."""
    prefix = _optional(params, "email_prefix")
    created_from, created_to = _optional(params, "created_from"), _optional(params, "created_to")
    query = CustomerQuery(
        email_prefix=email_key(_printable("email_prefix", prefix)) if prefix is not None else None,
        status=_status(_optional(params, "status")),
        group_id=_group_id(_optional(params, "group_id")),
        created_from=_moment("created_from", created_from, end_of_day=False) if created_from else None,
        created_to=_moment("created_to", created_to, end_of_day=True) if created_to else None,
    )
    if query.created_from and query.created_to and query.created_from > query.created_to:
        raise _bad("created_to", "it comes before created_from")
    cursor = params.get("cursor")
    if cursor is not None and not 0 < len(cursor) <= MAX_CURSOR_CHARS:
        raise _bad("cursor", "pass next_cursor as it came")
    return ListingRequest(query, _email(_optional(params, "email")), _limit(_optional(params, "limit")), cursor)


# --- cursors


def _fingerprint(request: ListingRequest) -> str:
    """What a cursor is for: the filters, not the page size."""
    filters = {**dataclasses.asdict(request.query), "email": request.email}
    return hashlib.sha256(json.dumps(filters, sort_keys=True).encode()).hexdigest()[:32]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(key: str, payload: str) -> str:
    return _b64(hmac.new(key.encode(), _PURPOSE + payload.encode(), hashlib.sha256).digest())


def _cursor(request: ListingRequest, position: str) -> str:
    payload = _b64(json.dumps({"q": _fingerprint(request), "at": position}).encode())
    return f"{payload}.{_signature(tokens.signing_keys(tokens.ADMIN)[0], payload)}"


def _position(request: ListingRequest) -> str | None:
    """Where the page the request's cursor names starts; InvalidInput for a cursor that is not
    one of ours, or is for other filters."""
    if request.cursor is None:
        return None
    payload, _, signature = request.cursor.partition(".")
    keys = tokens.signing_keys(tokens.ADMIN)
    if not any(hmac.compare_digest(_signature(key, payload), signature) for key in keys):
        raise _bad("cursor", "pass next_cursor as it came")
    try:
        content = json.loads(_unb64(payload))
    except (binascii.Error, ValueError) as error:  # only our own payloads get here
        raise _bad("cursor", "pass next_cursor as it came") from error
    if content.get("q") != _fingerprint(request):
        raise _bad("cursor", "it belongs to a query with other filters")
    position: str = content["at"]
    return position


def find_customers(request: ListingRequest) -> tuple[list[Customer], str | None]:
    """A page of the customers the request asks for, and the cursor of the next (None: the end)."""
    if request.email is not None:
        found = store.active().customer_by_email(email_key(request.email))
        return ([found] if found is not None and request.query.matches(found) else []), None
    customers, position = store.active().list_customers(request.query, request.limit, _position(request))
    return customers, (_cursor(request, position) if position is not None else None)
