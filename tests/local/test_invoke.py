"""`make invoke` and `make token` (local.invoke): every sample event of events/ through its
function's own handler on the local backend, with fresh tokens for the placeholders; and the
env-vars file that `sam local invoke` takes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local import server, template
from tests.local.test_local_server import ROOT, Http
from tests.support import java_missing

# The sample events on a fresh backend, in this order: the events' admin logs in, creates the
# events' customer, who logs in; the sample ids in the other events name nobody (404).
EXPECTED = [
    ("create_admin_token", 200),
    ("create_admin_session", 200),
    ("create_customer", 200),
    ("create_session", 200),
    ("update_customer", 404),
    ("delete_sessions", 404),
    ("delete_customer", 404),
    ("delete_admin_session", 404),
    ("create_customer", 409),  # the events' customer exists now
    ("get_customer", 404),
    ("list_customers", 200),
    ("get_own_account", 200),
    ("update_own_account", 200),
    ("list_own_sessions", 200),
    ("create_customer_token", 200),
    ("refresh_customer_token", 200),
    ("list_own_addresses", 200),
    ("add_own_address", 200),
    ("update_own_address", 404),
    ("delete_own_address", 404),
    ("list_customer_addresses", 404),
    ("add_customer_address", 404),
    ("update_customer_address", 404),
    ("delete_customer_address", 404),
    ("list_groups", 200),
    ("create_group", 200),  # group 2, which the other group events name
    ("update_group", 200),
    ("delete_group", 200),
    ("request_password_reset", 200),
    ("reset_password", 400),  # REPLACE_WITH_RESET_TOKEN is no token: a reset token comes by mail
    ("change_own_password", 200),  # last: the events' customer password changes
]
# Not an HTTP event: the stream consumer answers which records failed.
STREAM_EVENTS = {"publish_events"}
FUNCTION_OF_EVENT = {function.code_uri.name: function.name for function in template.functions()}


def run_invoke(data: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`make invoke` / `make token` as the Makefile runs them, on the data folder `data`."""
    environment = {**os.environ, "LOCAL_DATA": str(data)}
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "local.invoke", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[str]:
    """make serve, on DynamoDB Local with its data in tmp_path (moto without java)."""
    with server.start(backend_kind="dynamodb-local", data=tmp_path) as running:
        yield running.url


def test_every_sample_event_gets_its_expected_status(tmp_path: Path, serving: str) -> None:
    assert {event for event, _ in EXPECTED} | STREAM_EVENTS == set(FUNCTION_OF_EVENT)
    statuses = []
    for event, _ in EXPECTED:
        done = run_invoke(tmp_path, FUNCTION_OF_EVENT[event], f"events/{event}.json")
        assert done.returncode == 0, done.stderr
        result: dict[str, Any] = json.loads(done.stdout)
        statuses.append((event, result["statusCode"]))

    assert statuses == EXPECTED
    published = run_invoke(tmp_path, FUNCTION_OF_EVENT["publish_events"], "events/publish_events.json")
    assert published.returncode == 0, published.stderr
    assert json.loads(published.stdout) == {"batchItemFailures": []}


def test_a_printed_customer_token_is_accepted_by_the_running_server(tmp_path: Path, serving: str) -> None:
    done = run_invoke(tmp_path, "--token", "customer")

    assert done.returncode == 0, done.stderr
    status, reply = Http(serving).json(
        "DELETE", "/api/customers/sessions/00000000-0000-4000-8000-000000000000", token=done.stdout.strip()
    )
    assert (status, reply["error"]["message"]) == (404, "Invalid session id")  # past authentication


@pytest.mark.skipif(java_missing() is not None, reason=f"DynamoDB Local tier skipped: {java_missing()}")
def test_without_a_running_server_a_token_is_made_on_the_data_folder_and_works_later(tmp_path: Path) -> None:
    done = run_invoke(tmp_path, "--token", "admin")
    assert done.returncode == 0, done.stderr

    with server.start(backend_kind="dynamodb-local", data=tmp_path) as later:
        status, _ = Http(later.url).json("DELETE", "/api/customers/" + "f" * 32, token=done.stdout.strip())

    assert status == 404  # an admin token: past authentication, no such customer


def test_an_unknown_function_is_refused_with_a_reason(tmp_path: Path, serving: str) -> None:
    done = run_invoke(tmp_path, "NoSuchFunction", "events/create_session.json")

    assert done.returncode == 1
    assert done.stderr.strip() == "no function NoSuchFunction in template.yaml"


def test_the_sam_env_vars_file_sets_only_declared_variables_and_names_the_template_s_resources() -> None:
    """`sam local invoke --env-vars` ignores a variable the template does not declare."""
    parameters: dict[str, str] = json.loads((ROOT / "local" / "env.json").read_text())["Parameters"]
    declared = {name: value for function in template.functions() for name, value in function.environment.items()}
    assert set(parameters) <= set(declared)
    names = {
        *template.resources_of_type("AWS::DynamoDB::Table"),
        *template.resources_of_type("AWS::SecretsManager::Secret"),
    }
    assert {value for name, value in parameters.items() if name.endswith(("_TABLE", "_SECRET"))} == names
    assert all(declared[name] == "" for name in parameters if name.startswith("AWS_ENDPOINT_URL_"))
