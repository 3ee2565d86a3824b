"""What operators see: JSON log lines tied to the API Gateway request, business metrics in
CloudWatch's embedded metric format (EMF), and the Tracer only when tracing is on."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from customer_api.edge.observability import logger
from local.template import ROOT
from tests.support import ADMIN_EMAIL, Api

Metric = tuple[str, dict[str, str]]  # name, dimensions


@pytest.fixture
def log_lines() -> Iterator[Any]:
    """log_lines() -> the JSON log lines written so far in the test, as Lambda would ship them."""
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        handler.setStream(previous)


def emitted_metrics(output: str) -> list[Metric]:
    """Every metric of the EMF documents in stdout, with the dimensions it was published under."""
    found = []
    for line in output.splitlines():
        document = json.loads(line) if line.startswith("{") else {}
        for directive in document.get("_aws", {}).get("CloudWatchMetrics", []):
            dimensions = {name: document[name] for names in directive["Dimensions"] for name in names}
            assert directive["Namespace"] == "CustomerApi"
            found.extend((metric["Name"], dimensions) for metric in directive["Metrics"] if document[metric["Name"]])
    return found


def test_log_lines_carry_the_api_gateway_request_id_as_correlation_id(
    api: Api, customer: Any, log_in: Any, log_lines: Any
) -> None:
    log_in(customer)
    (line,) = [line for line in log_lines() if line["message"] == "Customer logged in"]
    assert line["correlation_id"] == api.events[-1]["requestContext"]["requestId"]
    assert line["service"] == "customer-api"


@pytest.fixture
def captured(capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    capsys.readouterr()  # forget what the fixtures printed
    yield lambda: emitted_metrics(capsys.readouterr().out)


def test_creating_a_customer_counts_customer_created(api: Api, admin_token: str, captured: Any) -> None:
    api.post(
        "/api/customers", {"email": "m@shop.example.com", "password": "secret-123", "full_name": "M"}, token=admin_token
    )
    assert ("CustomerCreated", {"service": "customer-api"}) in captured()


def test_deleting_a_customer_counts_customer_deleted(api: Api, admin_token: str, customer: Any, captured: Any) -> None:
    api.delete(f"/api/customers/{customer.uuid}", token=admin_token)
    assert ("CustomerDeleted", {"service": "customer-api"}) in captured()


def test_a_customer_login_counts_login_succeeded(customer: Any, log_in: Any, captured: Any) -> None:
    log_in(customer)
    assert captured() == [("LoginSucceeded", {"service": "customer-api", "kind": "customer"})]


def test_a_wrong_customer_password_counts_login_failed(api: Api, customer: Any, captured: Any) -> None:
    api.post("/api/customers/sessions", {"email": customer.email, "password": "wrong-password"})
    assert captured() == [("LoginFailed", {"service": "customer-api", "kind": "customer"})]


def test_a_login_refused_while_throttled_counts_login_throttled(api: Api, customer: Any, captured: Any) -> None:
    for _ in range(6):
        reply = api.post("/api/customers/sessions", {"email": customer.email, "password": "wrong-password"})
    assert reply.status == 429
    assert captured()[-1] == ("LoginThrottled", {"service": "customer-api", "kind": "customer"})


def test_a_wrong_admin_password_counts_login_failed_as_admin(api: Api, admin: None, captured: Any) -> None:
    api.post("/api/user/tokens", {"email": ADMIN_EMAIL, "password": "wrong-password"})
    assert captured() == [("LoginFailed", {"service": "customer-api", "kind": "admin"})]


# Loads a function's code as Lambda would and reports what the Tracer was asked to do: the
# source files of the handler's wrappers, whether the X-Ray SDK got imported, and the
# capture_response of each capture_lambda_handler call (spied on in Powertools' Tracer).
_IMPORT_A_FUNCTION = """
import importlib.util, json, sys
from aws_lambda_powertools.tracing import tracer
captures, original = [], tracer.Tracer.capture_lambda_handler
def spy(self, handler=None, capture_response=None, capture_error=None):
    captures.append(capture_response)
    return original(self, handler, capture_response, capture_error)
tracer.Tracer.capture_lambda_handler = spy
spec = importlib.util.spec_from_file_location("app", "functions/create_customer/app.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
wrapper, sources = module.lambda_handler, []
while wrapper is not None:
    sources.append(wrapper.__code__.co_filename)
    wrapper = getattr(wrapper, "__wrapped__", None)
print(json.dumps({"sources": sources, "xray": "aws_xray_sdk" in sys.modules, "captures": captures}))
"""
TRACER_SOURCE = "aws_lambda_powertools/tracing/tracer.py"


def import_a_function(tracing: str) -> dict[str, Any]:
    """What importing a function's code does in a fresh interpreter with TRACING set."""
    env = {**os.environ, "TRACING": tracing, "PYTHONPATH": str(ROOT / "shared")}
    ran = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", _IMPORT_A_FUNCTION], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    found: dict[str, Any] = json.loads(ran.stdout)
    return found


def test_without_tracing_the_xray_sdk_is_never_imported() -> None:
    found = import_a_function("PassThrough")
    assert not found["xray"]
    assert not any(source.endswith(TRACER_SOURCE) for source in found["sources"])


def test_with_active_tracing_the_handler_is_recorded_by_the_tracer() -> None:
    found = import_a_function("Active")
    assert found["xray"]
    assert any(source.endswith(TRACER_SOURCE) for source in found["sources"])


def test_traces_never_record_the_handler_s_response_which_carries_tokens() -> None:
    assert import_a_function("Active")["captures"] == [False]
