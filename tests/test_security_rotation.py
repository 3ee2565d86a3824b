"""Rotating a signing key: tokens signed with the previous key live on until it is dropped, new
tokens are signed with the current one, and a dropped key signs nothing that is accepted."""

from __future__ import annotations

import json
import secrets
from typing import Any

import boto3
import jwt
from aws_lambda_powertools.utilities import parameters

from customer_api.core.settings import settings
from tests.conftest import Api, CustomerAccount


def set_customer_keys(current: str, previous: str) -> None:
    boto3.client("secretsmanager").put_secret_value(
        SecretId=settings().customer_token_secret, SecretString=json.dumps({"current": current, "previous": previous})
    )
    parameters.clear_caches()  # as the cache's max_age passing would


def current_customer_key() -> str:
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=settings().customer_token_secret)
    return str(json.loads(secret["SecretString"])["current"])


def log_out(api: Api, session: dict[str, str]) -> int:
    return api.delete(f"/api/customers/sessions/{session['sid']}", token=session["token"]).status


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
