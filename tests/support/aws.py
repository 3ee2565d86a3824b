"""AWS played by moto, with the template's own tables and secrets; or DynamoDB for those tables
played by DynamoDB Local (AWS's own engine) while moto plays every other service."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from moto import mock_aws

from customer_api import store
from customer_api.core import settings as config
from local import outbox, template

MOTO = "moto"
DYNAMODB_LOCAL = "dynamodb-local"
BACKENDS = (MOTO, DYNAMODB_LOCAL)


def java_missing() -> str | None:
    """Why the DynamoDB Local tier is skipped (CI has java: there it always runs)."""
    return None if shutil.which("java") else "java is not on PATH"


@contextmanager
def fresh_aws(dynamodb_endpoint: str | None = None) -> Iterator[None]:
    """Fresh DynamoDB tables and secrets, created from template.yaml, and no cached clients.
    With `dynamodb_endpoint` (a DynamoDB Local), DynamoDB is that one: moto lets requests to
    an endpoint it does not know through."""
    names = ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS")  # its streams too
    saved = {name: os.environ.get(name) for name in names}
    if dynamodb_endpoint is not None:
        os.environ.update(dict.fromkeys(names, dynamodb_endpoint))
    try:
        with mock_aws():
            store.forget_cached()
            config.settings.cache_clear()
            dynamodb = boto3.client("dynamodb")
            for table in dynamodb.list_tables()["TableNames"]:  # what the previous test left
                dynamodb.delete_table(TableName=table)
            template.create_tables(dynamodb)
            template.create_secrets(boto3.client("secretsmanager"))
            template.create_keys(boto3.client("kms"))
            template.create_event_buses(boto3.client("events"))
            outbox.install_tap()
            yield
            store.forget_cached()
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value
