"""Rotating a signing key: tokens signed with the previous key live on until it is dropped, new
tokens are signed with the current one, and a dropped key signs nothing that is accepted.

Each token names its key (`kid`): a warm container still caching the old secret reads it anew
when a token of a key it does not know arrives, so a new key works at once and a retired one
is refused as soon as the container has seen a token of its successor; every container refuses
it once its cache (SECRET_CACHE_SECONDS) has expired. Tokens with made-up or missing key ids
make a container read the secret anew at most once per SECRET_REFETCH_SECONDS."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import jwt
import pytest
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters import base as powertools_parameters
from botocore.client import BaseClient

from customer_api.core.settings import settings
from customer_api.domain import tokens
from tests.support import Api, CustomerAccount


@pytest.fixture(autouse=True)
def no_recent_refetch() -> Iterator[None]:
    """Each test starts in a container that has not read a secret anew lately (the guard's
    memory would otherwise carry over from the test before)."""
    tokens.refetches.forget()
    yield
    tokens.refetches.forget()


def put_customer_keys(current: str, previous: str) -> None:
    """Change the secret behind the warm container's cache, as an operator's rotation does."""
    boto3.client("secretsmanager").put_secret_value(
        SecretId=settings().customer_token_secret, SecretString=json.dumps({"current": current, "previous": previous})
    )


def set_customer_keys(current: str, previous: str) -> None:
    put_customer_keys(current, previous)
    parameters.clear_caches()  # as the cache's max_age passing would


def current_customer_key() -> str:
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=settings().customer_token_secret)
    return str(json.loads(secret["SecretString"])["current"])


def log_out(api: Api, session: dict[str, str]) -> int:
    return api.delete(f"/api/customers/sessions/{session['sid']}", token=session["token"]).status


def signed_anew(session: dict[str, str], key: str, headers: dict[str, Any] | None = None) -> dict[str, str]:
    """The session with its token's claims signed with `key`, naming it by default (as a
    container that has read the new secret would have issued it)."""
    claims = jwt.decode(session["token"], options={"verify_signature": False})
    kid_header = {"kid": tokens.key_id(key)} if headers is None else headers
    return {**session, "token": jwt.encode(claims, key, algorithm="HS256", headers=kid_header)}


@pytest.fixture
def session(customer: CustomerAccount, log_in: Any) -> dict[str, str]:
    """A logged-in customer's {token, sid}."""
    return log_in(customer)  # type: ignore[no-any-return]


@pytest.fixture
def secret_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SecretIds of every Secrets Manager GetSecretValue call from now on."""
    reads: list[str] = []
    real_call = BaseClient._make_api_call

    def make_api_call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.endpoint_prefix == "secretsmanager" and operation == "GetSecretValue":
            reads.append(params["SecretId"])
        return real_call(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", make_api_call)
    return reads


def let_the_secret_cache_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    """Move Powertools' cache clock past SECRET_CACHE_SECONDS: every cached secret is stale."""
    later = timedelta(seconds=settings().secret_cache_seconds + 1)

    class Later(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Any:
            return datetime.now(tz) + later

    monkeypatch.setattr(powertools_parameters, "datetime", Later)


def test_a_token_signed_with_the_previous_key_is_accepted(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    session = log_in(customer)
    set_customer_keys(secrets.token_urlsafe(48), current_customer_key())

    assert log_out(api, session) == 200


def test_new_tokens_are_signed_with_the_current_key(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    new_key = secrets.token_urlsafe(48)
    set_customer_keys(new_key, current_customer_key())

    token = log_in(customer)["token"]

    assert jwt.decode(token, new_key, algorithms=["HS256"], audience="customer")["sid"]


def test_a_token_signed_with_a_dropped_key_is_refused(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    session = log_in(customer)
    set_customer_keys(secrets.token_urlsafe(48), "")

    assert log_out(api, session) == 401


def test_issued_tokens_name_their_key(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    token = log_in(customer)["token"]

    assert jwt.get_unverified_header(token)["kid"] == tokens.key_id(current_customer_key())


def test_a_token_of_a_newly_rotated_key_is_accepted_at_once_by_a_container_caching_the_old_secret(
    api: Api, customer: CustomerAccount, log_in: Any
) -> None:
    session = log_in(customer)  # the container now caches the old secret
    new_key = secrets.token_urlsafe(48)
    put_customer_keys(new_key, current_customer_key())

    assert log_out(api, signed_anew(session, new_key)) == 200


def test_a_retired_key_is_refused_at_once_by_a_container_that_has_seen_a_token_of_the_new_key(
    api: Api, customer: CustomerAccount, log_in: Any
) -> None:
    old_session, other_session = log_in(customer), log_in(customer)
    new_key = secrets.token_urlsafe(48)
    put_customer_keys(new_key, "")  # a leaked key retired, behind the warm container's cache

    assert log_out(api, signed_anew(other_session, new_key)) == 200
    assert log_out(api, old_session) == 401


def test_a_retired_key_is_refused_by_every_container_once_its_secret_cache_has_expired(
    api: Api, customer: CustomerAccount, log_in: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions = [log_in(customer), log_in(customer)]
    put_customer_keys(secrets.token_urlsafe(48), "")

    # Until then a container that has seen no token of the new key still holds the old one...
    assert log_out(api, sessions[0]) == 200
    let_the_secret_cache_expire(monkeypatch)
    # ...but not a second longer than SECRET_CACHE_SECONDS.
    assert log_out(api, sessions[1]) == 401


def test_the_secret_cache_lasts_a_minute_by_default() -> None:
    assert settings().secret_cache_seconds == 60


BAD_KEY_IDS: dict[str, Callable[[dict[str, str]], dict[str, str]]] = {
    "made-up kid, made-up key": lambda s: signed_anew(s, "another-key-" + "x" * 40, {"kid": "0123456789abcdef"}),
    "made-up kid, the real key": lambda s: signed_anew(s, current_customer_key(), {"kid": "not-a-key-id"}),
    "no kid, made-up key": lambda s: signed_anew(s, "another-key-" + "x" * 40, {}),
}


@pytest.mark.parametrize("bad", BAD_KEY_IDS)
def test_tokens_with_made_up_or_missing_key_ids_are_refused_and_read_the_secret_anew_once_per_window(
    api: Api, session: dict[str, str], bad: str, frozen_clock: Callable[[float], None], secret_reads: list[str]
) -> None:
    forged = BAD_KEY_IDS[bad](session)
    secret_reads.clear()  # the login and forging read the secret too

    statuses = [log_out(api, forged) for _ in range(5)]
    reads_in_one_window = len(secret_reads)
    frozen_clock(settings().secret_refetch_seconds)
    statuses.append(log_out(api, forged))

    assert statuses == [401] * 6
    assert reads_in_one_window == 1
    assert secret_reads == [settings().customer_token_secret] * 2
