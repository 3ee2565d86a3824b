"""The local server (`make serve`): template routes over HTTP, payload 2.0 events, answers
passed back unchanged, concurrency, the docs pages, and the README's walk-throughs."""

from __future__ import annotations

import base64
import http.client
import json
import re
import subprocess
import threading
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from local import runtime, server, template
from tests.support import unique_email

ROOT = Path(__file__).resolve().parents[2]
ADMIN = ("admin@shop.example.com", "admin-password-1")
README_ADMIN = ("admin@example.com", "admin-pass-123")
SID = "00000000-0000-4000-8000-000000000000"


class Http:
    """A tiny HTTP client on one server: (status, headers, body) per request."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        payload = json.dumps(body).encode() if isinstance(body, dict) else body
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(
                method, path, body=payload, headers={"Content-Type": "application/json", **(headers or {})}
            )
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def json(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, dict[str, Any]]:
        status, _, raw = self.request(method, path, body, {"Authorization": f"Bearer {token}"} if token else None)
        return status, json.loads(raw)

    def admin_token(self) -> str:
        status, reply = self.json("POST", "/api/user/tokens", {"email": ADMIN[0], "password": ADMIN[1]})
        assert status == 200, reply
        return str(reply["data"]["accessToken"])


@pytest.fixture(scope="module")
def running() -> Iterator[server.RunningServer]:
    with server.start(seed_admin=ADMIN) as started:
        server.seed(*README_ADMIN)  # the admin the README's walk-throughs log in as
        yield started


@pytest.fixture
def client(running: server.RunningServer) -> Http:
    return Http(running.url)


@pytest.fixture
def invocations(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any], Any]]:
    """Every invocation of a routed function from now on, as (function, event, result): the real
    handlers still run, in execution environments started for this test. (The outbox's thread
    invokes the stream consumer whenever the table changes: not a request's doing.)"""
    seen: list[tuple[str, dict[str, Any], Any]] = []
    cold_start = runtime._cold_start

    def recording(function: template.Function) -> runtime.Handler:
        handler = cold_start(function)
        if not function.routes:
            return handler

        def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
            result = handler(event, context)
            seen.append((function.name, event, result))
            return result

        return handle

    monkeypatch.setattr(runtime, "_idle", defaultdict(list))
    monkeypatch.setattr(runtime, "_cold_start", recording)
    return seen


def concrete(path: str) -> str:
    return re.sub(r"\{\w+\}", SID, path)


# --- routes from the template ----------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "route"),
    [(f.name, route) for f in template.functions() for route in f.routes],
    ids=lambda value: getattr(value, "path", value),
)
def test_every_route_of_the_template_reaches_its_function(
    client: Http, invocations: list[Any], function: str, route: template.Route
) -> None:
    client.request(route.method, concrete(route.path), {})

    assert [name for name, _, _ in invocations] == [function]


def test_an_unknown_path_is_a_404_in_the_error_shape(client: Http) -> None:
    status, body = client.json("GET", "/api/nothing-here")

    assert (status, body) == (404, {"error": {"status": 404, "message": "Not found"}})


def test_a_known_path_with_another_method_is_a_405_naming_the_allowed_ones(client: Http) -> None:
    status, headers, raw = client.request("PUT", f"/api/customers/sessions/{SID}")

    assert (status, json.loads(raw)) == (405, {"error": {"status": 405, "message": "Method not allowed"}})
    assert headers["Allow"] == "DELETE, POST"


# --- the event a handler receives ------------------------------------------------------


def test_a_request_becomes_a_payload_2_event_of_its_route(client: Http, invocations: list[Any]) -> None:
    client.request("POST", f"/api/customers/sessions/{SID}?a=1&b=x%20y&a=2", '{"k": 1}', {"X-Custom": "yes"})

    [(_, event, _)] = invocations
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /api/customers/sessions/{ids}"
    assert event["rawPath"] == f"/api/customers/sessions/{SID}"
    assert event["rawQueryString"] == "a=1&b=x%20y&a=2"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x y"}
    assert event["pathParameters"] == {"ids": SID}
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["headers"]["x-custom"] == "yes"
    assert (event["isBase64Encoded"], event["body"]) == (False, '{"k": 1}')


