"""Password recovery: a reset token asked for by email, handed to the shop's mailer encrypted in
the customer.password_reset_requested event, spent once to set a new password and end every
session."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from customer_api.core.records import email_key
from customer_api.core.settings import settings
from customer_api.domain.recovery import encryption_context
from customer_api.store import keys
from local.outbox import Outbox, with_token_in_clear
from tests.support import Api, CustomerAccount, unique_email

RESET = "/api/customers/reset-password"
SET = "/api/customers/password"
INVALID_TOKEN = "Token is invalid or expired"


def reset_events(published: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event for event in published if event["detail-type"] == "customer.password_reset_requested"]


def mailed_token(api: Api, outbox: Outbox, email: str) -> str:
    """Ask for a reset and read the token as the shop's mailer would: from the event, decrypted."""
    outbox.poll()
    assert api.post(RESET, {"email": email}).status == 200
    (event,) = reset_events(outbox.poll())
    return str(with_token_in_clear(event)["detail"]["token"])


def test_a_reset_sets_the_password_and_ends_every_session(
    api: Api, outbox: Outbox, customer: CustomerAccount, log_in: Any
) -> None:
    old_session = log_in(customer)["token"]
    token = mailed_token(api, outbox, customer.email)

    reply = api.post(SET, {"token": token, "password": "brand-new-1"})

    assert (reply.status, reply.body) == (200, {"data": {}})
    assert api.get("/api/customers/me", token=old_session).status == 401
    assert api.post("/api/customers/sessions", {"email": customer.email, "password": customer.password}).status == 400
    assert api.post("/api/customers/sessions", {"email": customer.email, "password": "brand-new-1"}).status == 200
    assert "customer.password_changed" in [event["detail-type"] for event in outbox.poll()]


def test_the_request_answers_the_same_empty_body_and_the_event_carries_no_plain_token(
    api: Api, outbox: Outbox, customer: CustomerAccount
) -> None:
    outbox.poll()

    reply = api.post(RESET, {"email": customer.email.upper()})

    assert (reply.status, reply.body) == (200, {"data": {}})
    (event,) = reset_events(outbox.poll())
    detail = event["detail"]
    assert (detail["customer_uuid"], detail["email"], detail["full_name"]) == (
        customer.uuid,
        customer.email,
        "Jane Doe",
    )
    token = with_token_in_clear(event)["detail"]["token"]
    assert token.startswith(f"{customer.uuid}.") and token not in json.dumps(event)
    assert detail["expires_at"].endswith("Z")


def test_a_token_is_spent_by_its_first_use(api: Api, outbox: Outbox, customer: CustomerAccount) -> None:
    token = mailed_token(api, outbox, customer.email)
    assert api.post(SET, {"token": token, "password": "brand-new-1"}).status == 200

    again = api.post(SET, {"token": token, "password": "brand-new-2"})

    assert (again.status, again.error["message"]) == (400, INVALID_TOKEN)


def test_an_expired_token_is_refused(
    api: Api, outbox: Outbox, customer: CustomerAccount, frozen_clock: Callable[[float], None]
) -> None:
    token = mailed_token(api, outbox, customer.email)
    frozen_clock(3600)

    reply = api.post(SET, {"token": token, "password": "brand-new-1"})

    assert (reply.status, reply.error["message"]) == (400, INVALID_TOKEN)


def test_a_newer_request_replaces_the_older_token(api: Api, outbox: Outbox, customer: CustomerAccount) -> None:
    older = mailed_token(api, outbox, customer.email)
    newer = mailed_token(api, outbox, customer.email)

    assert api.post(SET, {"token": older, "password": "brand-new-1"}).status == 400
    assert api.post(SET, {"token": newer, "password": "brand-new-1"}).status == 200


def test_a_password_changed_otherwise_voids_a_pending_token(
    api: Api, outbox: Outbox, admin_token: str, customer: CustomerAccount
) -> None:
    token = mailed_token(api, outbox, customer.email)
    assert api.patch(f"/api/customers/{customer.uuid}", {"password": "admin-set-1"}, token=admin_token).status == 200

    assert api.post(SET, {"token": token, "password": "brand-new-1"}).status == 400


def test_a_customer_disabled_after_the_request_cannot_spend_the_token(
    api: Api, outbox: Outbox, admin_token: str, customer: CustomerAccount
) -> None:
    token = mailed_token(api, outbox, customer.email)
    assert api.patch(f"/api/customers/{customer.uuid}", {"status": 0}, token=admin_token).status == 200

    assert api.post(SET, {"token": token, "password": "brand-new-1"}).status == 400


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "e1b20098a66c11edb46b60d819134f39", "e1b20098a66c11edb46b60d819134f39.forged", "../x.y"],
)
def test_a_token_that_is_nobody_s_is_refused_alike(api: Api, customer: CustomerAccount, token: str) -> None:
    reply = api.post(SET, {"token": token, "password": "brand-new-1"})

    assert (reply.status, reply.error["message"]) == (400, INVALID_TOKEN)


