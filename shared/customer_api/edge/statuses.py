"""The one place where a domain error becomes an HTTP status and the contract's error body."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import Response

from customer_api.core.errors import (
    CrossSiteRequest,
    DomainError,
    EmailTaken,
    GroupInUse,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    RequestInProgress,
    RetryLater,
    StoreBusy,
    TooManyLoginFailures,
    TooManyResetRequests,
    Unauthenticated,
    UnsupportedMediaType,
)
from customer_api.edge.replies import error_reply

JSON = "application/json"

# The most specific class listed for an error wins (PayloadTooLarge before InvalidInput).
STATUS_OF: dict[type[DomainError], int] = {
    InvalidInput: 400,
    Unauthenticated: 401,
    NotFound: 404,
    EmailTaken: 409,
    GroupInUse: 409,
    # The key is fine but still in use by its first request; retry shortly.
    RequestInProgress: 409,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    CrossSiteRequest: 403,
    # As the IETF draft "The Idempotency-Key HTTP Header Field" says: the body does not match
    # the request the key first came with.
    IdempotencyKeyReused: 422,
    TooManyLoginFailures: 429,
    TooManyResetRequests: 429,
    StoreBusy: 503,
    RetryLater: 503,
}


def status_of(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 500


def error_body(status: int, message: str) -> str:
    return json.dumps(error_reply(status, message))


def error_response(error: DomainError) -> Response[str]:
    status = status_of(error)
    headers = {}
    if isinstance(error, RetryLater):
        headers["Retry-After"] = str(error.retry_after_seconds)
    return Response(status, JSON, error_body(status, error.message), headers)
