"""Put the customers and email claims stored before the listing index existed into it: the
one-off step after deploying the stack that added the index (README, "Upgrading a deployed
stack"). Idempotent and safe beside live traffic; run it again until it reports nothing to do.

    CUSTOMERS_TABLE=<the stack's CustomersTableName> PYTHONPATH=shared python -m tools.backfill_listing

A Scan is fine here: an operator's one-off pass, never a request's path. Each item is written
only as it was read (a condition on the fields its place derives from), so a customer changed
or deleted meanwhile is left to the service, which writes its listing itself.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from customer_api.core.settings import settings
from customer_api.store import codecs, keys
from customer_api.store.client import dynamodb

Item = dict[str, Any]
WRITERS = 8  # UpdateItems in flight at once: quick, and far below a table's write capacity


def _placement(item: Item) -> tuple[tuple[str, str], str, Item] | None:
    """Where an item belongs in the listing, and the condition that it is still as read; None
    for items that are not listed (admins, the counter)."""
    pk = item["pk"]["S"]
    if pk.startswith(keys.CUSTOMER_PREFIX):
        place = keys.created_listing_of(item["uuid"]["S"], item["created_at"]["S"], int(item["customer_id"]["N"]))
        condition = "created_at = :created_at AND customer_id = :customer_id"
        return place, condition, {":created_at": item["created_at"], ":customer_id": item["customer_id"]}
    if pk.startswith(keys.EMAIL_PREFIX):
        condition = "customer_uuid = :customer_uuid"
        return (
            keys.email_listing(pk.removeprefix(keys.EMAIL_PREFIX)),
            condition,
            {":customer_uuid": item["customer_uuid"]},
        )
    return None


def _items(table: str) -> Iterator[Item]:
    fields = "pk, #uuid, created_at, customer_id, customer_uuid, list_pk, list_sk"
    pages = (
        dynamodb()
        .get_paginator("scan")
        .paginate(TableName=table, ProjectionExpression=fields, ExpressionAttributeNames={"#uuid": "uuid"})
    )
    for page in pages:
        yield from page["Items"]


def _list(table: str, item: Item) -> str:
    """Put one item in the listing: what happened to it."""
    placement = _placement(item)
    if placement is None:
        return "not listed"
    (list_pk, list_sk), condition, values = placement
    if (item.get("list_pk"), item.get("list_sk")) == (codecs.s(list_pk), codecs.s(list_sk)):
        return "already listed"
    client = dynamodb()
    try:
        client.update_item(
            TableName=table,
            Key=codecs.key(item["pk"]["S"]),
            UpdateExpression="SET list_pk = :list_pk, list_sk = :list_sk",
            ConditionExpression=condition,
            ExpressionAttributeValues={**values, ":list_pk": codecs.s(list_pk), ":list_sk": codecs.s(list_sk)},
        )
    except client.exceptions.ConditionalCheckFailedException:
        return "changed meanwhile"
    return "listed now"


def backfill(table: str) -> Counter[str]:
    """How many items each outcome had: "listed now", "already listed", "changed meanwhile",
    "not listed"."""
    with ThreadPoolExecutor(WRITERS) as writers:
        return Counter(writers.map(lambda item: _list(table, item), _items(table)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--table", help="the customers table (default: CUSTOMERS_TABLE)")
    arguments = parser.parse_args(argv)
    table = arguments.table or settings().customers_table
    outcomes = backfill(table)
    summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
    # "changed meanwhile": written by the service since the scan read it, which lists it itself.
    print(f"{table}: {summary or 'nothing to do'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
