"""tools/backfill_listing: customers stored before the listing index existed become listable,
once, without bringing back what was deleted meanwhile."""

from __future__ import annotations

from typing import Any

import boto3

from customer_api.core.settings import settings
from customer_api.store import keys
from tests.support import Api
from tools import backfill_listing


def unlist_everything() -> None:
    """The table as a stack deployed before the index left it: no listing attributes."""
    dynamodb, table = boto3.client("dynamodb"), settings().customers_table
    for item in dynamodb.scan(TableName=table)["Items"]:
        dynamodb.update_item(TableName=table, Key={"pk": item["pk"]}, UpdateExpression="REMOVE list_pk, list_sk")


def listed(api: Api, token: str, query: str = "") -> list[str]:
    reply = api.get(f"/api/customers?limit=100{query}", token=token)
    assert reply.status == 200, reply.body
    return [item["uuid"] for item in reply.data["items"]]


def test_older_customers_become_listable_and_a_second_run_does_nothing(
    api: Api, admin_token: str, new_customer: Any
) -> None:
    made = [new_customer() for _ in range(12)]
    unlist_everything()
    assert listed(api, admin_token) == []

    outcomes = backfill_listing.backfill(settings().customers_table)

    assert outcomes["listed now"] == 24  # each customer and its email claim
    assert listed(api, admin_token) == [customer.uuid for customer in reversed(made)]
    assert listed(api, admin_token, f"&email_prefix={made[0].email[:9]}")
    again = backfill_listing.backfill(settings().customers_table)
    assert again["listed now"] == 0
    assert again["already listed"] == 24


def test_a_customer_deleted_after_the_scan_read_it_stays_deleted(api: Api, admin_token: str, new_customer: Any) -> None:
    customer = new_customer()
    unlist_everything()
    table = settings().customers_table
    read_before = [item for item in backfill_listing._items(table) if customer.uuid in item["pk"]["S"]]
    assert api.delete(f"/api/customers/{customer.uuid}", token=admin_token).status == 200

    assert [backfill_listing._list(table, item) for item in read_before] == ["changed meanwhile"]
    stored = boto3.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": keys.customer(customer.uuid)}})
    assert "Item" not in stored


def test_the_command_reports_what_it_did(new_customer: Any, capsys: Any) -> None:
    new_customer()
    unlist_everything()
    assert backfill_listing.main([]) == 0
    assert "2 listed now" in capsys.readouterr().out
    backfill_listing.main(["--table", settings().customers_table])
    assert "listed now" not in capsys.readouterr().out
