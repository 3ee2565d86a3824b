"""The local server's life: a fresh backend per start, the environment given back, one per
process, a backend of the user's (AWS_ENDPOINT_URL), and `make serve`'s entry point."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from local import server, template
from tests.local.test_local_server import ADMIN, README_ADMIN, ROOT, Http
from tests.support import unique_email


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


def test_make_serve_prints_its_url_and_a_working_generated_password() -> None:
    environment = {**os.environ, "PORT": "0", "ADMIN_EMAIL": "boss@shop.example.com"}
    environment.pop("ADMIN_PASSWORD", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "local.server"], cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        password = re.search(r"password: (\S+)", process.stdout.readline())
        url = re.search(r"on (http://\S+)", process.stdout.readline())
        assert password and url
        status, _ = Http(url[1]).json(
            "POST", "/api/user/tokens", {"email": "boss@shop.example.com", "password": password[1]}
        )
        assert status == 200
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
