"""Domain errors: raised where a problem is found. They carry a message for a person and no HTTP
status: the edge maps each class to its status in one table (customer_api.edge.statuses)."""

from __future__ import annotations


class DomainError(Exception):
    """A failure the caller is told about, in words a person understands."""

    message = "The request failed"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message


class InvalidInput(DomainError):
    message = "Bad request"


class InvalidCredentials(InvalidInput):
    message = "Invalid email or password"


class InvalidPassword(InvalidInput):
    """The customer's own current password, given to change the password or email, is wrong."""

    message = "Invalid password"


class Unauthenticated(DomainError):
    message = "Unauthorized"


class InvalidToken(Unauthenticated):
    message = "Invalid token"


class NotFound(DomainError):
    message = "Not found"


class CustomerNotFound(NotFound):
    message = "Invalid customer id"


class SessionNotFound(NotFound):
    message = "Invalid session id"


class AddressNotFound(NotFound):
    message = "Invalid address id"


class GroupNotFound(NotFound):
    message = "Invalid customer group id"


class UnknownGroup(InvalidInput):
    """A customer given a group that does not exist (or stopped existing meanwhile)."""

    message = "Invalid customer group"


class EmailTaken(DomainError):
    message = "Email is already used"


class GroupInUse(DomainError):
    message = "Customer group is in use"


class RequestInProgress(DomainError):
    message = "A request with this Idempotency-Key is still in progress; retry shortly"


class IdempotencyKeyReused(DomainError):
    message = "This Idempotency-Key was already used with another request body"


class PayloadTooLarge(InvalidInput):
    message = "Request body is too large"


class UnsupportedMediaType(InvalidInput):
    message = "Request body must be JSON (Content-Type: application/json)"


class CrossSiteRequest(DomainError):
    message = "A change authenticated by a cookie may not come from another site"


class RetryLater(DomainError):
    """A refusal that ends by itself, after `retry_after_seconds`."""

    def __init__(self, retry_after_seconds: int = 1) -> None:
        super().__init__()
        self.retry_after_seconds = max(1, retry_after_seconds)


class TooManyLoginFailures(RetryLater):
    message = "Too many failed login attempts; try again later"


class TooManyResetRequests(RetryLater):
    message = "Too many password reset requests for this email; try again later"


class InvalidResetToken(InvalidInput):
    message = "Token is invalid or expired"


class StoreBusy(RetryLater):
    """Storage still busy (throttled, conflicting transactions) after every retry."""

    message = "The service is busy; try again shortly"


class ConcurrentChange(Exception):
    """The item changed between our read and our conditional write: read again and retry."""
