"""Idempotent create: `POST /api/customers` with an `Idempotency-Key` header runs once per admin
and key; a retry answers what the first request answered and creates nothing new.

Powertools' idempotency utility keeps the record in its own DynamoDB table. Only the create
function imports this module: the utility costs cold-start time nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from customer_api import store
from customer_api.config import settings
from customer_api.errors import BadRequest, IdempotencyKeyReused, RequestInProgress, ServiceBusy
from customer_api.models import CustomerCreate

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


def _persistence() -> DynamoDBPersistenceLayer:
    table = settings().idempotency_table
    if not table:
        raise RuntimeError("IDEMPOTENCY_TABLE is not set")
    # The layer's one DynamoDB client: its retries, its connections.
    return DynamoDBPersistenceLayer(table_name=table, boto3_client=store.client())


def register(context: LambdaContext) -> None:
    """Lets a request that died mid-way free its key when its Lambda's time is up, not in a day."""
    _CONFIG.register_lambda_context(context)


def valid_key(key: str | None) -> str | None:
    """The request's Idempotency-Key (None without one); BadRequest when it is malformed."""
    if key is not None and not _VALID_KEY.fullmatch(key):
        raise BadRequest("Idempotency-Key must be 1 to 255 printable ASCII characters without spaces")
    return key


def _fingerprint(request: CustomerCreate) -> dict[str, Any]:
    # The password is left out: nothing derived from it is stored beside the key.
    return request.model_dump(exclude={"password"})


def create_once(caller: str, key: str, request: CustomerCreate, create: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`create()` once per (caller, key); a repeat answers the first answer.

    IdempotencyKeyReused when the key came with another body; RequestInProgress while the
    first request with the key is still running.
    """

    @idempotent_function(  # type: ignore[untyped-decorator]  # Powertools' decorator is untyped
        data_keyword_argument="attempt",
        persistence_store=_persistence(),
        config=_CONFIG,
        key_prefix="CreateCustomer",
    )
    def run(attempt: dict[str, Any]) -> dict[str, Any]:
        return create()

    try:
        result: dict[str, Any] = run(attempt={"caller": caller, "key": key, "request": _fingerprint(request)})
    except IdempotencyValidationError as error:
        raise IdempotencyKeyReused() from error
    except IdempotencyAlreadyInProgressError as error:
        raise RequestInProgress() from error
    except IdempotencyPersistenceLayerError as error:
        raise ServiceBusy() from error
    return result
