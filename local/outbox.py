"""The outbox as AWS runs it, outside AWS: read the customers table's stream, hand its records to
PublishEventsFunction's real handler in the event Lambda's event source mapping makes, and read
back what the function put on the EventBridge bus through a rule that copies every customer
event into an SQS queue (the tap). The local server polls it in a thread; tests call `poll`.

A batch whose records the function reports failed is sent again from the first failed record on
the next poll, as Lambda does with ReportBatchItemFailures. With a position file (the server's
data folder) the outbox resumes after a restart where it stopped, as Lambda's event source
mapping keeps its place: what was published is not published again, and what was committed while
no server ran (an import) is published at the next start."""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from local import runtime, template

# The layer's names, as the service has them (local.runtime put the layer on the import path).
SOURCE = "customer-api"
PASSWORD_RESET_REQUESTED = "customer.password_reset_requested"

TABLE = "CustomersTable"
BUS = "EventBus"
TAP_QUEUE = "customer-events-tap"
TAP_RULE = "customer-events-tap"

STOP_WAIT_SECONDS = 30.0  # at most, for a poll under way (a first one cold-starts the publisher)


def provision() -> None:
    """The template's KMS keys and bus (an Outbox adds the tap on the bus)."""
    template.create_keys(boto3.client("kms"))
    template.create_event_buses(boto3.client("events"))


def install_tap() -> None:
    """A rule on the bus sending every customer event to the tap queue (as a shop's rule would
    send them to its function). Idempotent."""
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


class Position:
    """The last sequence number the function took from a stream (`move`), kept in a file when
    there is one (`save`, once the events it published were shown), with the stream's ARN: a
    table made again has a new stream, read from its start."""

    def __init__(self, file: Path | None) -> None:
        self._file = file
        self._kept: dict[str, str] = {}
        if file is not None and file.exists():
            try:
                self._kept = json.loads(file.read_text())
            except ValueError:  # edited by hand: from the stream's start (at least once, as ever)
                self._kept = {}
        self._saved = dict(self._kept)

    def after(self, stream_arn: str) -> str | None:
        return self._kept.get("after") if self._kept.get("stream") == stream_arn else None

    def move(self, stream_arn: str, sequence: str) -> None:
        self._kept = {"stream": stream_arn, "after": sequence}

    def save(self) -> None:
        if self._file is None or self._kept == self._saved:
            return
        scratch = self._file.with_suffix(".tmp")  # whole or not at all: a crash keeps the last one
        scratch.write_text(json.dumps(self._kept) + "\n")
        os.replace(scratch, self._file)
        self._saved = dict(self._kept)


