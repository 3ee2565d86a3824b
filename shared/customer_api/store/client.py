"""The DynamoDB client, the retries botocore does not do, and busy errors turned into StoreBusy."""

from __future__ import annotations

import functools
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from customer_api.core.errors import StoreBusy
from customer_api.core.settings import settings

Item = dict[str, Any]

# DynamoDB errors that mean "busy, try again": botocore already retried them with backoff.
_BUSY_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TransactionConflictException",
    "TransactionInProgressException",
    "InternalServerError",
}
# Cancellation reasons that say "busy, try again" rather than "a condition is false".
_BUSY_REASONS = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}


@functools.cache
def dynamodb() -> Any:  # the typed stubs fight the request dicts built here; calls are tested
    """One client per container; botocore's standard mode retries throttling with backoff."""
    attempts = settings().dynamodb_max_attempts
    return boto3.client("dynamodb", config=Config(retries={"mode": "standard", "total_max_attempts": attempts}))


def forget() -> None:
    """Drop the cached client (tests and the local server switch backends)."""
    dynamodb.cache_clear()


def _back_off(attempt: int) -> None:
    time.sleep(random.uniform(0, settings().busy_backoff_seconds * 2**attempt))  # noqa: S311 - jitter


def busy_as_store_busy[**P, R](operation: Callable[P, R]) -> Callable[P, R]:
    """The operation, with DynamoDB's "still busy after botocore's retries" raised as StoreBusy."""

    @functools.wraps(operation)
    def translated(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return operation(*args, **kwargs)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _BUSY_CODES:
                raise StoreBusy() from error
            raise

    return translated


def transact(items: list[Item]) -> list[str] | None:
    """Run one transaction. None when it committed, else the cancellation code of each item.

    A cancellation only for being busy (another transaction on an item, throttling) is not
    retried by botocore: it is retried here with backoff, then StoreBusy. The token makes
    botocore's own retries of a transaction that did commit (a lost response) a no-op.
    """
    client = dynamodb()
    for attempt in range(settings().busy_attempts):
        try:
            client.transact_write_items(TransactItems=items, ClientRequestToken=str(uuid.uuid4()))
        except client.exceptions.TransactionCanceledException as error:
            reasons = error.response.get("CancellationReasons", [])
            codes = [reason.get("Code", "None") for reason in reasons]
        else:
            return None
        if "ConditionalCheckFailed" in codes or not _BUSY_REASONS.intersection(codes):
            return codes
        _back_off(attempt)
    raise StoreBusy()


def failed_condition(codes: list[str], index: int) -> bool:
    return index < len(codes) and codes[index] == "ConditionalCheckFailed"


def batch_get(request: dict[str, Any]) -> list[Item]:
    """Every item of a BatchGetItem request, asking again for what DynamoDB left unprocessed,
    with backoff, a bounded number of times (then StoreBusy)."""
    found: list[Item] = []
    for attempt in range(settings().dynamodb_max_attempts):
        response = dynamodb().batch_get_item(RequestItems=request)
        for items in response.get("Responses", {}).values():
            found.extend(items)
        request = dict(response.get("UnprocessedKeys") or {})
        if not request:
            return found
        _back_off(attempt)
    raise StoreBusy()
