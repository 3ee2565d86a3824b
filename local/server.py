"""`make serve`: the API on a local port, no Docker and no AWS account.

Each HTTP request becomes an API Gateway HTTP API (payload 2.0) event for the function
template.yaml routes it to, run in-process by local.runtime; AWS is played by local.backend
(DynamoDB Local beside an embedded moto, moto alone, or the user's AWS_ENDPOINT_URL). Tests
start it with `start()`.

One server per process at a time: the layer reaches AWS through process-wide settings
(AWS_ENDPOINT_URL, cached clients), so two servers would share one backend anyway.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import os
import re
import secrets
import shutil
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import SplitResult, urlsplit

from aws_lambda_powertools.event_handler.openapi import swagger_ui
from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html
from aws_lambda_powertools.warnings import PowertoolsUserWarning
from pydantic import ValidationError

from local import backend, outbox, runtime, template

OPENAPI = template.ROOT / "openapi.json"
SWAGGER_ASSETS = ("swagger-ui-bundle.min.js", "swagger-ui.min.css")
MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's own limit; the layer refuses far less
CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,8}")  # hex digits only: no sign, no space, bounded
MAX_CHUNK_LINE = 1024
JSON = "application/json"

log = logging.getLogger("local.server")

# Defaults for local serving only; any of them set in the environment wins.
LOCAL_DEFAULTS = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "BCRYPT_ROUNDS": "6",  # fast; the template's 12 costs ~0.3 s per login
    "LOG_LEVEL": "WARNING",  # the console shows one line per request, not the JSON logs
    "POWERTOOLS_METRICS_DISABLED": "true",  # no EMF lines on the console
}


# --- HTTP <-> Lambda ---------------------------------------------------------------------


class Answer:
    def __init__(
        self, status: int, body: bytes, headers: dict[str, str] | None = None, cookies: list[str] | None = None
    ) -> None:
        self.status, self.body, self.headers, self.cookies = status, body, headers or {}, cookies or []


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Answer:
    from customer_api.edge.replies import error_reply  # noqa: PLC0415 - the layer is on the path by now

    body = json.dumps(error_reply(status, message)).encode()
    return Answer(status, body, {"Content-Type": JSON, **(headers or {})})


def _from_lambda(result: Any) -> Answer:
    """The HTTP response API Gateway makes of a payload 2.0 result."""
    if not isinstance(result, dict) or "statusCode" not in result:
        # A result without statusCode is the body itself, as API Gateway reads it.
        return Answer(200, json.dumps(result).encode(), {"Content-Type": JSON})
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode("utf-8")
    headers = {str(name): str(value) for name, value in (result.get("headers") or {}).items()}
    return Answer(int(result["statusCode"]), raw, headers, [str(c) for c in result.get("cookies") or []])


def _swagger_page(url: SplitResult) -> Answer:
    if not OPENAPI.exists() or "format=json" in url.query:
        # The page names its document /api/docs?format=json, as Powertools serves it.
        return _openapi_document(url)
    page = generate_swagger_html(
        OPENAPI.read_text(), "/api/docs/" + SWAGGER_ASSETS[0], "/api/docs/" + SWAGGER_ASSETS[1], "/api/docs", None
    )
    return Answer(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"})


def _openapi_document(_: SplitResult) -> Answer:
    if not OPENAPI.exists():
        return _error(404, "openapi.json has not been generated yet")
    return Answer(200, OPENAPI.read_bytes(), {"Content-Type": JSON})


def _swagger_asset(url: SplitResult) -> Answer:
    # Powertools ships Swagger UI's files: the docs page works offline.
    name = url.path.rsplit("/", 1)[1]
    kind = "text/javascript" if name.endswith(".js") else "text/css"
    return Answer(200, (Path(swagger_ui.__file__).parent / name).read_bytes(), {"Content-Type": kind})


# Pages of the local server itself (not functions of the template), GET only.
LOCAL_PAGES: dict[str, Callable[[SplitResult], Answer]] = {
    "/api/openapi.json": _openapi_document,
    "/api/docs": _swagger_page,
    **{f"/api/docs/{asset}": _swagger_asset for asset in SWAGGER_ASSETS},
}


# CORS as the template's HttpApi CorsConfiguration has API Gateway do it, for ALLOWED_ORIGINS.
CORS_ALLOW_HEADERS = "authorization, content-type, idempotency-key"
CORS_ALLOW_METHODS = "GET, POST, PATCH, DELETE"


def _allowed_origin(headers: list[tuple[str, str]]) -> str | None:
    """The request's Origin when ALLOWED_ORIGINS lists it (never "*", never any other origin)."""
    allowed = {origin.strip() for origin in os.environ.get("ALLOWED_ORIGINS", "").split(",") if origin.strip()}
    origin = next((value.strip() for name, value in headers if name.lower() == "origin"), None)
    return origin if origin in allowed else None


