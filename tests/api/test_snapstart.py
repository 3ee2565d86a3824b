"""SnapStart (template parameter SnapStart=On): every container of a version resumes from one
snapshot of its init. Before the snapshot the clients are made; after each restore the container
drops what it must not share with the others restored from the same snapshot: the AWS clients and
their connections, the cached secrets, the secret refetch guard's times, the state of `random`.

The hooks run here as Lambda's runtime runs them; AWS is moto."""

from __future__ import annotations

import json
import random
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.parameters.base import DEFAULT_PROVIDERS

from customer_api import store
from customer_api.core.settings import settings
from customer_api.domain import tokens
from customer_api.edge import snapstart
from customer_api.store import client
from tests.support import Api, CustomerAccount

pytestmark = pytest.mark.usefixtures("aws")


def rotate_customer_keys() -> str:
    """Put a new current key behind any container's cache, as a rotation does: the new key."""
    key = "rotated-while-the-snapshot-slept"
    secret = {"current": key, "previous": ""}
    boto3.client("secretsmanager").put_secret_value(
        SecretId=settings().customer_token_secret, SecretString=json.dumps(secret)
    )
    return key


def customer_keys() -> dict[str, Any]:
    return store.active().read_secret(settings().customer_token_secret, settings().secret_cache_seconds)


def test_before_the_snapshot_the_clients_of_the_requests_are_made() -> None:
    store.forget_cached()
    snapstart.before_snapshot()
    assert client.dynamodb.cache_info().currsize == 1
    assert "secrets" in DEFAULT_PROVIDERS


def test_after_a_restore_the_clients_are_made_anew() -> None:
    snapstart.before_snapshot()
    in_the_snapshot = client.dynamodb()
    snapstart.after_restore()
    assert client.dynamodb() is not in_the_snapshot
    assert "secrets" not in DEFAULT_PROVIDERS


def test_after_a_restore_a_secret_is_read_anew_not_from_the_snapshot_s_cache() -> None:
    cached = customer_keys()  # a secret read before the snapshot was taken
    rotated = rotate_customer_keys()
    assert customer_keys() == cached  # within SECRET_CACHE_SECONDS: from the cache
    snapstart.after_restore()
    assert customer_keys()["current"] == rotated


def test_after_a_restore_a_secret_may_be_read_anew_at_once() -> None:
    name = settings().customer_token_secret
    assert tokens.refetches.allow(name)
    assert not tokens.refetches.allow(name)  # once per SECRET_REFETCH_SECONDS
    snapstart.after_restore()
    assert tokens.refetches.allow(name)


def test_containers_restored_from_one_snapshot_draw_different_jitter() -> None:
    in_the_snapshot = random.getstate()
    draws = []
    for _ in range(2):
        random.setstate(in_the_snapshot)
        snapstart.after_restore()
        draws.append(random.random())
    assert draws[0] != draws[1]


def test_a_restored_container_serves_requests(api: Api, customer: CustomerAccount) -> None:
    logged_in = api.post("/api/customers/sessions", {"email": customer.email, "password": customer.password})
    snapstart.after_restore()
    token = logged_in.data["token"]
    assert api.get("/api/customers/me", token=token).status == 200


@pytest.fixture
def runtime_hooks(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[Callable[[], None]]]]:
    """Lambda's `snapshot_restore_py` (in its managed Python runtimes only), as a module keeping
    what is registered; and registration not done yet in this process."""
    registered: dict[str, list[Callable[[], None]]] = {"before_snapshot": [], "after_restore": []}
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_before_snapshot = registered["before_snapshot"].append  # type: ignore[attr-defined]
    runtime.register_after_restore = registered["after_restore"].append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)
    snapstart.register.cache_clear()
    settings.cache_clear()
    yield registered
    snapstart.register.cache_clear()
    settings.cache_clear()


def test_the_hooks_are_registered_when_lambda_initializes_for_a_snapshot(
    runtime_hooks: dict[str, list[Callable[[], None]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start")
    assert snapstart.register()
    assert runtime_hooks == {"before_snapshot": [snapstart.before_snapshot], "after_restore": [snapstart.after_restore]}


def test_no_hook_is_registered_for_an_on_demand_container(
    runtime_hooks: dict[str, list[Callable[[], None]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
    assert not snapstart.register()
    assert runtime_hooks == {"before_snapshot": [], "after_restore": []}


def test_without_the_runtime_s_library_nothing_is_registered_and_nothing_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # as outside Lambda: no such module
    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start")
    snapstart.register.cache_clear()
    settings.cache_clear()
    try:
        assert not snapstart.register()
    finally:
        snapstart.register.cache_clear()
        settings.cache_clear()
