"""New customers are written several to a transaction (a pack): within TransactWriteItems' bounds,
each group counted once per pack with all its members joining, and a pack refused by one of its
customers writes each of them on its own, so every customer ends as it would have alone."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest

from customer_api.core.records import AddressBook
from customer_api.core.settings import settings
from customer_api.store import codecs, keys
from tests.importer.evershop_data import EVERSHOP, changed_copy, import_from, passwords, rows
from tests.importer.test_evershop_import import TWIN, log_in
from tests.support import BACKENDS, Api
from tests.support.invariants import assert_invariants, violations
from tools.evershop_import import target
from tools.evershop_import.mapping import plan
from tools.evershop_import.sources import AddressRow, CustomerRow, open_source
from tools.evershop_import.target import EMAIL_TAKEN, IMPORTED_NOW, ORPHAN_BOOK, Target

TAKEN, ORPHANED, NO_GROUP, MEANWHILE = 93, 90, 85, 108  # 93 and 108 in group 2, 90 and 108 with addresses
WHOLESALE = 2  # the data set's second group
STAMP = "2026-11-30 02:00:57.389683+00"
HASH = "$2a$10$" + "a" * 53


class Transactions:
    """Every TransactWriteItems the importer sends: its items and what came of it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sent: list[tuple[list[dict[str, Any]], list[str] | None]] = []
        transact = target.transact

        def recorded(client: Any, items: list[dict[str, Any]]) -> list[str] | None:
            codes = transact(client, items)
            self.sent.append((items, codes))
            return codes

        monkeypatch.setattr(target, "transact", recorded)

    def refused_packs(self) -> list[list[str]]:
        return [codes for items, codes in self.sent if codes is not None and customers_in(items) > 1]


def customers_in(items: list[dict[str, Any]]) -> int:
    return sum(item.get("Put", {}).get("Item", {}).get("pk", {}).get("S", "").startswith("CUSTOMER#") for item in items)


def row_of(customer_id: int) -> dict[str, str]:
    return next(row for row in rows("customer") if row["customer_id"] == str(customer_id))


def take_email(api: Api, admin_token: str, customer_id: int) -> None:
    """A customer made here through the API with the email (in other letters' case) of an EverShop one."""
    email = row_of(customer_id)["email"].upper()
    created = api.post(
        "/api/customers", {"email": email, "password": "secret-123", "full_name": "Here"}, token=admin_token
    )
    assert created.status == 200, created.body


def outcomes(report: dict[str, Any]) -> dict[int, str]:
    return {entry["customer_id"]: entry["reason"] for entry in report["skipped"]}


