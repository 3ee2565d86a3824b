"""Secrets Manager, read through Powertools' cached parameters."""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.constants import DEFAULT_PROVIDERS
from aws_lambda_powertools.utilities.parameters.secrets import SecretsProvider


def connect() -> None:
    """Give Powertools' secrets provider a client from boto3's default session, the one the
    DynamoDB client comes from: on its own session it would read botocore's service catalogue
    again, ~300 ms of cold start. `forget()` drops it with the cache."""
    if "secrets" not in DEFAULT_PROVIDERS:
        DEFAULT_PROVIDERS["secrets"] = SecretsProvider(boto3_client=boto3.client("secretsmanager"))


def read_json(name: str, max_age: int, *, fresh: bool = False) -> dict[str, Any]:
    """A JSON secret, from a cache at most `max_age` seconds old; `fresh` reads it past the cache
    (Powertools' force_fetch, which caches what it read)."""
    connect()
    secret: dict[str, Any] = parameters.get_secret(name, transform="json", max_age=max_age, force_fetch=fresh)
    return secret


def forget() -> None:
    """Drop cached secrets and the provider (tests and the local server switch backends)."""
    parameters.clear_caches()  # type: ignore[no-untyped-call]