def test_the_cookie_header_becomes_the_events_cookies_list(client: Http, invocations: list[Any]) -> None:
    client.request("DELETE", f"/api/customers/sessions/{SID}", headers={"Cookie": "token=abc; theme=dark"})

    [(_, event, _)] = invocations
    assert event["cookies"] == ["token=abc", "theme=dark"]
    assert "cookie" not in event["headers"]


def test_a_binary_body_arrives_base64_encoded(client: Http, invocations: list[Any]) -> None:
    binary = bytes([0xFF, 0xFE, 0x00, 0x81])

    client.request("POST", "/api/customers/sessions", binary, {"Content-Type": "application/octet-stream"})

    [(_, event, _)] = invocations
    assert (event["isBase64Encoded"], event["body"]) == (True, base64.b64encode(binary).decode())


# --- the answer goes back unchanged ----------------------------------------------------


def test_the_handlers_answer_and_cookie_go_back_unchanged(client: Http, invocations: list[Any]) -> None:
    status, headers, raw = client.request("POST", "/api/user/sessions", {"email": ADMIN[0], "password": ADMIN[1]})

    [(_, _, result)] = invocations
    assert (status, raw.decode()) == (result["statusCode"], result["body"])
    assert headers.get_all("Set-Cookie") == result["cookies"]
    assert headers["Content-Type"] == result["headers"]["Content-Type"]


def test_a_handler_crash_is_a_500_in_the_error_shape(client: Http, monkeypatch: pytest.MonkeyPatch) -> None:
    cold_start = runtime._cold_start

    def crash(function: template.Function) -> runtime.Handler:
        if not function.routes:  # the outbox's stream consumer is not this test's to break
            return cold_start(function)

        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            raise RuntimeError("boom")

        return handler

    monkeypatch.setattr(runtime, "_idle", defaultdict(list))
    monkeypatch.setattr(runtime, "_cold_start", crash)

    status, body = client.json("POST", "/api/customers/sessions", {})

    assert (status, body) == (500, {"error": {"status": 500, "message": "Internal server error"}})


def test_an_environment_goes_back_to_the_pool_it_came_from(monkeypatch: pytest.MonkeyPatch) -> None:
    # A test's fresh pool is restored while an invocation may still run (the outbox's thread
    # invokes whenever the table changes): that environment must not land in the restored pool.
    started, release = threading.Event(), threading.Event()
    target = runtime.match("GET", "/api/customers/me")
    assert target is not None
    cold_start = runtime._cold_start

    def slow(event: dict[str, Any], context: Any) -> dict[str, Any]:
        started.set()
        release.wait(10)
        return {}

    restored: dict[str, list[runtime.Handler]] = defaultdict(list)
    fresh: dict[str, list[runtime.Handler]] = defaultdict(list)
    monkeypatch.setattr(runtime, "_idle", fresh)
    # Only the target's environments are this test's: others (the outbox's) start as usual.
    monkeypatch.setattr(
        runtime, "_cold_start", lambda function: slow if function.name == target.function.name else cold_start(function)
    )
    invoking = threading.Thread(target=runtime.invoke, args=(target, {}))
    invoking.start()
    assert started.wait(10)
    monkeypatch.setattr(runtime, "_idle", restored)
    release.set()
    invoking.join(10)

    assert (restored.get(target.function.name), fresh[target.function.name]) == (None, [slow])


def test_a_body_over_api_gateways_limit_is_refused_unread(client: Http) -> None:
    connection = http.client.HTTPConnection(client.host, client.port, timeout=10)
    connection.putrequest("POST", "/api/customers")
    connection.putheader("Content-Length", str(server.MAX_REQUEST_BYTES + 1))
    connection.endheaders()
    response = connection.getresponse()

    assert (response.status, json.loads(response.read())["error"]["status"]) == (413, 413)
    connection.close()


# --- concurrency -----------------------------------------------------------------------


