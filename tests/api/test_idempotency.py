"""POST /api/customers with an Idempotency-Key header: safe to retry.

A repeat (same admin, same key, same body) answers the first answer and creates nothing; the
same key with another body is a 422; a repeat while the first is still running is a 409; other
admins' keys are their own; no header, no change.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from customer_api.domain.admins import create_admin
from customer_api.store import client
from tests.support import Api, Reply, unique_email
from tests.support.invariants import assert_invariants, read_tables


def create_body(**overrides: Any) -> dict[str, Any]:
    return {"email": unique_email(), "password": "secret-123", "full_name": "Jane Doe", **overrides}


def create(api: Api, token: str, body: dict[str, Any], key: str | None) -> Reply:
    headers = {"Idempotency-Key": key} if key is not None else None
    return api.post("/api/customers", body, token=token, headers=headers)


def customer_count() -> int:
    return len(read_tables().customers)


@pytest.fixture
def other_admin_token(api: Api, admin: None) -> str:
    create_admin("other-admin@shop.example.com", "admin-password-2", "Other Admin")
    reply = api.post("/api/user/tokens", {"email": "other-admin@shop.example.com", "password": "admin-password-2"})
    return reply.data["accessToken"]  # type: ignore[no-any-return]


def test_a_retry_with_the_same_key_answers_the_first_answer_and_creates_nothing(api: Api, admin_token: str) -> None:
    body = create_body()
    first = create(api, admin_token, body, "key-1")

    again = create(api, admin_token, body, "key-1")

    assert first.status == again.status == 200
    assert again.body == first.body
    assert customer_count() == 1
    assert_invariants()


def test_the_same_key_with_another_body_is_a_422(api: Api, admin_token: str) -> None:
    create(api, admin_token, create_body(), "key-1")

    reply = create(api, admin_token, create_body(), "key-1")

    assert reply.status == 422
    assert reply.error == {"status": 422, "message": "This Idempotency-Key was already used with another request body"}
    assert customer_count() == 1


def test_another_key_creates_again(api: Api, admin_token: str) -> None:
    create(api, admin_token, create_body(), "key-1")

    reply = create(api, admin_token, create_body(), "key-2")

    assert reply.status == 200
    assert customer_count() == 2


def test_two_admins_using_one_key_do_not_meet(api: Api, admin_token: str, other_admin_token: str) -> None:
    create(api, admin_token, create_body(), "shared-key")

    reply = create(api, other_admin_token, create_body(), "shared-key")

    assert reply.status == 200
    assert customer_count() == 2


def test_a_retry_while_the_first_request_runs_is_a_409(api: Api, admin_token: str) -> None:
    body = create_body()
    replies: list[Reply] = []

    def retry_meanwhile(**_: Any) -> None:
        if not replies:
            replies.append(create(api, admin_token, body, "key-1"))

    # The retry arrives while the first request is between its idempotency record and its write.
    client.dynamodb().meta.events.register("before-call.dynamodb.TransactWriteItems", retry_meanwhile)
    first = create(api, admin_token, body, "key-1")

    assert first.status == 200
    assert replies[0].status == 409
    assert replies[0].error["status"] == 409
    assert customer_count() == 1


def test_a_failed_request_leaves_no_answer_behind_its_key(api: Api, admin_token: str) -> None:
    taken = create_body()
    create(api, admin_token, taken, None)
    assert create(api, admin_token, create_body(email=taken["email"]), "key-1").status == 409

    reply = create(api, admin_token, create_body(), "key-1")

    assert reply.status == 200  # not 422: the 409 was not kept as the key's answer


def test_without_the_header_every_request_creates(api: Api, admin_token: str) -> None:
    assert create(api, admin_token, create_body(), None).status == 200
    assert create(api, admin_token, create_body(), None).status == 200
    assert customer_count() == 2


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "caf\u00e9"])
def test_a_malformed_key_is_a_400(api: Api, admin_token: str, key: str) -> None:
    reply = create(api, admin_token, create_body(), key)

    assert reply.status == 400
    assert "Idempotency-Key" in reply.error["message"]
    assert customer_count() == 0


def test_the_stored_record_holds_no_password(api: Api, admin_token: str) -> None:
    body = create_body(password="very-secret-password")
    create(api, admin_token, body, "key-1")

    items = boto3.client("dynamodb").scan(TableName="IdempotencyTable")["Items"]

    assert len(items) == 1
    assert "very-secret-password" not in str(items)
