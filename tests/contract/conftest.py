"""Both stores behind one fixture: every contract test runs on the in-memory store and on the
DynamoDB store (moto with the template's tables), so the two cannot drift apart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from customer_api import store
from customer_api.store.dynamodb import DynamoStore
from customer_api.store.memory import MemoryStore
from customer_api.store.protocol import Store
from tests.support import fresh_aws


def _store(kind: str) -> Iterator[Store]:
    if kind == "memory":
        with store.installed(MemoryStore()) as memory:
            yield memory
        return
    with fresh_aws(), store.installed(DynamoStore()) as dynamodb:
        yield dynamodb


@pytest.fixture(params=["memory", "dynamodb"])
def any_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    yield from _store(request.param)


# moto's in-process DynamoDB is not thread-safe (it loses writes and crashes under parallel
# transactions), so parallel calls run on the in-memory store here; on DynamoDB the same rules
# are proven over HTTP against the local server (tests of concurrency) and by the interleavings.
@pytest.fixture(params=["memory"])
def thread_safe_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    yield from _store(request.param)
