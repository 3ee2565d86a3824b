"""The local server's life: a fresh backend per start, the environment given back, one per
process, a backend of the user's (AWS_ENDPOINT_URL), DynamoDB Local keeping data across
restarts (and bringing kept tables up to date), the fallback to moto without java, and
`make serve`'s entry point."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto.server import ThreadedMotoServer

from local import dynamodb_local, server, template
from tests.local.test_local_server import ADMIN, README_ADMIN, ROOT, Http
from tests.support import DYNAMODB_LOCAL, java_missing, unique_email


def test_each_start_gets_a_fresh_backend() -> None:
    body = {"email": unique_email(), "password": "secret-123", "full_name": "Jane Doe"}
    for _ in range(2):
        with server.start(seed_admin=ADMIN) as started:
            client = Http(started.url)
            assert client.json("POST", "/api/customers", body, client.admin_token())[0] == 200


def test_stopping_restores_the_environment() -> None:
    before = dict(os.environ)

    server.start().stop()

    assert dict(os.environ) == before


def test_a_second_server_in_one_process_is_refused() -> None:
    with server.start(), pytest.raises(RuntimeError, match="already running"):
        server.start()


@pytest.fixture
def outside_backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A moto server of the user's, with the template's tables and an admin already in it."""
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
    # moto's state is per process: start from an empty one, as the user's backend would be.
    urllib.request.urlopen(urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST")).close()
    template.create_tables(boto3.client("dynamodb"))
    server._reset_layer_caches()
    server.seed(*README_ADMIN)
    yield f"http://{host}:{port}"
    moto.stop()
    server._reset_layer_caches()


def test_with_aws_endpoint_url_the_server_uses_that_backend_and_keeps_its_data(outside_backend: str) -> None:
    with server.start() as started:
        status, _ = Http(started.url).json(
            "POST", "/api/user/tokens", {"email": README_ADMIN[0], "password": README_ADMIN[1]}
        )

    assert status == 200


def test_make_serve_prints_its_url_and_a_working_generated_password(tmp_path: Path) -> None:
    environment = {**os.environ, "PORT": "0", "ADMIN_EMAIL": "boss@shop.example.com", "LOCAL_DATA": str(tmp_path)}
    environment.pop("ADMIN_PASSWORD", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "local.server"], cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        password = re.search(r"password: (\S+)", lines[0])
        url = re.search(r"on (http://\S+)", lines[2])
        assert password and url, lines
        assert lines[1] == f"Backend: DynamoDB Local, data in {tmp_path.resolve()}\n" or java_missing()
        status, _ = Http(url[1]).json(
            "POST", "/api/user/tokens", {"email": "boss@shop.example.com", "password": password[1]}
        )
        assert status == 200
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0


needs_java = pytest.mark.skipif(java_missing() is not None, reason=f"DynamoDB Local tier skipped: {java_missing()}")


@needs_java
def test_on_dynamodb_local_customers_and_tokens_survive_a_restart(tmp_path: Path) -> None:
    body = {"email": unique_email(), "password": "secret-123", "full_name": "Jane Doe"}
    with server.start(seed_admin=ADMIN, backend_kind=DYNAMODB_LOCAL, data=tmp_path) as first:
        client = Http(first.url)
        token = client.admin_token()
        status, created = client.json("POST", "/api/customers", body, token)
        assert status == 200

    with server.start(backend_kind=DYNAMODB_LOCAL, data=tmp_path) as second:
        status, updated = Http(second.url).json(
            "PATCH", f"/api/customers/{created['data']['uuid']}", {"full_name": "Jane Q. Doe"}, token
        )

    assert status == 200
    assert updated["data"]["email"] == body["email"]


def published(events_file: Path) -> list[str]:
    """The detail-types in an EVENTS_FILE, in order."""
    lines = events_file.read_text().splitlines() if events_file.exists() else []
    return [json.loads(line)["detail-type"] for line in lines]


def wait_for(events_file: Path, count: int) -> None:
    deadline = time.monotonic() + 30
    while len(published(events_file)) < count and time.monotonic() < deadline:
        time.sleep(0.1)


@needs_java
def test_on_dynamodb_local_the_outbox_resumes_after_a_restart_where_it_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What it published before is not published again: the stream still holds those records."""
    events_file = tmp_path / "events.jsonl"
    monkeypatch.setenv("EVENTS_FILE", str(events_file))
    body = {"email": unique_email(), "password": "secret-123", "full_name": "Jane Doe"}
    with server.start(seed_admin=ADMIN, backend_kind=DYNAMODB_LOCAL, data=tmp_path) as first:
        client = Http(first.url)
        token = client.admin_token()
        _, created = client.json("POST", "/api/customers", body, token)
        wait_for(events_file, 1)

    with server.start(backend_kind=DYNAMODB_LOCAL, data=tmp_path) as second:
        rename = {"full_name": "Jane Q. Doe"}
        status, _ = Http(second.url).json("PATCH", f"/api/customers/{created['data']['uuid']}", rename, token)
        wait_for(events_file, 2)  # the stream is read in order: a republished create would come first

    assert status == 200
    assert published(events_file) == ["customer.created", "customer.updated"]


@needs_java
def test_a_kept_table_without_an_index_of_the_template_gets_it(tmp_path: Path) -> None:
    """Data from before an index was added to template.yaml: the index is added (UpdateTable),
    with the items already there in it."""
    sessions = template.resources_of_type("AWS::DynamoDB::Table")["SessionsTable"]["Properties"]
    with dynamodb_local.DynamoDBLocal(tmp_path) as engine:
        old = boto3.client("dynamodb", endpoint_url=engine.endpoint)
        old.create_table(
            TableName="SessionsTable",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=sessions["KeySchema"],
            BillingMode="PAY_PER_REQUEST",
        )
        old.put_item(TableName="SessionsTable", Item={"pk": {"S": "session#kept"}, "owner": {"S": "customer#1"}})

    with server.start(backend_kind=DYNAMODB_LOCAL, data=tmp_path):
        dynamodb = boto3.client("dynamodb")
        indexes = dynamodb.describe_table(TableName="SessionsTable")["Table"]["GlobalSecondaryIndexes"]
        found = dynamodb.query(
            TableName="SessionsTable",
            IndexName="by_owner",
            KeyConditionExpression="#owner = :owner",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={":owner": {"S": "customer#1"}},
        )["Items"]

    assert sorted(index["IndexName"] for index in indexes) == ["by_owner", "recent_by_owner"]
    assert found == [{"pk": {"S": "session#kept"}, "owner": {"S": "customer#1"}}]


def test_without_java_the_server_falls_back_to_moto_with_a_notice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no java on it

    with server.start(seed_admin=ADMIN, backend_kind=DYNAMODB_LOCAL, data=tmp_path / "data") as started:
        status, _ = Http(started.url).json("POST", "/api/user/tokens", {"email": ADMIN[0], "password": ADMIN[1]})

    assert status == 200
    assert started.backend.startswith("moto")
    assert [record.message for record in caplog.records if record.levelname == "WARNING"] == [
        "DynamoDB Local unavailable (java is not on PATH): serving on moto, in memory"
    ]


def test_dynamodb_local_grants_no_browser_origin(dynamodb_local: str) -> None:
    """By default DynamoDB Local allows every origin: any web page could use the local tables."""
    preflight = urllib.request.Request(  # noqa: S310 - our own loopback server
        dynamodb_local,
        method="OPTIONS",
        headers={"Origin": "https://attacker.example", "Access-Control-Request-Method": "POST"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(preflight)  # noqa: S310 - our own loopback server

    assert "Access-Control-Allow-Origin" not in refused.value.headers
