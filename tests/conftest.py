"""The world every test builds on: AWS played by moto with the template's own tables and
secrets, the real handlers invoked with API Gateway events, an admin, customers."""

from __future__ import annotations

import dataclasses
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from moto import mock_aws

# The service's configuration for tests: names as the local runner gives them (logical ids).
os.environ.update(
    {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_METRICS_NAMESPACE": "CustomerApi",
        "POWERTOOLS_SERVICE_NAME": "customer-api",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)

from local import runtime, template

for _function in template.functions():
    os.environ.update(_function.environment)
os.environ["BCRYPT_ROUNDS"] = "4"  # bcrypt's minimum: the tests exercise logic, not cost

from customer_api import store  # noqa: E402
from customer_api.core import settings as config  # noqa: E402
from customer_api.domain.admins import create_admin  # noqa: E402

ADMIN_EMAIL = "admin@shop.example.com"
ADMIN_PASSWORD = "admin-password-1"


@dataclasses.dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    cookies: list[str]

    @property
    def data(self) -> dict[str, Any]:
        return self.body["data"]  # type: ignore[no-any-return]

    @property
    def error(self) -> dict[str, Any]:
        return self.body["error"]  # type: ignore[no-any-return]


class Api:
    """Calls the real Lambda handlers the way API Gateway would, routed by template.yaml."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        cookies: list[str] | None = None,
        raw_body: bytes | str | None = None,
    ) -> Reply:
        found = runtime.match(method, path)
        assert found is not None, f"no route for {method} {path}"
        all_headers = {"content-type": "application/json", **(headers or {})}
        if token is not None:
            all_headers["authorization"] = f"Bearer {token}"
        payload = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
        event = runtime.http_api_event(
            method,
            path,
            route=found.route,
            path_parameters=found.path_parameters,
            headers=all_headers,
            cookies=cookies,
            body=payload,
        )
        self.events.append(event)
        result = runtime.invoke(found, event)
        headers_out = {name.lower(): value for name, value in (result.get("headers") or {}).items()}
        return Reply(result["statusCode"], json.loads(result["body"]), headers_out, result.get("cookies") or [])

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.call("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Reply:
        return self.call("PATCH", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Reply:
        return self.call("DELETE", path, **kwargs)


@contextmanager
def fresh_aws() -> Iterator[None]:
    """Fresh DynamoDB tables and secrets, created from template.yaml, and no cached clients."""
    with mock_aws():
        store.forget_cached()
        config.settings.cache_clear()
        template.create_tables(boto3.client("dynamodb"))
        template.create_secrets(boto3.client("secretsmanager"))
        yield
        store.forget_cached()


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh AWS for one test."""
    with fresh_aws():
        yield


@pytest.fixture
def api(aws: None) -> Api:
    return Api()


@pytest.fixture
def admin(aws: None) -> None:
    create_admin(ADMIN_EMAIL, ADMIN_PASSWORD, "Shop Admin")


@pytest.fixture
def admin_token(api: Api, admin: None) -> str:
    reply = api.post("/api/user/tokens", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert reply.status == 200, reply.body
    return reply.data["accessToken"]  # type: ignore[no-any-return]


def unique_email(prefix: str = "customer") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@shop.example.com"


@dataclasses.dataclass
class CustomerAccount:
    uuid: str
    email: str
    password: str
    view: dict[str, Any]


@pytest.fixture
def new_customer(api: Api, admin_token: str) -> Any:
    """Creates customers through the API: new_customer(**overrides) -> CustomerAccount."""

    def create(**overrides: Any) -> CustomerAccount:
        body = {"email": unique_email(), "password": "secret-123", "full_name": "Jane Doe", **overrides}
        reply = api.post("/api/customers", body, token=admin_token)
        assert reply.status == 200, reply.body
        return CustomerAccount(reply.data["uuid"], body["email"], body["password"], reply.data)

    return create


@pytest.fixture
def customer(new_customer: Any) -> CustomerAccount:
    return new_customer()  # type: ignore[no-any-return]


@pytest.fixture
def log_in(api: Api) -> Any:
    """log_in(account) -> the login reply's data {token, sid}."""

    def login(account: CustomerAccount) -> dict[str, str]:
        reply = api.post("/api/customers/sessions", {"email": account.email, "password": account.password})
        assert reply.status == 200, reply.body
        return reply.data

    return login
