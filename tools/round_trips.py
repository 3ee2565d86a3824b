"""Counting the DynamoDB calls a request makes, with botocore's events on the service's client."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from customer_api.store import client


@contextlib.contextmanager
def dynamodb_calls() -> Iterator[list[str]]:
    """The operations (GetItem, TransactWriteItems, ...) called while the block runs, in order.

    One entry per API call: botocore's retries of a throttled call are not counted again.
    """
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    events = client.dynamodb().meta.events  # the one client every request uses
    events.register("before-call.dynamodb", record, unique_id="count-dynamodb-calls")
    try:
        yield calls
    finally:
        events.unregister("before-call.dynamodb", unique_id="count-dynamodb-calls")
