"""DynamoDB saying "busy": botocore retries throttling with backoff (standard mode, 5 attempts),
the store retries transactions cancelled by a conflict, and when retries run out the client
gets 503 with Retry-After in the contract's shape, with nothing half-written.

DynamoDB's busy answers are played by a `before-send` hook on the layer's client: it answers
in DynamoDB's place, the way AWS would, before moto sees the request.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.retries import standard

from customer_api.store import client
from tests.support import Api, CustomerAccount, unique_email
from tests.support.invariants import assert_invariants


class _Body:
    def __init__(self, payload: bytes) -> None:
        self.payload = payload

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.payload


def dynamodb_error(error_type: str, **fields: Any) -> AWSResponse:
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{error_type}", "message": "busy", **fields})
    headers = {"x-amzn-RequestId": "test", "Content-Type": "application/x-amz-json-1.0"}
    return AWSResponse("https://dynamodb.us-east-1.amazonaws.com/", 400, headers, _Body(body.encode()))


def throttling() -> AWSResponse:
    return dynamodb_error("ThrottlingException")


def transaction_conflict(items: int) -> AWSResponse:
    reasons = [{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}]
    reasons += [{"Code": "None"}] * (items - 1)
    return dynamodb_error("TransactionCanceledException", CancellationReasons=reasons)


class BusyDynamoDB:
    """Answers the next `times` calls of `operation` with `answer(request body)`.

    The answer replaces DynamoDB's on the wire (`before-send`), so botocore's retries see it.
    moto still receives those requests: use it for reads, or for writes whose effect is wanted.
    """

    def __init__(self, operation: str, times: int, answer: Any) -> None:
        self.left, self.answer = times, answer
        self.bodies: list[dict[str, Any]] = []  # every request of the operation, answered or not
        client.dynamodb().meta.events.register(f"before-send.dynamodb.{operation}", self._before_send)

    def _before_send(self, request: Any, **_: Any) -> AWSResponse | None:
        body = json.loads(request.body)
        self.bodies.append(body)
        if self.left <= 0:
            return None  # on to moto
        self.left -= 1
        return self.answer(body)  # type: ignore[no-any-return]

    @property
    def attempts(self) -> int:
        return len(self.bodies)


class ConflictingTransactions:
    """Cancels the next `times` transactions for a conflict, before they reach moto.

    Answered at `before-call`, which skips sending: right here, since botocore never retries a
    cancelled transaction and a cancelled transaction writes nothing.
    """

    def __init__(self, times: int) -> None:
        self.left, self.attempts = times, 0
        client.dynamodb().meta.events.register("before-call.dynamodb.TransactWriteItems", self._before_call)

    def _before_call(self, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        self.attempts += 1
        if self.left <= 0:
            return None
        self.left -= 1
        reasons = [{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}]
        reasons += [{"Code": "None"}] * (len(json.loads(params["body"])["TransactItems"]) - 1)
        parsed = {
            "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
            "CancellationReasons": reasons,
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }
        return transaction_conflict(len(reasons)), parsed


@pytest.fixture(autouse=True)
def no_backoff_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's backoff waits up to 8 s between throttled attempts; the attempts are what count."""
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    monkeypatch.setattr(client.time, "sleep", lambda seconds: None)


def create_body() -> dict[str, str]:
    return {"email": unique_email(), "password": "secret-123", "full_name": "Jane Doe"}


def test_a_throttled_read_is_retried_until_it_passes(api: Api, admin_token: str) -> None:
    busy = BusyDynamoDB("BatchGetItem", 2, lambda _: throttling())

    reply = api.post("/api/customers", create_body(), token=admin_token)

    assert reply.status == 200
    assert busy.attempts == 3


def test_throttling_on_every_attempt_ends_in_503_after_five_attempts(api: Api, admin_token: str) -> None:
    busy = BusyDynamoDB("BatchGetItem", 99, lambda _: throttling())

    reply = api.post("/api/customers", create_body(), token=admin_token)

    assert busy.attempts == 5
    assert reply.status == 503
    assert reply.error == {"status": 503, "message": "The service is busy; try again shortly"}
    assert int(reply.headers["retry-after"]) >= 1


def test_a_throttled_transaction_is_resent_with_the_same_request_token(api: Api, admin_token: str) -> None:
    busy = BusyDynamoDB("TransactWriteItems", 1, lambda _: throttling())

    api.post("/api/customers", create_body(), token=admin_token)

    # moto applied the first attempt and ignores the token (its answer here is a 409); DynamoDB
    # answers a resent token with the first outcome, so a lost response is never applied twice.
    first, second = busy.bodies
    assert first["ClientRequestToken"] == second["ClientRequestToken"]


def test_a_create_cancelled_by_a_transaction_conflict_is_retried(api: Api, admin_token: str) -> None:
    busy = ConflictingTransactions(1)

    reply = api.post("/api/customers", create_body(), token=admin_token)

    assert reply.status == 200
    assert busy.attempts == 2
    assert_invariants()


def test_a_login_cancelled_by_a_transaction_conflict_is_retried_not_refused(
    api: Api, customer: CustomerAccount
) -> None:
    busy = ConflictingTransactions(1)

    reply = api.post("/api/customers/sessions", {"email": customer.email, "password": customer.password})

    assert reply.status == 200
    assert busy.attempts == 2


def test_transaction_conflicts_on_every_attempt_end_in_503_and_write_nothing(
    api: Api, admin_token: str, customer: CustomerAccount
) -> None:
    busy = ConflictingTransactions(99)
    new_email = unique_email()

    reply = api.patch(f"/api/customers/{customer.uuid}", {"email": new_email}, token=admin_token)

    assert reply.status == 503
    assert reply.error["status"] == 503
    assert "retry-after" in reply.headers
    assert busy.attempts == 3
    busy.left = 0
    assert api.post("/api/customers", {**create_body(), "email": new_email}, token=admin_token).status == 200
    assert_invariants()


def test_a_logout_cancelled_by_conflicts_is_a_503_not_a_404(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    session = log_in(customer)
    ConflictingTransactions(99)

    reply = api.delete(f"/api/customers/sessions/{session['sid']}", token=session["token"])

    assert reply.status == 503


def test_a_conditional_failure_is_not_retried(api: Api, admin_token: str, customer: CustomerAccount) -> None:
    busy = ConflictingTransactions(0)

    reply = api.post("/api/customers", {**create_body(), "email": customer.email}, token=admin_token)

    assert reply.status == 409
    assert busy.attempts == 1
