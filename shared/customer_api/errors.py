"""Domain exceptions: raised where a problem is found, turned into HTTP in one place (http.py)."""

from __future__ import annotations


class ApiError(Exception):
    """A failure the client is told about: {"error": {"status", "message"}}."""

    status = 500
    message = "Internal server error"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message


class BadRequest(ApiError):
    status = 400
    message = "Bad request"


class InvalidCredentials(BadRequest):
    message = "Invalid email or password"


class Unauthorized(ApiError):
    status = 401
    message = "Unauthorized"


class InvalidToken(Unauthorized):
    message = "Invalid token"


class NotFound(ApiError):
    status = 404
    message = "Not found"


class CustomerNotFound(NotFound):
    message = "Invalid customer id"


class SessionNotFound(NotFound):
    message = "Invalid session id"


class EmailTaken(ApiError):
    status = 409
    message = "Email is already used"


class RequestInProgress(ApiError):
    status = 409
    message = "A request with this Idempotency-Key is still in progress; retry shortly"


class IdempotencyKeyReused(ApiError):
    # 422 as the IETF draft "The Idempotency-Key HTTP Header Field" says: the key is fine, the
    # body does not match the request it first came with (409 is for one still in progress).
    status = 422
    message = "This Idempotency-Key was already used with another request body"


class PayloadTooLarge(ApiError):
    status = 413
    message = "Request body is too large"


class RetryLater(ApiError):
    """A refusal that ends by itself: answered with `Retry-After`."""

    def __init__(self, retry_after_seconds: int = 1) -> None:
        super().__init__()
        self.retry_after_seconds = max(1, retry_after_seconds)


class TooManyLoginFailures(RetryLater):
    status = 429
    message = "Too many failed login attempts; try again later"


class ServiceBusy(RetryLater):
    status = 503
    message = "The service is busy; try again shortly"


class ConcurrentChange(Exception):
    """The item changed between our read and our conditional write: read again and retry."""