class Outbox:
    """The stream's position and the tap, for one backend; `position_file` keeps the position
    across restarts."""

    def __init__(self, position_file: Path | None = None) -> None:
        install_tap()  # idempotent: SQS and EventBridge answer the same queue and rule again
        self._position = Position(position_file)
        self._lock = threading.Lock()
        # Made here, once: boto3's default session is not safe to make clients from in parallel.
        # Account-based endpoints (<account>.streams-ddb...) are unknown to moto: the regional one.
        self._streams = boto3.client("dynamodbstreams", config=Config(account_id_endpoint_mode="disabled"))
        self._dynamodb, self._sqs, self._kms = boto3.client("dynamodb"), boto3.client("sqs"), boto3.client("kms")

    def _unread(self) -> tuple[str, list[dict[str, Any]]]:
        streams = self._streams
        stream_arn = self._dynamodb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
        records: list[dict[str, Any]] = []
        after = self._position.after(stream_arn)
        for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
            position: dict[str, str] = (
                {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
                if after
                else {"ShardIteratorType": "TRIM_HORIZON"}
            )
            iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"], **position)
            records += streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
        return stream_arn, records

    def _deliver(self, stream_arn: str, records: list[dict[str, Any]]) -> None:
        event = {"Records": [_lambda_record(record, stream_arn) for record in records]}
        reply = runtime.invoke(runtime.stream_consumer(TABLE), event)
        failed = {failure["itemIdentifier"] for failure in reply.get("batchItemFailures", [])}
        taken = None
        for record in records:
            sequence = record["dynamodb"]["SequenceNumber"]
            if sequence in failed:
                break  # from here on again at the next poll
            taken = sequence
        if taken is not None:
            self._position.move(stream_arn, taken)

    def poll(self) -> list[dict[str, Any]]:
        """Publish what the stream holds past the last poll; the events the bus received since
        the last poll, in EventBridge's envelope (id, source, detail-type, time, detail, ...)."""
        with self._lock:
            stream_arn, records = self._unread()
            if records:
                self._deliver(stream_arn, records)
            return _drain_tap(self._sqs)

    def shown(self) -> None:
        """What the last poll answered has been shown: a restart starts after it. Until then a
        stop (or a crash) publishes it again at the next start: at least once."""
        with self._lock:
            self._position.save()

    def with_token_in_clear(self, envelope: dict[str, Any]) -> dict[str, Any]:
        return with_token_in_clear(envelope, self._kms)


def _drain_tap(sqs: Any) -> list[dict[str, Any]]:
    queue_url = sqs.get_queue_url(QueueName=TAP_QUEUE)["QueueUrl"]
    received: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return received
        for message in messages:
            received.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def with_token_in_clear(envelope: dict[str, Any], kms: Any = None) -> dict[str, Any]:
    """A reset event with its token decrypted under `detail.token`, as the shop's mailer would
    decrypt it (KMS, the same encryption context). Local only: never on AWS."""
    detail = envelope.get("detail", {})
    if envelope.get("detail-type") != PASSWORD_RESET_REQUESTED or "encrypted_token" not in detail:
        return envelope
    from customer_api.domain.recovery import encryption_context  # noqa: PLC0415 - the layer, imported late

    plaintext = (kms or boto3.client("kms")).decrypt(
        CiphertextBlob=base64.b64decode(detail["encrypted_token"]),
        EncryptionContext=encryption_context(detail["customer_uuid"]),
    )["Plaintext"]
    return {**envelope, "detail": {**detail, "token": plaintext.decode()}}


def console_line(envelope: dict[str, Any]) -> str:
    """One line per event for the server's console: its type, id and detail (the token, if
    any, encrypted as the bus has it)."""
    return f"event {envelope['detail-type']} {json.dumps(envelope['detail'], separators=(',', ':'))}"


def envelope_line(envelope: dict[str, Any]) -> str:
    """One JSON line in EventBridge's envelope for EVENTS_FILE."""
    wanted = ("version", "id", "source", "account", "time", "region", "resources", "detail-type", "detail")
    return json.dumps({name: envelope[name] for name in wanted if name in envelope}, separators=(",", ":"))


def serve(outbox: Outbox, events_file: str | None, every: float = 0.3) -> Callable[[], None]:
    """Publish in a daemon thread until the returned function is called: each event printed on
    one console line and, with `events_file`, appended there with the reset token in clear."""
    # The publisher's clients, made before its thread runs (see Outbox.__init__).
    from customer_api.store import outside  # noqa: PLC0415 - the layer, once the environment is set

    outside.kms_client(), outside.events_client()

    def on_event(envelope: dict[str, Any]) -> None:
        print(console_line(envelope), flush=True)
        if events_file:
            with open(events_file, "a", encoding="utf-8") as sink:
                sink.write(envelope_line(outbox.with_token_in_clear(envelope)) + "\n")

    return run_in_background(outbox, on_event, every)


def run_in_background(
    outbox: Outbox, on_event: Callable[[dict[str, Any]], None], every: float = 0.5
) -> Callable[[], None]:
    """Poll in a daemon thread until the returned function is called. That call waits for a poll
    under way to end (the server calls it before stopping its backend), so that no invocation of
    the publisher outlives the server into whatever runs next in the process (the next tests)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                published = outbox.poll()
            except Exception as error:  # noqa: BLE001 - the server keeps serving; the next poll retries
                if stop.is_set():
                    return
                print(f"outbox: {type(error).__name__}: {error}", flush=True)
                continue
            for envelope in published:
                on_event(envelope)
            outbox.shown()

    thread = threading.Thread(target=loop, name="outbox", daemon=True)
    thread.start()

    def stopping() -> None:
        stop.set()
        thread.join(STOP_WAIT_SECONDS)

    return stopping
