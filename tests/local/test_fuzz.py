"""schemathesis against the local server, from the committed openapi.json: whatever it sends,
no 5xx, and every answer conforms to the document (status, content type, body, headers).

Bounded for `make test` (FUZZ_SECONDS, default 60, fixed seed); `make fuzz` runs it longer."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from local import server

ROOT = Path(__file__).resolve().parents[2]
ADMIN = ("fuzz-admin@shop.example.com", "fuzz-admin-password")
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with server.start(seed_admin=ADMIN) as running:
        yield running.url


def test_no_request_gets_a_5xx_or_an_answer_outside_the_document(url: str) -> None:
    seconds = os.environ.get("FUZZ_SECONDS", "60")
    environment = {
        **os.environ,
        "FUZZ_URL": url,
        "FUZZ_ADMIN_EMAIL": ADMIN[0],
        "FUZZ_ADMIN_PASSWORD": ADMIN[1],
        "SCHEMATHESIS_HOOKS": "tests.local.fuzz_auth",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "shared")]),
    }
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(ROOT / "tests" / "local" / "schemathesis.toml"),
        "run",
        str(ROOT / "openapi.json"),
        "--url",
        url,
        "--checks",
        CHECKS,
        "--seed",
        os.environ.get("FUZZ_SEED", "20261129"),
        "--max-examples",
        os.environ.get("FUZZ_EXAMPLES", "15"),
        "--max-time",
        seconds,
        "--no-shrink",
        "--warnings",
        "off",
    ]
    run = subprocess.run(  # noqa: S603 - our own tool, our own arguments
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=int(seconds) + 120, check=False
    )
    assert run.returncode == 0, run.stdout[-8000:] + run.stderr[-2000:]
