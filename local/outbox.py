"""The outbox as AWS runs it, outside AWS: read the customers table's stream, hand its records to
PublishEventsFunction's real handler in the event Lambda's event source mapping makes, and read
back what the function put on the EventBridge bus through a rule that copies every customer
event into an SQS queue (the tap). The local server polls it in a thread; tests call `poll`.

A batch whose records the function reports failed is sent again from the first failed record on
the next poll, as Lambda does with ReportBatchItemFailures."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

from customer_api.domain.events import PASSWORD_RESET_REQUESTED, SOURCE
from customer_api.domain.recovery import encryption_context
from local import runtime

TABLE = "CustomersTable"
BUS = "EventBus"
TAP_QUEUE = "customer-events-tap"
TAP_RULE = "customer-events-tap"


def install_tap() -> None:
    """A rule on the bus sending every customer event to the tap queue (as a shop's rule would
    send them to its function)."""
    sqs, events = boto3.client("sqs"), boto3.client("events")
    queue_url = sqs.create_queue(QueueName=TAP_QUEUE)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=TAP_RULE, EventBusName=BUS, EventPattern=json.dumps({"source": [SOURCE]}))
    events.put_targets(Rule=TAP_RULE, EventBusName=BUS, Targets=[{"Id": "tap", "Arn": queue_arn}])


def _lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A record of DynamoDB Streams' API as a record of the event Lambda hands a consumer."""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if created is not None and not isinstance(created, int | float):
        change["ApproximateCreationDateTime"] = created.timestamp()
    return {**{k: v for k, v in record.items() if k != "dynamodb"}, "dynamodb": change, "eventSourceARN": stream_arn}


class Outbox:
    """The stream's position and the tap, for one backend."""

    def __init__(self) -> None:
        self._after: str | None = None  # the last sequence number the function took
        self._lock = threading.Lock()

    def _unread(self) -> tuple[str, list[dict[str, Any]]]:
        # Account-based endpoints (<account>.streams-ddb...) are unknown to moto: the regional one.
        streams = boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
        stream_arn = boto3.client("dynamodb").describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
        records: list[dict[str, Any]] = []
        for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
            position: dict[str, str] = (
                {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self._after}
                if self._after
                else {"ShardIteratorType": "TRIM_HORIZON"}
            )
            iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"], **position)
            records += streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
        return stream_arn, records

    def _deliver(self, stream_arn: str, records: list[dict[str, Any]]) -> None:
        event = {"Records": [_lambda_record(record, stream_arn) for record in records]}
        reply = runtime.invoke(runtime.stream_consumer(TABLE), event)
        failed = {failure["itemIdentifier"] for failure in reply.get("batchItemFailures", [])}
        for record in records:
            sequence = record["dynamodb"]["SequenceNumber"]
            if sequence in failed:
                return  # from here on again at the next poll
            self._after = sequence

    def poll(self) -> list[dict[str, Any]]:
        """Publish what the stream holds past the last poll; the events the bus received since
        the last poll, in EventBridge's envelope (id, source, detail-type, time, detail, ...)."""
        with self._lock:
            stream_arn, records = self._unread()
            if records:
                self._deliver(stream_arn, records)
            return _drain_tap()


def _drain_tap() -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    queue_url = sqs.get_queue_url(QueueName=TAP_QUEUE)["QueueUrl"]
    received: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return received
        for message in messages:
            received.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def with_token_in_clear(envelope: dict[str, Any]) -> dict[str, Any]:
    """A reset event with its token decrypted under `detail.token`, as the shop's mailer would
    decrypt it (KMS, the same encryption context). Local only: never on AWS."""
    detail = envelope.get("detail", {})
    if envelope.get("detail-type") != PASSWORD_RESET_REQUESTED or "encrypted_token" not in detail:
        return envelope
    plaintext = boto3.client("kms").decrypt(
        CiphertextBlob=base64.b64decode(detail["encrypted_token"]),
        EncryptionContext=encryption_context(detail["customer_uuid"]),
    )["Plaintext"]
    return {**envelope, "detail": {**detail, "token": plaintext.decode()}}


def run_in_background(
    outbox: Outbox, on_event: Callable[[dict[str, Any]], None], every: float = 0.5
) -> threading.Event:
    """Poll in a daemon thread until the returned event is set."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                published = outbox.poll()
            except Exception as error:  # noqa: BLE001 - the server keeps serving; the next poll retries
                print(f"outbox: {type(error).__name__}: {error}", flush=True)
                continue
            for envelope in published:
                on_event(envelope)

    threading.Thread(target=loop, name="outbox", daemon=True).start()
    return stop
