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


def connect() -> None:
    """Make the DynamoDB store and its client now. Every function calls it at import, so that
    Lambda's init pays for boto3 and the client (which provisioned concurrency and SnapStart's
    snapshot then keep) rather than the first request. Nothing when another store is installed."""
    if not _installed:
        from customer_api.store import client  # noqa: PLC0415 - boto3 only when used

        _dynamodb_store()
        client.dynamodb()


def load_clients() -> None:
    """Make every client the functions' requests use (DynamoDB, Secrets Manager), so that their
    service models are loaded into boto3's session, ahead of a SnapStart snapshot: after a restore
    `forget_cached()` drops the clients, and making them again from the loaded models is quick."""
    if not _installed:
        from customer_api.store import secrets  # noqa: PLC0415 - boto3 only when used

        connect()
        secrets.connect()


def forget_cached() -> None:
    """Drop cached clients and secrets: the next call connects anew (tests and the local server
    switch backends; a container restored from a SnapStart snapshot must not share them)."""
    from customer_api.store import client, outside, secrets  # noqa: PLC0415 - boto3 only when used

    client.forget()
    secrets.forget()
    outside.forget()


__all__ = ["Store", "active", "connect", "forget_cached", "installed", "load_clients"]
