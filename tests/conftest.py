"""The world every test builds on: AWS played by moto with the template's own tables and
secrets, the real handlers invoked with API Gateway events, an admin, customers.

Only the environment and the fixtures live here; what tests import lives in tests/support."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

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

from local import template

for _function in template.functions():
    os.environ.update(_function.environment)
os.environ["BCRYPT_ROUNDS"] = "4"  # bcrypt's minimum: the tests exercise logic, not cost
os.environ["RESET_ANSWER_SECONDS"] = "0"  # the reset request's wait: tests/api/test_password_reset.py

# The helpers' asserts explain their failures as a conftest's did.
pytest.register_assert_rewrite("tests.support")

from customer_api.core import clock  # noqa: E402
from customer_api.domain.admins import create_admin  # noqa: E402
from local.dynamodb_local import DynamoDBLocal  # noqa: E402
from local.outbox import Outbox  # noqa: E402
from tests.support import (  # noqa: E402
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DYNAMODB_LOCAL,
    MOTO,
    Api,
    CustomerAccount,
    fresh_aws,
    java_missing,
    unique_email,
)


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[str]:
    """One DynamoDB Local, in memory, for the whole session: its endpoint. Each test using it
    gets fresh tables (fresh_aws)."""
    why = java_missing()
    if why:
        pytest.skip(f"DynamoDB Local tier skipped: {why}")
    with DynamoDBLocal() as engine:
        yield engine.endpoint


@pytest.fixture
def aws(request: pytest.FixtureRequest) -> Iterator[None]:
    """A fresh AWS for one test: moto, or (parametrized indirectly with DYNAMODB_LOCAL) DynamoDB
    Local for DynamoDB and moto for the rest."""
    backend = getattr(request, "param", MOTO)
    endpoint = request.getfixturevalue("dynamodb_local") if backend == DYNAMODB_LOCAL else None
    with fresh_aws(endpoint):
        yield


def pytest_terminal_summary(terminalreporter: Any) -> None:
    # The DynamoDB Local tier must not vanish quietly: say so when it was skipped.
    why = java_missing()
    if why:
        terminalreporter.write_line(f"DynamoDB Local tier skipped: {why}", yellow=True)


@pytest.fixture
def api(aws: None) -> Api:
    return Api()


@pytest.fixture
def outbox(aws: None) -> Outbox:
    """The customers table's stream, published by PublishEventsFunction: `outbox.poll()` runs it
    over what committed since the last poll and answers the events the bus received."""
    return Outbox()


@pytest.fixture
def admin(aws: None) -> None:
    create_admin(ADMIN_EMAIL, ADMIN_PASSWORD, "Shop Admin")


@pytest.fixture
def admin_token(api: Api, admin: None) -> str:
    reply = api.post("/api/user/tokens", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert reply.status == 200, reply.body
    return reply.data["accessToken"]  # type: ignore[no-any-return]


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


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], None]:
    """Stops the service's clock; call it to move the clock that many seconds on (or back)."""
    moment = {"now": clock.now()}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])

    def move_on(seconds: float) -> None:
        moment["now"] += seconds

    return move_on
