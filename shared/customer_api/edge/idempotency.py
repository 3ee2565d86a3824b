"""Idempotent create: `POST /api/customers` with an `Idempotency-Key` header runs once per admin
and key; a retry answers what the first request answered and creates nothing new.

Powertools' idempotency utility keeps the record in its own DynamoDB table. Only the create
function imports this module: the utility costs cold-start time nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from customer_api.core.errors import IdempotencyKeyReused, InvalidInput, RequestInProgress, StoreBusy
from customer_api.domain.inputs import CustomerCreate
from customer_api.edge.replies import CustomerWithLinks
from customer_api.store.idempotency import persistence

KEY_DESCRIPTION = (
    "Makes the create safe to retry: a repeat with the same key (per admin, for 24 hours) answers the "
    "first answer and creates nothing; the same key with another body is a 422; while the first request "
    "with the key is still running, a 409."
)
_VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, no spaces: what clients send (UUIDs)

_CONFIG = IdempotencyConfig(
    event_key_jmespath="[caller, key]",  # the key is the admin's own: two admins' keys never meet
    payload_validation_jmespath="request",  # the same key with another body is refused
    expires_after_seconds=24 * 3600,  # retries come within minutes; a day is generous
    hash_function="sha256",
)


def register(context: LambdaContext) -> None:
    """Lets a request that died mid-way free its key when its Lambda's time is up, not in a day."""
    _CONFIG.register_lambda_context(context)


def valid_key(key: str | None) -> str | None:
    """The request's Idempotency-Key (None without one); BadRequest when it is malformed."""
    if key is not None and not _VALID_KEY.fullmatch(key):
        raise InvalidInput("Idempotency-Key must be 1 to 255 printable ASCII characters without spaces")
    return key


def _fingerprint(request: CustomerCreate) -> dict[str, Any]:
    # The password is left out: nothing derived from it is stored beside the key.
    return request.model_dump(exclude={"password"})


def create_once(
    caller: str, key: str, request: CustomerCreate, create: Callable[[], CustomerWithLinks]
) -> CustomerWithLinks:
    """`create()` once per (caller, key); a repeat answers the first answer.

    IdempotencyKeyReused when the key came with another body; RequestInProgress while the
    first request with the key is still running.
    """

    @idempotent_function(  # type: ignore[untyped-decorator]  # Powertools' decorator is untyped
        data_keyword_argument="attempt",
        persistence_store=persistence(),
        config=_CONFIG,
        key_prefix="CreateCustomer",
    )
    def run(attempt: dict[str, Any]) -> CustomerWithLinks:
        return create()

    try:
        result: CustomerWithLinks = run(attempt={"caller": caller, "key": key, "request": _fingerprint(request)})
    except IdempotencyValidationError as error:
        raise IdempotencyKeyReused() from error
    except IdempotencyAlreadyInProgressError as error:
        raise RequestInProgress() from error
    except IdempotencyPersistenceLayerError as error:
        raise StoreBusy() from error
    return result
