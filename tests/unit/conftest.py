"""The unit tier: the domain and the edge's pure parts on the in-memory store. No moto, no AWS."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from customer_api import store
from customer_api.core.settings import settings
from customer_api.store.memory import MemoryStore


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Settings read anew for each test, and again after it (a test may change the environment)."""
    settings.cache_clear()
    yield
    settings.cache_clear()


@pytest.fixture
def memory() -> Iterator[MemoryStore]:
    """An empty in-memory store, active, with a signing key for each kind of token."""
    keys = {"current": secrets.token_urlsafe(48), "previous": ""}
    names = (settings().admin_token_secret, settings().customer_token_secret)
    with store.installed(MemoryStore(secrets={name: dict(keys) for name in names})) as db:
        yield db