def test_another_customer_s_pending_token_secret_does_not_open_this_account(
    api: Api, outbox: Outbox, new_customer: Any
) -> None:
    first, second = new_customer(), new_customer()
    token = mailed_token(api, outbox, first.email)
    mailed_token(api, outbox, second.email)
    _, _, secret = token.partition(".")

    assert api.post(SET, {"token": f"{second.uuid}.{secret}", "password": "brand-new-1"}).status == 400


def test_the_new_password_follows_the_create_rules(api: Api, outbox: Outbox, customer: CustomerAccount) -> None:
    token = mailed_token(api, outbox, customer.email)

    reply = api.post(SET, {"token": token, "password": "short"})

    assert (reply.status, reply.error["message"]) == (400, "Password must be at least 6 characters")
    assert api.post(SET, {"token": token, "password": "long-enough"}).status == 200  # not spent by the refusal


def test_unknown_and_disabled_emails_answer_the_same_and_publish_nothing(
    api: Api, outbox: Outbox, new_customer: Any
) -> None:
    disabled = new_customer(status=0)
    outbox.poll()

    unknown = unique_email()
    replies = [api.post(RESET, {"email": email}) for email in (unknown, disabled.email)]

    assert [(reply.status, reply.body) for reply in replies] == [(200, {"data": {}})] * 2
    assert outbox.poll() == []
    dynamodb = boto3.client("dynamodb")
    customers = dynamodb.scan(TableName="CustomersTable")["Items"]
    assert not any("reset_hash" in item for item in customers)  # nothing written for nobody
    # The reset made for nobody (the write a customer's reset is) went where no stream is.
    made = [item for item in dynamodb.scan(TableName="SessionsTable")["Items"] if "reset_hash" in item]
    assert sorted(item["pk"]["S"] for item in made) == sorted(
        keys.reset_for_nobody(email_key(email)) for email in (unknown, disabled.email)
    )
    sessions_table = dynamodb.describe_table(TableName="SessionsTable")["Table"]
    assert not sessions_table.get("StreamSpecification", {}).get("StreamEnabled", False)


def test_every_email_s_answer_waits_for_the_configured_moment(
    api: Api, new_customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The wait that covers what equal calls leave unequal: no answer, known email or not, comes
    before it (a lower bound only: sleep never wakes early; how equal they come is make bench-reset's)."""
    monkeypatch.setenv("RESET_ANSWER_SECONDS", "0.3")
    settings.cache_clear()
    emails = (new_customer().email, unique_email(), new_customer(status=0).email)

    timed = []
    for email in emails:
        started = time.perf_counter()
        timed.append((api.post(RESET, {"email": email}).status, time.perf_counter() - started >= 0.3))
    settings.cache_clear()

    assert timed == [(200, True)] * 3


def test_a_malformed_email_is_a_400(api: Api) -> None:
    reply = api.post(RESET, {"email": "not-an-email"})

    assert reply.status == 400


@pytest.mark.parametrize("known", [True, False])
def test_the_fourth_request_within_the_hour_is_throttled_for_any_email(
    api: Api, new_customer: Any, known: bool, frozen_clock: Callable[[float], None]
) -> None:
    email = new_customer().email if known else unique_email()

    statuses = [api.post(RESET, {"email": email}).status for _ in range(4)]
    frozen_clock(3600)
    after_the_hour = api.post(RESET, {"email": email}).status

    assert statuses == [200, 200, 200, 429]
    assert after_the_hour == 200


def test_the_throttle_answers_retry_after(api: Api) -> None:
    email = unique_email()
    for _ in range(3):
        api.post(RESET, {"email": email})

    reply = api.post(RESET, {"email": email})

    assert reply.status == 429 and int(reply.headers["retry-after"]) > 0


def test_a_token_encrypted_for_one_customer_does_not_decrypt_for_another(
    api: Api, outbox: Outbox, new_customer: Any
) -> None:
    first, second = new_customer(), new_customer()
    outbox.poll()
    api.post(RESET, {"email": first.email})
    (event,) = reset_events(outbox.poll())
    kms = boto3.client("kms")
    ciphertext = base64.b64decode(event["detail"]["encrypted_token"])

    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=ciphertext, EncryptionContext=encryption_context(second.uuid))
    opened = kms.decrypt(CiphertextBlob=ciphertext, EncryptionContext=encryption_context(first.uuid))
    assert opened["Plaintext"].decode().startswith(first.uuid)


def test_no_item_holds_the_token_or_its_secret(api: Api, outbox: Outbox, customer: CustomerAccount) -> None:
    token = mailed_token(api, outbox, customer.email)
    secret = token.partition(".")[2]
    dynamodb = boto3.client("dynamodb")

    items = [json.dumps(dynamodb.scan(TableName=table)["Items"]) for table in ("CustomersTable", "SessionsTable")]

    assert not any(secret in dumped for dumped in items)
