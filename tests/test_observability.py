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

from customer_api.observability import logger
from local.template import ROOT
from tests.conftest import ADMIN_EMAIL, Api

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


def handler_wrappers(tracing: str) -> list[str]:
    """Imports a function's code in a fresh interpreter with TRACING set; reports whether the
    X-Ray SDK got imported and the source files of the handler's wrappers."""
    script = (
        "import importlib.util, json, sys\n"
        "spec = importlib.util.spec_from_file_location('app', 'functions/create_customer/app.py')\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "wrapper, modules = module.lambda_handler, []\n"
        "while wrapper is not None:\n"
        "    modules.append(wrapper.__code__.co_filename)\n"
        "    wrapper = getattr(wrapper, '__wrapped__', None)\n"
        "print(json.dumps(modules + (['aws_xray_sdk'] if 'aws_xray_sdk' in sys.modules else [])))\n"
    )
    env = {**os.environ, "TRACING": tracing, "PYTHONPATH": str(ROOT / "shared")}
    ran = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    found: list[str] = json.loads(ran.stdout)
    return found


TRACER_SOURCE = "aws_lambda_powertools/tracing/tracer.py"


def test_without_tracing_the_xray_sdk_is_never_imported() -> None:
    found = handler_wrappers("PassThrough")
    assert "aws_xray_sdk" not in found
    assert not any(source.endswith(TRACER_SOURCE) for source in found)


def test_with_active_tracing_the_handler_is_recorded_by_the_tracer() -> None:
    found = handler_wrappers("Active")
    assert "aws_xray_sdk" in found
    assert any(source.endswith(TRACER_SOURCE) for source in found)
