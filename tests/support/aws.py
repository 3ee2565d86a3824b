"""AWS played by moto, with the template's own tables and secrets."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from moto import mock_aws

from customer_api import store
from customer_api.core import settings as config
from local import outbox, template


@contextmanager
def fresh_aws() -> Iterator[None]:
    """Fresh DynamoDB tables and secrets, created from template.yaml, and no cached clients."""
    with mock_aws():
        store.forget_cached()
        config.settings.cache_clear()
        template.create_tables(boto3.client("dynamodb"))
        template.create_secrets(boto3.client("secretsmanager"))
        template.create_keys(boto3.client("kms"))
        template.create_event_buses(boto3.client("events"))
        outbox.install_tap()
        yield
        store.forget_cached()
