"""Idempotent create: `POST /api/customers` with an `Idempotency-Key` header runs once per admin
and key; a retry answers what the first request answered and creates nothing new.

Powertools' idempotency utility keeps the record in its own DynamoDB table. Only the create
function imports this module, and the utility itself is imported by the first request that
carries a key: a create without one never pays for it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from customer_api.core.errors import IdempotencyKeyReused, InvalidInput, RequestInProgress, StoreBusy
from customer_api.domain.inputs import CustomerCreate
from customer_api.edge.replies import CustomerWithLinks

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from aws_lambda_powertools.utilities.typing import LambdaContext

KEY_DESCRIPTION = (
    "Makes the create safe to retry: a repeat with the same key (per admin, for 24 hours) answers the "
    "first answer and creates nothing; the same key with another body is a 422; while the first request "
    "with the key is still running, a 409."
)
_VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, no spaces: what clients send (UUIDs)


@functools.cache
def _config() -> IdempotencyConfig:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig  # noqa: PLC0415 - see the docstring

    return IdempotencyConfig(
        event_key_jmespath="[caller, key]",  # the key is the admin's own: two admins' keys never meet
        payload_validation_jmespath="request",  # the same key with another body is refused
        expires_after_seconds=24 * 3600,  # retries come within minutes; a day is generous
        hash_function="sha256",
    )


def valid_key(key: str | None) -> str | None:
    """The request's Idempotency-Key (None without one); BadRequest when it is malformed."""
    if key is not None and not _VALID_KEY.fullmatch(key):
        raise InvalidInput("Idempotency-Key must be 1 to 255 printable ASCII characters without spaces")
    return key


def _fingerprint(request: CustomerCreate) -> dict[str, Any]:
    # The password is left out: nothing derived from it is stored beside the key.
    return request.model_dump(exclude={"password"})


def create_once(
    caller: str, key: str, request: CustomerCreate, create: Callable[[], CustomerWithLinks], context: LambdaContext
) -> CustomerWithLinks:
    """`create()` once per (caller, key); a repeat answers the first answer. `context` lets a
    request that dies mid-way free its key when its Lambda's time is up, not in a day.

    IdempotencyKeyReused when the key came with another body; RequestInProgress while the
    first request with the key is still running.
    """
    # The utility and its DynamoDB persistence, imported here: see the module's docstring.
    from aws_lambda_powertools.utilities.idempotency import idempotent_function  # noqa: PLC0415
    from aws_lambda_powertools.utilities.idempotency.exceptions import (  # noqa: PLC0415
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    from customer_api.store.idempotency import persistence  # noqa: PLC0415

    config = _config()
    config.register_lambda_context(context)

    @idempotent_function(  # type: ignore[untyped-decorator]  # Powertools' decorator is untyped
        data_keyword_argument="attempt",
        persistence_store=persistence(),
        config=config,
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