@pytest.mark.parametrize("aws", BACKENDS, indirect=True)
def test_a_pack_holding_a_taken_email_imports_the_rest_and_skips_that_one_as_alone(
    api: Api, admin_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    take_email(api, admin_token, TAKEN)
    sent = Transactions(monkeypatch)

    report = import_from(EVERSHOP).as_json()

    assert report["customers"] == {"imported": 38, "updated": 0, "unchanged": 0, "skipped": 2}
    assert outcomes(report)[TAKEN] == EMAIL_TAKEN
    assert TWIN in outcomes(report)
    assert len(sent.refused_packs()) == 1  # the pack, then each of its customers on its own
    assert "ConditionalCheckFailed" in sent.refused_packs()[0]
    other = next(row for row in rows("customer") if int(row["customer_id"]) not in (TAKEN, TWIN))
    assert log_in(api, other["email"], passwords()[other["email"]]) == 200
    assert_invariants()  # group 2 counts 7: the customer skipped is not counted


@pytest.mark.parametrize("aws", BACKENDS, indirect=True)
@pytest.mark.parametrize("pack_items", [target.PACK_ITEMS, 1], ids=["packed", "one-per-transaction"])
def test_every_refusal_in_a_pack_gets_the_outcome_it_gets_alone(
    api: Api, admin_token: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pack_items: int
) -> None:
    monkeypatch.setattr(target, "PACK_ITEMS", pack_items)  # 1: every customer alone, as before packs
    take_email(api, admin_token, TAKEN)
    orphan = codecs.address_book_item(row_of(ORPHANED)["uuid"].replace("-", ""), AddressBook(version=1))
    boto3.client("dynamodb").put_item(TableName=settings().customers_table, Item=orphan)
    folder = changed_copy(tmp_path, {"group_id": "7"}, str(NO_GROUP))
    import_meanwhile(monkeypatch, folder, MEANWHILE)
    sent = Transactions(monkeypatch)

    report = import_from(folder).as_json()

    assert report["customers"] == {"imported": 35, "updated": 0, "unchanged": 1, "skipped": 4}
    reasons = outcomes(report)
    assert reasons[TAKEN] == EMAIL_TAKEN
    assert reasons[ORPHANED] == ORPHAN_BOOK
    assert reasons[NO_GROUP] == "its group 7 does not exist here"
    assert TWIN in reasons
    assert len(sent.refused_packs()) == (1 if pack_items > 1 else 0)
    assert violations() == [f"address book {orphan['pk']['S'].removeprefix(keys.ADDRESSES_PREFIX)} has no customer"]


def import_meanwhile(monkeypatch: pytest.MonkeyPatch, folder: Path, customer_id: int) -> None:
    """Another run imports one customer between the chunk's read and its writes."""
    read = Target._batch_read
    done: list[int] = []

    def read_then_another_run_imports(self: Target, request: dict[str, Any]) -> list[Any]:
        found = read(self, request)
        if not done:
            done.append(customer_id)
            source = open_source(str(folder))
            row = next(row for row in source.customers() if row.customer_id == customer_id)
            source.close()
            assert Target(self.table, dry_run=False).import_customers([plan(row)])[0].result == IMPORTED_NOW
        return found

    monkeypatch.setattr(Target, "_batch_read", read_then_another_run_imports)


def test_a_pack_counts_each_group_once_for_all_its_members(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    sent = Transactions(monkeypatch)

    import_from(EVERSHOP)

    members = sum(row["group_id"] == str(WHOLESALE) for row in rows("customer"))
    counted = [
        item["Update"]["ExpressionAttributeValues"][":step"]["N"]
        for items, _ in sent.sent
        for item in items
        if item.get("Update", {}).get("Key") == {"pk": {"S": keys.group(WHOLESALE)}}
    ]
    assert len(sent.sent) == 1  # the data set's 39 customers (97 items) fit one pack
    assert counted == [str(members)]
    group = boto3.client("dynamodb").get_item(
        TableName=settings().customers_table, Key={"pk": {"S": keys.group(WHOLESALE)}}
    )
    assert group["Item"]["members"]["N"] == str(members)
    assert_invariants()

    import_from(EVERSHOP)

    assert len(sent.sent) == 1  # a second run that changes nothing writes nothing


def customer_row(customer_id: int, email: str, group_id: int, addresses: int = 2, text: str = "1 Main St") -> Any:
    book = tuple(
        AddressRow(
            address_id=customer_id * 100 + n,
            customer_id=customer_id,
            uuid=_uuid(customer_id, n + 1),
            full_name="Name",
            telephone="+1555",
            address_1=text,
            address_2=None,
            postcode="90000",
            city="Springfield",
            province=None,
            country="US",
            is_default=n == 0,
            created_at=STAMP,
            updated_at=STAMP,
        )
        for n in range(addresses)
    )
    return CustomerRow(customer_id, _uuid(customer_id, 0), 1, group_id, email, HASH, "Name", STAMP, STAMP, book)


def _uuid(customer_id: int, n: int) -> str:
    return f"{customer_id:08x}-0000-4000-8000-{n:012x}"


def packs_of(rows_: list[Any]) -> list[Any]:
    plans = [plan(row) for row in rows_]
    return list(Target("customers", dry_run=True)._packs(plans, list(range(len(plans)))))


def assert_within_bounds(packs: list[Any], count: int) -> None:
    assert sorted(index for pack in packs for index in pack.indexes) == list(range(count))
    for pack in packs:
        items = pack.transaction()
        item_keys = [
            json.dumps(item.get("Put", {}).get("Item", {}).get("pk") or item["Update"]["Key"]) for item in items
        ]
        assert len(items) <= target.PACK_ITEMS
        assert len(item_keys) == len(set(item_keys))  # an item at most once in a transaction
        assert len(json.dumps(pack.items)) <= target.PACK_BYTES


def test_packs_stay_within_a_transaction_s_bounds_and_count_every_member() -> None:
    customers = [customer_row(n, f"c{n}@example.com", group_id=(1, 2, 3)[n % 3]) for n in range(1, 301)]

    packs = packs_of(customers)

    assert_within_bounds(packs, len(customers))
    counted: Counter[int] = Counter()
    for pack in packs:
        counted.update(pack.joined)
    assert counted == {2: 100, 3: 100}
    assert len(packs) == 10  # 3 items a customer, 2 counts: 32 customers a pack


def test_long_address_books_make_smaller_packs() -> None:
    customers = [customer_row(n, f"c{n}@example.com", 1, addresses=20, text="x" * 5000) for n in range(1, 31)]

    packs = packs_of(customers)

    assert_within_bounds(packs, len(customers))
    assert len(packs) == 2  # 30 customers, 90 items: under 100, but 3 MB of addresses


def test_two_emails_with_one_claim_never_share_a_pack() -> None:
    customers = [customer_row(1, "Twin@example.com", 1), customer_row(2, "twin@EXAMPLE.com", 1)]

    packs = packs_of(customers)

    assert [pack.indexes for pack in packs] == [[0], [1]]
