"""The two AWS services besides DynamoDB and Secrets Manager: KMS (the reset-token key) and
EventBridge (the customer events bus). One client each per container."""

from __future__ import annotations

import base64
import functools
import json
from typing import Any

import boto3

from customer_api.core.records import DomainEvent
from customer_api.core.settings import settings

SOURCE = "customer-api"
MAX_ENTRIES_PER_PUT = 10  # PutEvents' limit


@functools.cache
def kms_client() -> Any:
    return boto3.client("kms")


@functools.cache
def events_client() -> Any:
    return boto3.client("events")


def forget() -> None:
    kms_client.cache_clear()
    events_client.cache_clear()


def encrypt(plaintext: str, context: dict[str, str]) -> str:
    response = kms_client().encrypt(
        KeyId=settings().reset_token_key, Plaintext=plaintext.encode(), EncryptionContext=context
    )
    return base64.b64encode(response["CiphertextBlob"]).decode()


class EventsNotPublished(Exception):
    """The bus refused some events (throttled, or down): the stream record is tried again."""


def put_events(events: list[DomainEvent]) -> None:
    for start in range(0, len(events), MAX_ENTRIES_PER_PUT):
        entries = [
            {
                "EventBusName": settings().event_bus_name,
                "Source": SOURCE,
                "DetailType": event.detail_type,
                "Detail": json.dumps(event.detail),
            }
            for event in events[start : start + MAX_ENTRIES_PER_PUT]
        ]
        failed = events_client().put_events(Entries=entries).get("FailedEntryCount", 0)
        if failed:
            raise EventsNotPublished(f"{failed} of {len(entries)} events refused by the bus")