def _with_cors(reply: Answer, origin: str | None) -> Answer:
    if origin is not None:
        reply.headers.update({"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true"})
        reply.headers["Vary"] = "Origin"
    return reply


def _preflight(origin: str | None) -> Answer:
    """API Gateway answers a CORS preflight itself; an origin not allowed gets no CORS headers."""
    reply = Answer(204, b"")
    if origin is not None:
        reply.headers.update({"Access-Control-Allow-Methods": CORS_ALLOW_METHODS, "Access-Control-Max-Age": "600"})
        reply.headers["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
    return _with_cors(reply, origin)


def answer(method: str, target: str, headers: list[tuple[str, str]], body: bytes | None, source_ip: str) -> Answer:
    """What API Gateway (with its CORS) and the matched function answer to one HTTP request."""
    origin = _allowed_origin(headers)
    if method == "OPTIONS" and any(name.lower() == "access-control-request-method" for name, _ in headers):
        return _preflight(origin)
    return _with_cors(_routed(method, target, headers, body, source_ip), origin)


def _routed(method: str, target: str, headers: list[tuple[str, str]], body: bytes | None, source_ip: str) -> Answer:
    url = urlsplit(target)
    path = url.path
    found = runtime.match(method, path)
    if found is None:
        if path in LOCAL_PAGES:
            if method in ("GET", "HEAD"):
                return LOCAL_PAGES[path](url)
            return _error(405, "Method not allowed", {"Allow": "GET"})
        allowed = runtime.allowed_methods(path)
        if allowed:
            return _error(405, "Method not allowed", {"Allow": ", ".join(allowed)})
        return _error(404, "Not found")
    event = runtime.http_api_event(
        method,
        path,
        route=found.route,
        path_parameters=found.path_parameters,
        headers=_event_headers(headers),
        cookies=_cookies(headers),
        query=url.query,
        body=body or None,
        source_ip=source_ip,
    )
    try:
        result = runtime.invoke(found, event)
    except Exception:
        # Lambda reports the crash and API Gateway answers 500: nothing internal leaks.
        log.exception("%s failed", found.function.name)
        return _error(500, "Internal server error")
    return _from_lambda(result)


def _event_headers(headers: list[tuple[str, str]]) -> dict[str, str]:
    # Payload 2.0: names lower-cased, repeated headers joined by commas, cookies moved out.
    joined: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        if key != "cookie":
            joined[key] = f"{joined[key]},{value}" if key in joined else value
    return joined


def _cookies(headers: list[tuple[str, str]]) -> list[str] | None:
    found = [c.strip() for name, value in headers if name.lower() == "cookie" for c in value.split(";") if c.strip()]
    return found or None


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every answer carries its Content-Length
    server_version = "customer-api-local"

    def _serve(self) -> None:
        started = time.perf_counter()
        body, refusal = self._read_body()
        if refusal is None:
            reply = answer(self.command, self.path, list(self.headers.items()), body, self.client_address[0])
        else:
            reply = refusal
            self.close_connection = True  # the unread body must not be taken for a request
        self._write(reply)
        path = urlsplit(self.path).path
        log.info("%s %s %d %.1f ms", self.command, path, reply.status, (time.perf_counter() - started) * 1000)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def _read_body(self) -> tuple[bytes | None, Answer | None]:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return None, _error(400, "Invalid Content-Length")
        if length > MAX_REQUEST_BYTES:
            return None, _error(413, "Request body is too large")
        return (self.rfile.read(length) if length > 0 else None), None

    def _read_chunked(self) -> tuple[bytes | None, Answer | None]:
        chunks: list[bytes] = []
        size = 0
        while True:
            size_field = self.rfile.readline(MAX_CHUNK_LINE).split(b";")[0].strip()
            if not CHUNK_SIZE.fullmatch(size_field):
                return None, _error(400, "Invalid chunk size")
            chunk_size = int(size_field, 16)
            if chunk_size == 0:
                while self.rfile.readline().strip():  # trailers
                    pass
                return b"".join(chunks) or None, None
            size += chunk_size
            if size > MAX_REQUEST_BYTES:
                return None, _error(413, "Request body is too large")
            chunks.append(self.rfile.read(chunk_size))
            self.rfile.readline()

    def _write(self, reply: Answer) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        for cookie in reply.cookies:
            self.send_header("Set-Cookie", cookie)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        log.debug(format, *args)  # _serve logs one line per request


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many clients connecting at once must not be refused

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up before its answer (a load test stopping) is not a server fault.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


# --- the running server ------------------------------------------------------------------


class RunningServer:
    """A started server: `url`, `stop()`, and a context manager that stops it."""

    def __init__(self, url: str, http: _HttpServer, aws: backend.Backend, saved: dict[str, str]) -> None:
        self.url = url
        self.backend = aws.description
        self._http = http
        self._aws = aws
        self._saved_environment = saved
        # A short poll: stop() waits for the loop to see it (the default half second, per start).
        serve = functools.partial(http.serve_forever, poll_interval=0.05)
        self._thread = threading.Thread(target=serve, name="local-server", daemon=True)
        self._thread.start()
        self._stopped = False
        self.on_stop: list[Callable[[], object]] = []  # what else runs with the server (the outbox)

    def stop(self) -> None:
        global _running  # noqa: PLW0603 - one server per process
        if self._stopped:
            return
        self._stopped = True
        for stop in self.on_stop:
            stop()
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()
        _shut_down(self._aws, self._saved_environment)
        with _running_lock:
            _running = False

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()


_running = False
_running_lock = threading.Lock()


def start(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    seed_admin: tuple[str, str] | None = None,
    backend_kind: str = backend.MOTO,
    data: Path | None = None,
    publish_events: bool = True,
) -> RunningServer:
    """Serve the API on host:port (0: a free port); returns once serving. The backend is moto in
    memory (fresh each start), or DynamoDB Local keeping its tables in `data` (in memory when
    None), or the user's AWS_ENDPOINT_URL. `publish_events` runs the outbox beside it (tests of
    other things leave it off: its polling shares moto's one-request-at-a-time lock)."""
    global _running  # noqa: PLW0603 - one server per process
    with _running_lock:
        if _running:
            raise RuntimeError("a local server is already running in this process; stop it first")
        _running = True
    saved = dict(os.environ)
    aws = None
    try:
        aws = backend.Backend(backend_kind, data)
        _configure_environment()
        _reset_layer_caches()
        backend.provision()
        backend.provision_secrets(aws.keys_file)
        if aws.ours:
            outbox.provision()
        if seed_admin is not None:
            seed(*seed_admin)
        _warm_shared_clients()
        http = _HttpServer((host, port), _RequestHandler)
        # The outbox as on AWS: the table's stream read, the publisher run, the events shown.
        publishing = (
            outbox.serve(outbox.Outbox(aws.outbox_file), os.environ.get("EVENTS_FILE"))
            if aws.ours and publish_events
            else None
        )
    except BaseException:
        _shut_down(aws, saved)
        with _running_lock:
            _running = False
        raise
    running = RunningServer(f"http://{host}:{http.server_port}", http, aws, saved)
    if publishing is not None:
        running.on_stop.append(publishing)
    return running


def _configure_environment() -> None:
    for name, value in LOCAL_DEFAULTS.items():
        os.environ.setdefault(name, value)
    for function in template.functions():
        for name, value in function.environment.items():
            os.environ.setdefault(name, value)


def _reset_layer_caches() -> None:
    # Imported late: the layer reads the environment at import (the Logger's level).
    from customer_api import store  # noqa: PLC0415
    from customer_api.core.settings import settings  # noqa: PLC0415

    settings.cache_clear()
    store.forget_cached()


def seed(email: str, password: str) -> bool:
    """Create the admin user; False when it already exists (its password is left alone)."""
    from customer_api.core.errors import EmailTaken  # noqa: PLC0415
    from customer_api.domain.admins import create_admin  # noqa: PLC0415

    try:
        create_admin(email, password, "Admin")
    except EmailTaken:
        return False
    return True


def _warm_shared_clients() -> None:
    # Requests run in parallel threads of one process, so the layer's per-container state is
    # shared. Checked: each resolver `app` is per execution environment (local.runtime);
    # settings() is a frozen value (computing it twice is harmless); Powertools' secret cache
    # is a dict of immutable entries; boto3 clients are thread-safe once made. What is not safe
    # is making clients from boto3's default session in parallel, so make them before any
    # request. Logger keys and the (disabled) Metrics object are shared too: a log line may
    # name another request's correlation id, which is cosmetic here.
    from customer_api.domain import tokens  # noqa: PLC0415
    from customer_api.store import client  # noqa: PLC0415

    client.dynamodb()
    for audience in (tokens.ADMIN, tokens.CUSTOMER):
        tokens.signing_keys(audience)


def _shut_down(aws: backend.Backend | None, saved: dict[str, str]) -> None:
    if aws is not None:
        aws.stop()
    for name in set(os.environ) - set(saved):
        del os.environ[name]
    os.environ.update(saved)
    _reset_layer_caches()  # the next user of the layer gets clients for its own backend


def data_folder() -> Path:
    """Where DynamoDB Local keeps the tables (and the signing keys): LOCAL_DATA, by default
    .local/ in the repository."""
    return Path(os.environ.get("LOCAL_DATA") or template.ROOT / ".local").resolve()


def main() -> None:
    # Metrics are off locally and the functions share one Metrics object: its warnings are noise.
    warnings.filterwarnings("ignore", category=PowertoolsUserWarning)
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    # Only the server's own lines at INFO: boto3's and moto's stay at the default WARNING.
    console = logging.StreamHandler(sys.stdout)
    console.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(console)
    log.setLevel(logging.INFO)
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "3000"))
    email = os.environ.get("ADMIN_EMAIL", "admin@example.com")
    given = os.environ.get("ADMIN_PASSWORD")
    password = given or secrets.token_urlsafe(12)
    # A TERM (a supervisor, `kill`) stops the server like Ctrl-C: DynamoDB Local must stop with it.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    data = data_folder()
    if os.environ.get("FRESH") == "1":  # start empty
        shutil.rmtree(data, ignore_errors=True)
    server = start(host, port, backend_kind=os.environ.get("BACKEND", backend.DYNAMODB_LOCAL), data=data)
    try:
        if seed(email, password):
            print(f"Admin user: {email}  password: {'(ADMIN_PASSWORD)' if given else password}")
        else:
            print(f"Admin user: {email} (already there; password unchanged)")
        print(f"Backend: {server.backend}")
        print(f"Customer API on {server.url}  (docs: {server.url}/api/docs; Ctrl-C stops)", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    except ValidationError as error:
        print("ADMIN_EMAIL / ADMIN_PASSWORD: " + "; ".join(str(e["msg"]) for e in error.errors()), file=sys.stderr)
        raise SystemExit(2) from None
    finally:
        server.stop()


if __name__ == "__main__":
    main()
