"""Every function runs on its sample event from events/ (the ones `sam local invoke -e` takes),
with the placeholders swapped for a live token and real ids."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from customer_api.domain.admins import create_admin
from local import runtime, template
from local.outbox import Outbox, with_token_in_clear

EVENTS = Path(__file__).resolve().parents[2] / "events"
SAMPLE_CUSTOMER_UUID = "e1b20098a66c11edb46b60d819134f39"
SAMPLE_SID = "09d34c21-4af3-4db8-a38b-335ebf6d45fa"
SAMPLE_ADDRESS_UUID = "da3adce210bc4b1bad98f96fbdb9bed6"


def run(function: str, replacements: dict[str, str]) -> dict[str, Any]:
    text = (EVENTS / f"{function}.json").read_text()
    for placeholder, value in replacements.items():
        text = text.replace(placeholder, value)
    event = json.loads(text)
    found = runtime.match(event["requestContext"]["http"]["method"], event["rawPath"])
    assert found is not None
    result = runtime.invoke(found, event)
    assert result["statusCode"] == 200, result["body"]
    return json.loads(result["body"])["data"]  # type: ignore[no-any-return]


def test_the_stream_consumer_publishes_its_sample_stream_event(outbox: Outbox) -> None:
    event = json.loads((EVENTS / "publish_events.json").read_text())

    result = runtime.invoke(runtime.stream_consumer("CustomersTable"), event)

    assert result == {"batchItemFailures": []}
    published = outbox.poll()  # the table's own stream is empty: what the tap received
    assert [e["detail-type"] for e in published] == ["customer.created", "customer.updated"]
    assert published[1]["detail"]["changed"] == ["full_name"]


def test_the_sample_bus_event_is_what_the_publisher_sends_a_mailer() -> None:
    sample = json.loads((EVENTS / "bus" / "customer.password_reset_requested.json").read_text())

    assert sample["source"] == "customer-api"
    assert set(sample["detail"]) == {
        "event_id",
        "customer_uuid",
        "email",
        "full_name",
        "expires_at",
        "encrypted_token",
    }


def test_there_is_one_event_per_function() -> None:
    folders = {function.code_uri.name for function in template.functions()}
    assert {path.stem for path in EVENTS.glob("*.json")} == folders


def test_every_function_answers_its_sample_event(aws: None) -> None:
    create_admin("admin@example.com", "admin-pass-1", "Sample Admin")
    tokens = run("create_admin_token", {})
    admin = {"REPLACE_WITH_ADMIN_ACCESS_TOKEN": tokens["accessToken"]}
    customer = run("create_customer", admin)
    ids = {SAMPLE_CUSTOMER_UUID: customer["uuid"]}
    assert run("update_customer", admin | ids)["full_name"] == "Jane Q. Doe"
    assert run("get_customer", admin | ids)["uuid"] == customer["uuid"]
    assert [found["uuid"] for found in run("list_customers", admin)["items"]] == [customer["uuid"]]
    session = run("create_session", {})
    own = {"REPLACE_WITH_CUSTOMER_TOKEN": session["token"]}
    assert run("get_own_account", own)["uuid"] == customer["uuid"]
    assert run("update_own_account", own)["full_name"] == "Jane Q. Doe"
    assert [listed["sid"] for listed in run("list_own_sessions", own)["items"]] == [session["sid"]]
    pair = run("create_customer_token", {})
    refreshed = run("refresh_customer_token", {"REPLACE_WITH_CUSTOMER_REFRESH_TOKEN": pair["refreshToken"]})
    assert refreshed["refreshToken"] == pair["refreshToken"]
    mine = run("add_own_address", own)
    assert mine["is_default"] is True
    address = {SAMPLE_ADDRESS_UUID: mine["uuid"]}
    assert run("update_own_address", own | address)["address_2"] == "Apt 4"
    assert [listed["uuid"] for listed in run("list_own_addresses", own)["items"]] == [mine["uuid"]]
    second = run("add_customer_address", admin | ids)
    assert [listed["uuid"] for listed in run("list_customer_addresses", admin | ids)["items"]] == [
        second["uuid"],
        mine["uuid"],
    ]
    assert run("update_customer_address", admin | ids | address)["telephone"] == "+1 555 0199"
    assert run("delete_customer_address", admin | ids | address)["uuid"] == mine["uuid"]
    assert run("delete_own_address", own | {SAMPLE_ADDRESS_UUID: second["uuid"]})["uuid"] == second["uuid"]
    group = run("create_group", admin)
    assert group["group_id"] == 2
    assert run("update_group", admin)["group_name"] == "Trade"
    assert [listed["group_name"] for listed in run("list_groups", admin)["items"]] == ["Default", "Trade"]
    assert run("delete_group", admin)["group_id"] == 2
    renewed = run("change_own_password", own)
    run("delete_sessions", {"REPLACE_WITH_CUSTOMER_TOKEN": renewed["token"], SAMPLE_SID: renewed["sid"]})
    outbox = Outbox()
    outbox.poll()
    assert run("request_password_reset", {}) == {}
    (requested,) = [e for e in outbox.poll() if e["detail-type"] == "customer.password_reset_requested"]
    assert run("reset_password", {"REPLACE_WITH_RESET_TOKEN": with_token_in_clear(requested)["detail"]["token"]}) == {}
    assert run("delete_customer", admin | ids)["uuid"] == customer["uuid"]
    admin_session = run("create_admin_session", {})
    run("delete_admin_session", admin | {SAMPLE_SID: admin_session["sid"]})