def test_thirty_simultaneous_creates_of_one_email_make_one_customer(client: Http) -> None:
    token = client.admin_token()
    body = {"email": unique_email(), "password": "secret-123", "full_name": "Jane Doe"}
    ready = threading.Barrier(30)

    def create(_: int) -> int:
        ready.wait()
        return client.json("POST", "/api/customers", body, token)[0]

    with ThreadPoolExecutor(30) as pool:
        statuses = sorted(pool.map(create, range(30)))

    assert statuses == [200] + [409] * 29


# --- docs ------------------------------------------------------------------------------


@pytest.fixture
def openapi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    document = json.dumps({"openapi": "3.1.0", "info": {"title": "Customer API test", "version": "1"}, "paths": {}})
    (tmp_path / "openapi.json").write_text(document)
    monkeypatch.setattr(server, "OPENAPI", tmp_path / "openapi.json")
    return document


def test_the_openapi_document_is_served_as_is(client: Http, openapi: str) -> None:
    status, headers, raw = client.request("GET", "/api/openapi.json")

    assert (status, headers["Content-Type"], raw.decode()) == (200, "application/json", openapi)


def test_the_docs_page_is_swagger_ui_on_that_document(client: Http, openapi: str) -> None:
    status, headers, raw = client.request("GET", "/api/docs")

    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert "SwaggerUIBundle" in raw.decode()
    assert "Customer API test" in raw.decode()


def test_the_swagger_ui_script_is_served_locally(client: Http) -> None:
    status, headers, raw = client.request("GET", "/api/docs/swagger-ui-bundle.min.js")

    assert (status, headers["Content-Type"]) == (200, "text/javascript")
    assert len(raw) > 100_000


def test_without_a_generated_document_the_docs_are_a_404(
    client: Http, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server, "OPENAPI", tmp_path / "missing.json")

    status, body = client.json("GET", "/api/openapi.json")

    assert (status, body["error"]["status"]) == (404, 404)


# --- the README's walk-throughs --------------------------------------------------------


def try_it_blocks() -> list[str]:
    """The ```sh blocks of README.md's "Try it" section that call the API."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Try it\n", 1)[1].split("\n## ", 1)[0]
    return [block for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL) if "curl" in block]


def run_walk_through(block: str, url: str, workdir: Path) -> list[str]:
    script = "set -euo pipefail\n" + block.replace("API=http://127.0.0.1:3000", f"API={url}")
    done = subprocess.run(  # noqa: S603 - our own README, run by bash
        ["bash", "-c", script],  # noqa: S607
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_the_readme_has_both_walk_throughs() -> None:
    assert len(try_it_blocks()) == 2


def test_the_readme_token_walk_through_works(running: server.RunningServer, tmp_path: Path) -> None:
    replies = run_walk_through(try_it_blocks()[0], running.url, tmp_path)
    updated, by_email, by_prefix, by_id, own, renamed, own_sessions, refreshed, grouped, address, book = replies[:11]
    logged_out, deleted = replies[11:]

    assert updated["data"]["full_name"] == "Jane Q. Doe"
    assert [item["uuid"] for item in by_email["data"]["items"]] == [by_id["data"]["uuid"]]
    assert by_prefix["data"]["items"] == by_email["data"]["items"]
    assert own["data"]["email"] == "jane@example.com"
    assert renamed["data"]["full_name"] == "Jane Doe"
    assert [item["current"] for item in own_sessions["data"]["items"]] == [True]
    assert set(refreshed["data"]) == {"accessToken", "refreshToken"}
    assert grouped["data"]["group_id"] == 2
    assert address["data"]["is_default"] is True
    assert book["data"]["items"] == [address["data"]]
    assert logged_out == {"data": {}}
    assert deleted["data"]["email"] == "jane@example.com"


def test_the_readme_cookie_walk_through_works(running: server.RunningServer, tmp_path: Path) -> None:
    logged_out, deleted = run_walk_through(try_it_blocks()[1], running.url, tmp_path)

    assert logged_out == {"data": {}}
    assert deleted["data"]["email"] == "sam@example.com"
    assert "\ttoken\t" not in (tmp_path / "jar").read_text()  # the logout cleared the cookie
