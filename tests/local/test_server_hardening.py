"""The local server against malformed HTTP and browsers: a bad chunk size is a 400 and the server
serves on; CORS answers only the allowed origins, as the template's CorsConfiguration has API
Gateway do."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
import requests

from local import server

ADMIN = ("admin@shop.example.com", "admin-password-1")


@pytest.fixture(scope="module")
def running() -> Iterator[server.RunningServer]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ALLOWED_ORIGINS", "https://shop.example.com")
        with server.start(seed_admin=ADMIN) as started:
            yield started


def raw_request(url: str, request: bytes) -> bytes:
    """Send bytes as they are and read the answer (the server closes after a refused body)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize("size", [b"zz", b"-1", b"+5", b" ", b"1" * 20, b"0x10"])
def test_a_bad_chunk_size_is_a_400_and_the_server_serves_on(running: server.RunningServer, size: bytes) -> None:
    request = (
        b"POST /api/customers/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + size + b"\r\n{}\r\n0\r\n\r\n"
    )

    answer = raw_request(running.url, request)

    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert b'"Invalid chunk size"' in answer
    assert requests.get(f"{running.url}/api/openapi.json", timeout=10).status_code == 200


def test_a_good_chunked_body_is_read(running: server.RunningServer) -> None:
    body = b'{"email": "nobody@shop.example.com", "password": "wrong-password"}'
    request = (
        b"POST /api/customers/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + f"{len(body):x}".encode()
        + b"\r\n"
        + body
        + b"\r\n0\r\n\r\n"
    )

    assert b"Invalid email or password" in raw_request(running.url, request)


def test_an_allowed_origin_gets_cors_headers_with_credentials(running: server.RunningServer) -> None:
    headers = {"Origin": "https://shop.example.com"}

    reply = requests.post(f"{running.url}/api/customers/sessions", json={}, headers=headers, timeout=10)

    assert reply.headers["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert reply.headers["Access-Control-Allow-Credentials"] == "true"


def test_any_other_origin_gets_no_cors_headers(running: server.RunningServer) -> None:
    headers = {"Origin": "https://evil.example.net"}

    reply = requests.post(f"{running.url}/api/customers/sessions", json={}, headers=headers, timeout=10)

    assert "Access-Control-Allow-Origin" not in reply.headers


@pytest.mark.parametrize(
    ("origin", "allowed"), [("https://shop.example.com", True), ("https://evil.example.net", False)]
)
def test_a_preflight_is_answered_for_allowed_origins_only(
    running: server.RunningServer, origin: str, allowed: bool
) -> None:
    headers = {"Origin": origin, "Access-Control-Request-Method": "PATCH"}

    reply = requests.options(f"{running.url}/api/customers/0123", headers=headers, timeout=10)

    assert reply.status_code == 204
    assert ("Access-Control-Allow-Origin" in reply.headers) is allowed
    if allowed:
        assert "PATCH" in reply.headers["Access-Control-Allow-Methods"]
        assert "authorization" in reply.headers["Access-Control-Allow-Headers"]
