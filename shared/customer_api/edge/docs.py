"""What each route answers and who may call it, for the OpenAPI document (tools/openapi.py).

The bodies are the reply types of customer_api.edge.replies, referenced by name; the generator
adds their schemas. Tests check the handlers answer what is documented."""

from __future__ import annotations

from typing import Any

from customer_api.edge.replies import ErrorReply

# Security requirements; the schemes themselves are declared with the document.
ADMIN_ONLY: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"adminCookie": []}]
CUSTOMER_OR_ADMIN: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"customerCookie": []}, {"adminCookie": []}]
CUSTOMER_ONLY: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"customerCookie": []}]

# The groups of the docs page, one tag per route.
ADMIN_CUSTOMERS = ["Customers (admin)"]
OWN_ACCOUNT = ["The customer's own account"]
SESSIONS_AND_TOKENS = ["Sessions and tokens"]
CUSTOMER_GROUPS = ["Customer groups (admin)"]
ADMIN_USERS = ["Admin users"]
PASSWORD_RECOVERY = ["Password recovery"]

_ERROR_DESCRIPTIONS = {
    400: "Malformed JSON, a missing or invalid field, or failed login",
    401: "Missing, invalid, expired or revoked credentials",
    403: "A change authenticated by a cookie sent from another site",
    404: "No such customer, session, address or group",
    409: "The email is already used by another customer, or the group still has customers",
    413: "Request body too large",
    415: "A request body that is not JSON",
    422: "The Idempotency-Key was already used with another request body",
    429: "Too many failed logins (or reset requests) for this email; retry after `Retry-After` seconds",
    503: "Storage busy; retry after `Retry-After` seconds",
}
_RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}}


def _json(reply: type) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{reply.__name__}"}}}


def responses(success: type, description: str, *errors: int) -> dict[int, Any]:
    """A route's `responses=`: 200 with the reply type `success`, and each error status with the
    contract's error body."""
    documented: dict[int, Any] = {200: {"description": description, "content": _json(success)}}
    for status in errors:
        documented[status] = {"description": _ERROR_DESCRIPTIONS[status], "content": _json(ErrorReply)}
        if status in (429, 503):
            documented[status]["headers"] = _RETRY_AFTER
    return documented
