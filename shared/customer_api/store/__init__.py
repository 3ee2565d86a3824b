"""The store: the only room that imports boto3. The domain talks to `active()`, a `Store`:
DynamoDB on AWS and in the API tests, an in-memory store in the unit tests (`installed(...)`)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator

from customer_api.store.protocol import Store

_installed: list[Store] = []


@functools.cache
def _dynamodb_store() -> Store:
    from customer_api.store.dynamodb import DynamoStore  # noqa: PLC0415 - boto3 only when used

    return DynamoStore()


def active() -> Store:
    """The store the domain works on: the one installed, else DynamoDB."""
    return _installed[-1] if _installed else _dynamodb_store()


@contextlib.contextmanager
def installed(store: Store) -> Iterator[Store]:
    """Make `store` the active one while the block runs."""
    _installed.append(store)
    try:
        yield store
    finally:
        _installed.remove(store)


def forget_cached() -> None:
    """Drop cached clients and secrets: the next call connects anew (tests and the local server
    switch backends)."""
    from customer_api.store import client, outside, secrets  # noqa: PLC0415 - boto3 only when used

    client.forget()
    secrets.forget()
    outside.forget()


__all__ = ["Store", "active", "forget_cached", "installed"]
