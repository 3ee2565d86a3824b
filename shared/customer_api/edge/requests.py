"""What a request must be before any route reads it: a body that is small, JSON by its media
type, valid UTF-8 text, an object, and readable (numbers of sane length, no lone surrogates).

Checked once here, before Powertools parses anything, so that no body a client can send reaches
a route, or DynamoDB, in a shape that would fail there with a 500."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from customer_api.core.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from customer_api.core.settings import settings
from customer_api.edge.statuses import JSON

NOT_UTF8 = "Request body must be UTF-8 encoded JSON"
TOO_DEEP = "Request body is nested too deeply"


def is_json_media_type(content_type: str) -> bool:
    """`application/json` or any `application/*+json`, in any letter case, with any parameters."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == JSON or (media_type.startswith("application/") and media_type.endswith("+json"))


def _raw_body(event: Mapping[str, Any]) -> bytes:
    body = event.get("body") or ""
    # Checked before decoding (API Gateway itself lets 10 MB through).
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode("utf-8", "surrogatepass"))
    if size > settings().max_body_bytes:
        raise PayloadTooLarge()
    if not event.get("isBase64Encoded"):
        return body.encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode(body, validate=True)
    except binascii.Error as error:
        raise InvalidInput("Request body is not valid base64") from error


def _parsed(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise InvalidInput(NOT_UTF8) from error
    except RecursionError as error:
        raise InvalidInput(TOO_DEEP) from error
    except json.JSONDecodeError as error:
        raise InvalidInput("Request body is not valid JSON") from error
    except ValueError as error:  # Python refuses integers of more than 4300 digits
        raise InvalidInput("Request body has a number too long to read") from error


def _document(raw: bytes) -> str:
    """The body as JSON text, once it is known to be an object whose strings are all text."""
    document = _parsed(raw)
    if not isinstance(document, dict):
        raise InvalidInput("Request body must be a JSON object")
    text = json.dumps(document, ensure_ascii=False)
    try:
        text.encode("utf-8")  # a "\\ud800" escape parses into a lone surrogate: no text UTF-8 can hold
    except UnicodeEncodeError as error:
        raise InvalidInput(NOT_UTF8) from error
    return text


def _headers(event: Mapping[str, Any]) -> dict[str, str]:
    return {name.lower(): value for name, value in (event.get("headers") or {}).items()}


def refuse_unacceptable(event: Mapping[str, Any]) -> None:
    """Before anything else, even the caller's credentials: a body over the size limit is
    PayloadTooLarge, a body of another media type than JSON UnsupportedMediaType (also what a
    cross-site form sends)."""
    content_type = _headers(event).get("content-type")
    if _raw_body(event) and content_type is not None and not is_json_media_type(content_type):
        raise UnsupportedMediaType()


def readable(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event, its body checked and handed on as plain JSON text (Powertools then reads it as
    JSON whatever letter case or `+json` type the client wrote); InvalidInput for a body that is
    not a JSON object of text."""
    raw = _raw_body(event)
    if not raw:
        return dict(event)
    body = _document(raw)
    return {**event, "headers": {**_headers(event), "content-type": JSON}, "body": body, "isBase64Encoded": False}
