"""Both stores behind one fixture: every contract test runs on the in-memory store, on the
DynamoDB store on moto (with the template's tables) and on the DynamoDB store on DynamoDB Local
(AWS's own engine), so the stores cannot drift apart, nor the store from DynamoDB."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from customer_api import store
from customer_api.store.dynamodb import DynamoStore
from customer_api.store.memory import MemoryStore
from customer_api.store.protocol import Store
from tests.support import DYNAMODB_LOCAL, MOTO, fresh_aws


def _store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "memory":
        with store.installed(MemoryStore()) as memory:
            yield memory
        return
    endpoint = request.getfixturevalue("dynamodb_local") if request.param == DYNAMODB_LOCAL else None
    with fresh_aws(endpoint), store.installed(DynamoStore()) as dynamodb:
        yield dynamodb


@pytest.fixture(params=["memory", MOTO, DYNAMODB_LOCAL])
def any_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    yield from _store(request)


# moto's in-process DynamoDB is not thread-safe (it loses writes and crashes under parallel
# transactions), so parallel calls run on the in-memory store and on DynamoDB Local, which
# serves requests concurrently as DynamoDB does.
@pytest.fixture(params=["memory", DYNAMODB_LOCAL])
def thread_safe_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    yield from _store(request)
