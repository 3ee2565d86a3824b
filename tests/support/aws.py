"""AWS played by moto, with the template's own tables and secrets; or DynamoDB for those tables
played by DynamoDB Local (AWS's own engine) while moto plays every other service."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from moto import mock_aws
from moto.kms import models as _moto_kms

from customer_api import store
from customer_api.core import settings as config
from local import template

MOTO = "moto"
DYNAMODB_LOCAL = "dynamodb-local"
BACKENDS = (MOTO, DYNAMODB_LOCAL)


@functools.cache
def _loaded_session() -> boto3.session.Session:
    return boto3.session.Session()


# moto gives every KMS key, symmetric ones too, a fresh 2048-bit RSA key it never uses for
# them (~80 ms a key, a test each): the tests' keys share one per key spec.
_moto_kms.generate_private_key = functools.cache(_moto_kms.generate_private_key)  # type: ignore[attr-defined]


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
            # moto empties boto3's default session on start, so every client made in a test
            # would load botocore's service catalogue again (~40 ms a client). Its stubbing is
            # global, so one session, loaded once, serves every mock: moto restores on stop.
            boto3.DEFAULT_SESSION = _loaded_session()
            store.forget_cached()
            config.settings.cache_clear()
            dynamodb = boto3.client("dynamodb")
            for table in dynamodb.list_tables()["TableNames"]:  # what the previous test left
                dynamodb.delete_table(TableName=table)
            template.create_tables(dynamodb)
            template.create_secrets(boto3.client("secretsmanager"))
            template.create_keys(boto3.client("kms"))
            template.create_event_buses(boto3.client("events"))
            yield
            store.forget_cached()
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value
