"""Where Powertools' idempotency utility keeps its records: a DynamoDB table, reached through the
store's client. Only the create function imports this module."""

from __future__ import annotations

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from customer_api.core.settings import settings
from customer_api.store import client


def persistence() -> DynamoDBPersistenceLayer:
    table = settings().idempotency_table
    if not table:
        raise RuntimeError("IDEMPOTENCY_TABLE is not set")
    # The layer's one DynamoDB client: its retries, its connections.
    return DynamoDBPersistenceLayer(table_name=table, boto3_client=client.dynamodb())
