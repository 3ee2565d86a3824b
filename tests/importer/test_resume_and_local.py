"""The import as an operator runs it: killed halfway and started again it ends as one clean run
does; `make import-evershop` reaches make serve's backend, running or not; imported hashes are
upgraded at the first login."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from customer_api.core import settings as config
from customer_api.core.settings import settings
from customer_api.store import keys
from local import server
from tests.importer.evershop_data import EVERSHOP, import_from, passwords, rows
from tests.local.test_local_server import ROOT, Http
from tests.support import Api, fresh_aws, java_missing
from tests.support.invariants import assert_invariants

needs_java = pytest.mark.skipif(java_missing() is not None, reason=f"DynamoDB Local tier skipped: {java_missing()}")

# The importer in a process that SIGKILLs itself once KILL_AFTER customers are written (counted
# in the transactions that committed), while the other writers are mid-transaction: what a
# crash or a `kill -9` leaves. Chunks of 5: the data set's 40 customers would otherwise fit one
# chunk and one transaction; so several transactions of several customers are in flight.
KILLED_RUN = """
import os, signal, sys, threading
from customer_api.store import keys
from tools.evershop_import import __main__ as command, run, target
run.CHUNK = 5
transact, lock, written = target.transact, threading.Lock(), []
def customers(items):
    return [i for i in items if "Put" in i and i["Put"]["Item"]["pk"]["S"].startswith(keys.CUSTOMER_PREFIX)]
def transact_then_maybe_die(client, items):
    codes = transact(client, items)
    if codes is None:
        with lock:
            written.extend(customers(items))
            if len(written) >= int(os.environ["KILL_AFTER"]):
                os.kill(os.getpid(), signal.SIGKILL)
    return codes
target.transact = transact_then_maybe_die
sys.exit(command.main(sys.argv[1:]))
"""


def customers_table() -> list[dict[str, Any]]:
    """Every item of the customers table, in key order."""
    dynamodb = boto3.client("dynamodb")
    items = [
        item
        for page in dynamodb.get_paginator("scan").paginate(TableName=settings().customers_table)
        for item in page["Items"]
    ]
    return sorted(items, key=lambda item: item["pk"]["S"])


def run_killed(kill_after: int) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "KILL_AFTER": str(kill_after), "PYTHONPATH": f"shared{os.pathsep}."}
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", KILLED_RUN, "--from", str(EVERSHOP), "--writers", "4"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@needs_java
def test_a_killed_run_started_again_ends_as_one_clean_run(dynamodb_local: str) -> None:
    with fresh_aws(dynamodb_local):
        import_from(EVERSHOP, writers=4)
        clean = customers_table()

    with fresh_aws(dynamodb_local):
        killed = run_killed(kill_after=12)
        assert killed.returncode == -9, killed.stderr
        assert_invariants()  # whole customers only, even mid-run
        report = import_from(EVERSHOP, writers=4).as_json()
        resumed = customers_table()
        assert_invariants()

    assert report["customers"]["imported"] + report["customers"]["unchanged"] == 39
    assert 12 <= report["customers"]["unchanged"] < 39
    assert resumed == clean


def test_a_login_upgrades_an_imported_hash_to_the_configured_cost(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BCRYPT_ROUNDS", "11")
    config.settings.cache_clear()
    import_from(EVERSHOP)
    row = rows("customer")[0]
    assert row["password"].startswith("$2a$10$")
    credentials = {"email": row["email"], "password": passwords()[row["email"]]}
    pk = {"pk": {"S": keys.customer(row["uuid"].replace("-", ""))}}

    assert api.post("/api/customers/sessions", credentials).status == 200

    stored = boto3.client("dynamodb").get_item(TableName=settings().customers_table, Key=pk)["Item"]
    assert stored["password_hash"]["S"].startswith("$2b$11$")
    assert api.post("/api/customers/sessions", credentials).status == 200
    assert import_from(EVERSHOP).counts()["unchanged"] == 39  # the upgrade is not a change to undo


def run_make_import(data: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`make import-evershop` as the Makefile runs it, on the data folder `data`."""
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "local.import_evershop", *arguments],
        cwd=ROOT,
        env={**os.environ, "LOCAL_DATA": str(data)},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def some_customer() -> dict[str, str]:
    row = rows("customer")[0]
    return {"email": row["email"], "password": passwords()[row["email"]]}


@needs_java
def test_make_import_evershop_fills_the_running_server(tmp_path: Path) -> None:
    with server.start(backend_kind="dynamodb-local", data=tmp_path) as running:
        done = run_make_import(tmp_path, "--from", str(EVERSHOP))
        status, _ = Http(running.url).json("POST", "/api/customers/sessions", some_customer())

    assert done.returncode == 0, done.stderr
    assert "39 imported" in done.stdout
    assert status == 200


def created_events(events_file: Path) -> list[str]:
    """The customer uuids of the customer.created events in an EVENTS_FILE, in order."""
    lines = events_file.read_text().splitlines() if events_file.exists() else []
    envelopes = [json.loads(line) for line in lines]
    return [e["detail"]["customer_uuid"] for e in envelopes if e["detail-type"] == "customer.created"]


@needs_java
def test_make_import_evershop_without_a_server_fills_its_data_folder_and_the_next_start_publishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The importer publishes nothing itself (on AWS the stack's stream consumer does): the
    server started later publishes each imported customer's customer.created once."""
    events_file = tmp_path / "events.jsonl"
    monkeypatch.setenv("EVENTS_FILE", str(events_file))
    report_file = tmp_path / "report.json"

    done = run_make_import(tmp_path, "--from", str(EVERSHOP), "--report", str(report_file))
    skipped = {entry["customer_id"] for entry in json.loads(report_file.read_text())["skipped"]}
    imported = {row["uuid"].replace("-", "") for row in rows("customer") if int(row["customer_id"]) not in skipped}
    published_by_the_import = created_events(events_file)
    with server.start(backend_kind="dynamodb-local", data=tmp_path) as later:
        status, _ = Http(later.url).json("POST", "/api/customers/sessions", some_customer())
        deadline = time.monotonic() + 60
        while set(created_events(events_file)) != imported and time.monotonic() < deadline:
            time.sleep(0.2)

    assert done.returncode == 0, done.stderr
    assert "make serve publishes the import's events when it next starts" in done.stdout
    assert published_by_the_import == []
    assert status == 200
    assert sorted(created_events(events_file)) == sorted(imported)  # each once
