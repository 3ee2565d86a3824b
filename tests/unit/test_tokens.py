"""Tokens name their key (`kid`) and are verified with that key alone; a kid the cached keys lack
makes the container read the secret anew, at most once per secret per SECRET_REFETCH_SECONDS."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import jwt
import pytest

from customer_api.core.errors import InvalidToken
from customer_api.core.settings import settings
from customer_api.domain import tokens
from customer_api.store.memory import MemoryStore


@pytest.fixture(autouse=True)
def no_recent_refetch() -> Iterator[None]:
    tokens.refetches.forget()
    yield
    tokens.refetches.forget()


@pytest.fixture
def reads(memory: MemoryStore, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each read of a secret from now on: whether it was asked to be fresh."""
    seen: list[bool] = []
    real = memory.read_secret

    def read_secret(name: str, max_age: int, *, fresh: bool = False) -> dict[str, Any]:
        seen.append(fresh)
        return real(name, max_age, fresh=fresh)

    monkeypatch.setattr(memory, "read_secret", read_secret)
    return seen


def customer_keys(memory: MemoryStore) -> dict[str, str]:
    return memory.secrets[settings().customer_token_secret]


def signed(key: str, headers: dict[str, Any] | None = None) -> str:
    now = int(time.time())
    claims = {"sid": "a-session", "aud": tokens.CUSTOMER, "iat": now, "exp": now + 60}
    return jwt.encode(
        claims, key, algorithm="HS256", headers={"kid": tokens.key_id(key)} if headers is None else headers
    )


def test_a_key_id_is_the_start_of_the_keys_sha256() -> None:
    key = secrets.token_urlsafe(48)

    assert tokens.key_id(key) == hashlib.sha256(key.encode()).hexdigest()[:16]
    assert tokens.key_id(key) != tokens.key_id(key + "x")


def test_an_issued_token_names_the_current_key(memory: MemoryStore) -> None:
    token = tokens.issue(tokens.CUSTOMER, {"sid": "a-session"}, 60)

    assert jwt.get_unverified_header(token)["kid"] == tokens.key_id(customer_keys(memory)["current"])
    assert tokens.verify(token, tokens.CUSTOMER)["sid"] == "a-session"


def test_a_token_of_the_previous_key_is_accepted_by_its_kid(memory: MemoryStore) -> None:
    previous = secrets.token_urlsafe(48)
    customer_keys(memory)["previous"] = previous

    assert tokens.verify(signed(previous), tokens.CUSTOMER)["sid"] == "a-session"


def test_a_token_is_verified_with_the_key_its_kid_names_and_no_other(memory: MemoryStore) -> None:
    keys = customer_keys(memory)
    keys["previous"] = secrets.token_urlsafe(48)

    with pytest.raises(InvalidToken):
        tokens.verify(signed(keys["current"], {"kid": tokens.key_id(keys["previous"])}), tokens.CUSTOMER)


@pytest.mark.parametrize("which", ["current", "previous"])
def test_a_token_without_kid_from_before_tokens_named_their_keys_is_accepted(memory: MemoryStore, which: str) -> None:
    keys = customer_keys(memory)
    keys["previous"] = secrets.token_urlsafe(48)

    assert tokens.verify(signed(keys[which], {}), tokens.CUSTOMER)["sid"] == "a-session"


def test_a_known_kid_reads_the_cached_secret_only(memory: MemoryStore, reads: list[bool]) -> None:
    tokens.verify(signed(customer_keys(memory)["current"]), tokens.CUSTOMER)

    assert reads == [False]


def test_an_unknown_kid_reads_the_secret_anew_once_per_window(
    memory: MemoryStore, reads: list[bool], frozen_clock: Callable[[float], None]
) -> None:
    forged = signed("another-key-" + "x" * 40)
    for _ in range(3):
        with pytest.raises(InvalidToken):
            tokens.verify(forged, tokens.CUSTOMER)
    frozen_clock(settings().secret_refetch_seconds)
    with pytest.raises(InvalidToken):
        tokens.verify(forged, tokens.CUSTOMER)

    assert reads.count(True) == 2
    assert reads[:2] == [False, True]


def test_the_guard_allows_one_read_anew_per_secret_per_window(frozen_clock: Callable[[float], None]) -> None:
    guard, window = tokens.RefetchGuard(), settings().secret_refetch_seconds

    assert guard.allow("one")
    assert not guard.allow("one")
    assert guard.allow("two")  # each secret has its own window
    frozen_clock(window - 0.5)
    assert not guard.allow("one")
    frozen_clock(0.5)
    assert guard.allow("one")
    frozen_clock(-60)  # a clock set back does not lock the secret out
    assert guard.allow("one")


def test_the_defaults_cache_secrets_a_minute_and_read_anew_at_most_every_five_seconds() -> None:
    assert (settings().secret_cache_seconds, settings().secret_refetch_seconds) == (60, 5)
