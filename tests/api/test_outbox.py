"""The outbox: committed changes of the customers table, read from its stream by the real
PublishEventsFunction, become events on the EventBridge bus; failed changes become none."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import Counter
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient

from customer_api.core.errors import ConcurrentChange
from customer_api.store.dynamodb import DynamoStore
from local.outbox import Outbox, run_in_background
from tests.support import Api, CustomerAccount, unique_email


def types(events: list[dict[str, Any]]) -> list[str]:
    return [event["detail-type"] for event in events]


def test_a_created_customer_is_published_once_with_its_uuid(outbox: Outbox, new_customer: Any) -> None:
    account: CustomerAccount = new_customer()

    published = outbox.poll()

    (created,) = [event for event in published if event["detail-type"] == "customer.created"]
    assert created["source"] == "customer-api"
    assert created["detail"]["customer_uuid"] == account.uuid
    assert created["detail"]["customer"]["email"] == account.email
    assert outbox.poll() == []  # each record once


def test_logins_publish_nothing(outbox: Outbox, customer: CustomerAccount, log_in: Any) -> None:
    outbox.poll()

    log_in(customer)
    log_in(customer)

    assert outbox.poll() == []


def test_an_update_names_what_changed_and_a_password_change_is_its_own_event(
    outbox: Outbox, api: Api, admin_token: str, customer: CustomerAccount
) -> None:
    outbox.poll()
    change = {"full_name": "Jane Roe", "password": "secret-456"}

    assert api.patch(f"/api/customers/{customer.uuid}", change, token=admin_token).status == 200

    published = outbox.poll()
    assert sorted(types(published)) == ["customer.password_changed", "customer.updated"]
    (updated,) = [event for event in published if event["detail-type"] == "customer.updated"]
    assert updated["detail"]["changed"] == ["full_name"]
    assert "secret-456" not in json.dumps(published) and "$2b$" not in json.dumps(published)


def test_a_change_made_in_one_update_names_what_changed_as_a_save_did(
    outbox: Outbox, api: Api, admin_token: str, customer: CustomerAccount, log_in: Any
) -> None:
    path = f"/api/customers/{customer.uuid}"
    outbox.poll()

    def published_after(method: str, path: str, body: dict[str, Any], token: str) -> list[tuple[str, Any, Any]]:
        assert api.call(method, path, body, token=token).status == 200
        return [(e["detail-type"], e["detail"]["changed"], e["detail"]["customer"]) for e in outbox.poll()]

    ((kind, changed, renamed),) = published_after("PATCH", path, {"full_name": "Jane Roe"}, admin_token)
    assert (kind, changed, renamed["full_name"], renamed["status"]) == (
        "customer.updated",
        ["full_name"],
        "Jane Roe",
        1,
    )
    ((_, changed, disabled),) = published_after("PATCH", path, {"status": 0, "full_name": "Jane Roe"}, admin_token)
    assert (changed, disabled["status"]) == (["status"], 0)  # the name given again is no change
    assert published_after("PATCH", path, {"status": 0}, admin_token) == []  # nothing a consumer sees changed
    ((_, changed, enabled),) = published_after("PATCH", path, {"status": 1, "full_name": "Jo"}, admin_token)
    assert (changed, enabled["full_name"], enabled["status"]) == (["full_name", "status"], "Jo", 1)
    token = log_in(customer)["token"]
    ((_, changed, own),) = published_after("PATCH", "/api/customers/me", {"full_name": "Me"}, token)
    assert (changed, own["full_name"], own["uuid"]) == (["full_name"], "Me", customer.uuid)


def test_a_deleted_customer_is_published(outbox: Outbox, api: Api, admin_token: str, customer: CustomerAccount) -> None:
    outbox.poll()

    assert api.delete(f"/api/customers/{customer.uuid}", token=admin_token).status == 200

    assert types(outbox.poll()) == ["customer.deleted"]


def test_a_create_refused_for_a_taken_email_publishes_nothing(
    outbox: Outbox, api: Api, admin_token: str, customer: CustomerAccount
) -> None:
    outbox.poll()
    body = {"email": customer.email.upper(), "password": "secret-123", "full_name": "Copy"}

    assert api.post("/api/customers", body, token=admin_token).status == 409
    assert api.patch(f"/api/customers/{customer.uuid}", {"email": "taken@example.com"}, token=admin_token).status == 200
    other = api.post("/api/customers", {**body, "email": unique_email()}, token=admin_token).data
    assert api.patch(f"/api/customers/{other['uuid']}", {"email": "TAKEN@example.com"}, token=admin_token).status == 409

    assert sorted(types(outbox.poll())) == ["customer.created", "customer.updated"]  # the two that committed


def test_a_cancelled_transaction_publishes_nothing(
    outbox: Outbox, api: Api, admin_token: str, customer: CustomerAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An email change is one transaction; cancelled by a fault injected into it, nothing
    committed and nothing is published."""
    outbox.poll()
    real_call = BaseClient._make_api_call

    def cancelling(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if operation == "TransactWriteItems":
            # A condition no item meets: DynamoDB cancels the whole transaction.
            first = params["TransactItems"][0]["Put"]
            first["ConditionExpression"] = "attribute_not_exists(pk)"
            first.pop("ExpressionAttributeNames", None)
            first.pop("ExpressionAttributeValues", None)
        return real_call(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", cancelling)
    reply = api.patch(f"/api/customers/{customer.uuid}", {"email": unique_email()}, token=admin_token)
    monkeypatch.undo()

    assert reply.status == 503
    assert outbox.poll() == []


def test_each_committed_change_is_exactly_one_stream_record_and_its_events(
    outbox: Outbox, api: Api, admin_token: str, new_customer: Any
) -> None:
    outbox.poll()
    accounts = [new_customer() for _ in range(3)]
    for account in accounts:
        api.patch(f"/api/customers/{account.uuid}", {"full_name": "Renamed"}, token=admin_token)
    api.delete(f"/api/customers/{accounts[0].uuid}", token=admin_token)

    published = outbox.poll()

    assert Counter(types(published)) == {"customer.created": 3, "customer.updated": 3, "customer.deleted": 1}
    assert len({event["detail"]["event_id"] for event in published}) == len(published)


def test_a_record_the_bus_refuses_is_published_on_the_next_poll(
    outbox: Outbox, new_customer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_call = BaseClient._make_api_call

    def bus_down(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if operation == "PutEvents":
            return {"FailedEntryCount": len(params["Entries"]), "Entries": [{"ErrorCode": "InternalFailure"}]}
        return real_call(client, operation, params)

    account = new_customer()
    monkeypatch.setattr(BaseClient, "_make_api_call", bus_down)
    assert outbox.poll() == []
    monkeypatch.undo()

    published = outbox.poll()

    assert [event["detail"]["customer_uuid"] for event in published] == [account.uuid]


def test_the_bus_is_the_stack_s_and_the_source_is_customer_api(outbox: Outbox, customer: CustomerAccount) -> None:
    (created,) = outbox.poll()

    assert created["source"] == "customer-api"
    assert boto3.client("events").describe_event_bus(Name="EventBus")["Name"] == "EventBus"


def test_a_write_that_lost_its_race_publishes_nothing(outbox: Outbox, customer: CustomerAccount) -> None:
    """Two writers read the customer; the first rename commits, the second (conditional on the
    version it read) is refused: one event, the winner's."""
    db = DynamoStore()
    read_by_both = db.get_customer(customer.uuid)
    assert read_by_both is not None
    outbox.poll()

    db.save_customer(read_by_both, dataclasses.replace(read_by_both, full_name="First Writer"))
    with pytest.raises(ConcurrentChange):
        db.save_customer(read_by_both, dataclasses.replace(read_by_both, full_name="Second Writer"))

    (updated,) = outbox.poll()
    assert updated["detail"]["customer"]["full_name"] == "First Writer"


def test_stopping_the_background_outbox_waits_for_the_poll_under_way(outbox: Outbox, new_customer: Any) -> None:
    # `make serve` stops its outbox before its backend: a poll under way ends first, or its
    # invocations of the publisher would outlive the server into whatever runs next.
    new_customer()  # a change to publish
    publishing, release = threading.Event(), threading.Event()

    def on_event(_: dict[str, Any]) -> None:
        publishing.set()
        release.wait(10)

    stop = run_in_background(outbox, on_event, every=0.01)
    assert publishing.wait(10)
    stopper = threading.Thread(target=stop)
    stopper.start()
    stopper.join(0.5)  # long enough for a stop that does not wait to have returned
    waited = stopper.is_alive()
    release.set()
    stopper.join(10)

    assert (waited, stopper.is_alive()) == (True, False)
