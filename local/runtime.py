"""Lambda as API Gateway runs it, in-process: routes from template.yaml, HTTP API (payload 2.0)
events, a Lambda-like context, and each function's handler loaded from its folder."""

from __future__ import annotations

import base64
import dataclasses
import functools
import importlib.util
import re
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

from local.template import ROOT, Function, Route, functions

# Lambda puts the layer on the import path (/opt/python); here the layer is shared/.
if str(ROOT / "shared") not in sys.path:
    sys.path.append(str(ROOT / "shared"))

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclasses.dataclass
class LambdaContext:
    """What a handler reads from Lambda's context object."""

    function_name: str
    aws_request_id: str = dataclasses.field(default_factory=lambda: str(uuid.uuid4()))
    memory_limit_in_mb: int = 512
    function_version: str = "$LATEST"
    timeout_seconds: int = 10
    started: float = dataclasses.field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self.started)) * 1000))


@dataclasses.dataclass(frozen=True)
class Match:
    function: Function
    route: Route
    path_parameters: dict[str, str]


def _pattern(path: str) -> re.Pattern[str]:
    # API Gateway's {name} matches one path segment.
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(path))
    return re.compile(regex)


@functools.cache
def _route_table() -> list[tuple[re.Pattern[str], Route, Function]]:
    table = [(_pattern(route.path), route, function) for function in functions() for route in function.routes]
    # Literal paths win over parameters, as in API Gateway (/sessions before /{id}).
    return sorted(table, key=lambda entry: entry[1].path.count("{"))


def match(method: str, path: str) -> Match | None:
    """The function serving `method path`, or None when no route of the template matches."""
    for pattern, route, function in _route_table():
        found = pattern.fullmatch(path)
        if found and route.method == method.upper():
            return Match(function, route, found.groupdict())
    return None


def stream_consumer(table: str) -> Match:
    """The function that consumes a table's stream (its event source mapping), to invoke it."""
    function = next(function for function in functions() if table in function.streams)
    return Match(function, Route("STREAM", table), {})


def allowed_methods(path: str) -> list[str]:
    return sorted({route.method for pattern, route, _ in _route_table() if pattern.fullmatch(path)})


def http_api_event(
    method: str,
    path: str,
    *,
    route: Route | None = None,
    path_parameters: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    query: str = "",
    body: bytes | str | None = None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event, as API Gateway would send it."""
    headers = {name.lower(): value for name, value in (headers or {}).items()}
    route_key = f"{route.method} {route.path}" if route else "$default"
    is_binary, text = _encoded_body(body)
    optional = {
        "cookies": cookies,
        "queryStringParameters": _query_parameters(query) if query else None,
        "pathParameters": path_parameters,
        "body": text,
    }
    return {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": headers,
        "requestContext": _request_context(method, path, route_key, headers, source_ip),
        "isBase64Encoded": is_binary,
        # API Gateway leaves out what a request does not have (an empty body is still a body).
        **{name: value for name, value in optional.items() if value or (name == "body" and value == "")},
    }


def _encoded_body(body: bytes | str | None) -> tuple[bool, str | None]:
    """Whether the body goes base64-encoded (not UTF-8 text), and the body as the event has it."""
    if not isinstance(body, bytes):
        return False, body
    if _is_utf8_text(body):
        return False, body.decode("utf-8")
    return True, base64.b64encode(body).decode()


def _request_context(method: str, path: str, route_key: str, headers: dict[str, str], source_ip: str) -> dict[str, Any]:
    return {
        "accountId": "123456789012",
        "apiId": "local",
        "domainName": headers.get("host", "localhost"),
        "domainPrefix": "localhost",
        "http": {
            "method": method.upper(),
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": route_key,
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
        "timeEpoch": int(time.time() * 1000),
    }


def _query_parameters(query: str) -> dict[str, str]:
    # API Gateway decodes the values and joins a repeated name's values with commas.
    values: dict[str, list[str]] = defaultdict(list)
    for name, value in parse_qsl(query, keep_blank_values=True):
        values[name].append(value)
    return {name: ",".join(found) for name, found in values.items()}


def _is_utf8_text(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def load_module(function: Function) -> ModuleType:
    """A fresh import of a function's handler module, as a new Lambda container makes."""
    module_name, _ = function.handler.rsplit(".", 1)
    path = function.code_uri / f"{module_name.replace('.', '/')}.py"
    spec = importlib.util.spec_from_file_location(f"functions.{function.code_uri.name}.{module_name}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def handler(function_name: str) -> Handler:
    """The handler of a function of the template, imported once (a warm container)."""
    return _cold_start(next(f for f in functions() if f.name == function_name))


def _cold_start(function: Function) -> Handler:
    _, attribute = function.handler.rsplit(".", 1)
    loaded: Handler = getattr(load_module(function), attribute)
    return loaded


# Warm execution environments, as Lambda keeps them: each serves one request at a time, and a
# request finding none idle starts a new one. A Powertools resolver keeps the current request
# on its `app` object, so two requests at once on one module instance would clobber each
# other; one module instance per environment keeps concurrent (and nested) calls apart without
# serializing them, so races between requests still reach DynamoDB as they would on AWS.
_idle: dict[str, list[Handler]] = defaultdict(list)
_idle_lock = threading.Lock()


def invoke(match_: Match, event: dict[str, Any]) -> dict[str, Any]:
    """Run the event on an idle environment of the matched function (or a new one)."""
    function = match_.function
    with _idle_lock:
        # The environment goes back to the pool it came from, even if `_idle` is replaced
        # meanwhile (tests start a fresh pool): a started one never lands in another's pool.
        pool = _idle[function.name]
        environment = pool.pop() if pool else None
    if environment is None:
        environment = _cold_start(function)
    try:
        return environment(event, LambdaContext(function_name=function.name))
    finally:
        with _idle_lock:
            pool.append(environment)
