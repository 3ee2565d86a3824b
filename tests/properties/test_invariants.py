"""The invariant checker itself: it passes a consistent store and names each kind of breakage
(states made by hand with boto3, since the service never makes them)."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

from customer_api.core.settings import settings
from customer_api.store import codecs, keys
from tests.support import BACKENDS, Api, CustomerAccount
from tests.support.invariants import read_tables, violations

# Every test on moto and on DynamoDB Local (AWS's own engine).
pytestmark = pytest.mark.parametrize("aws", BACKENDS, indirect=True)


@pytest.fixture
def dynamodb(aws: None) -> Any:
    return boto3.client("dynamodb")


def customer_item(dynamodb: Any, account: CustomerAccount) -> dict[str, Any]:
    key = {"pk": {"S": keys.customer(account.uuid)}}
    return dynamodb.get_item(TableName=settings().customers_table, Key=key)["Item"]  # type: ignore[no-any-return]


def put(dynamodb: Any, table: str, item: dict[str, Any]) -> None:
    dynamodb.put_item(TableName=table, Item=item)


def test_a_store_built_through_the_api_is_consistent(customer: CustomerAccount, log_in: Any, dynamodb: Any) -> None:
    log_in(customer)
    assert violations(read_tables(dynamodb)) == []


def test_a_claim_of_a_missing_customer_is_an_orphan(customer: CustomerAccount, dynamodb: Any) -> None:
    claim = {"pk": {"S": keys.email_claim("ghost@shop.example.com")}, "customer_uuid": {"S": "0" * 32}}
    put(
        dynamodb, settings().customers_table, {**claim, **codecs.listing(*keys.email_listing("ghost@shop.example.com"))}
    )
    assert violations(read_tables(dynamodb)) == ["claim 'ghost@shop.example.com' names a customer that does not exist"]


def test_a_customer_without_its_claim_is_found(customer: CustomerAccount, dynamodb: Any) -> None:
    key = {"pk": {"S": keys.email_claim(customer.email.lower())}}
    dynamodb.delete_item(TableName=settings().customers_table, Key=key)
    assert len(violations(read_tables(dynamodb))) == 1


def test_a_second_customer_on_one_email_is_found(new_customer: Any, dynamodb: Any) -> None:
    first, second = new_customer(), new_customer()
    twin = {**customer_item(dynamodb, second), "email": {"S": first.email.upper()}}
    put(dynamodb, settings().customers_table, twin)
    assert any("does not hold the claim" in broken for broken in violations(read_tables(dynamodb)))


def test_a_live_session_of_a_disabled_customer_is_found(customer: CustomerAccount, log_in: Any, dynamodb: Any) -> None:
    log_in(customer)
    put(dynamodb, settings().customers_table, {**customer_item(dynamodb, customer), "status": {"N": "0"}})
    assert [broken.split(" ", 1)[1] for broken in violations(read_tables(dynamodb))] == [
        "is still live for a disabled customer"
    ]


def test_a_session_left_by_a_deleted_customer_is_found(customer: CustomerAccount, log_in: Any, dynamodb: Any) -> None:
    log_in(customer)
    dynamodb.delete_item(TableName=settings().customers_table, Key={"pk": {"S": keys.customer(customer.uuid)}})
    found = violations(read_tables(dynamodb))
    assert any("left behind by a deleted customer" in broken for broken in found)


def test_an_expired_session_of_a_deleted_customer_is_harmless(
    customer: CustomerAccount, log_in: Any, dynamodb: Any
) -> None:
    log_in(customer)
    dynamodb.delete_item(TableName=settings().customers_table, Key={"pk": {"S": keys.customer(customer.uuid)}})
    later = time.time() + settings().customer_token_seconds + 1
    assert all("session" not in broken.lower() for broken in violations(read_tables(dynamodb), now=later))


def test_a_customer_or_claim_missing_from_the_listing_is_found(customer: CustomerAccount, dynamodb: Any) -> None:
    unlisted = {
        name: value for name, value in customer_item(dynamodb, customer).items() if not name.startswith("list_")
    }
    put(dynamodb, settings().customers_table, unlisted)
    claim_key = {"pk": {"S": keys.email_claim(customer.email.lower())}}
    claim = dynamodb.get_item(TableName=settings().customers_table, Key=claim_key)["Item"]
    put(dynamodb, settings().customers_table, {**claim, "list_sk": {"S": "elsewhere@shop.example.com"}})
    assert violations(read_tables(dynamodb)) == [
        f"customer {customer.uuid} is listed at (None, None)",
        f"claim {customer.email.lower()!r} is listed at ({keys.email_listing(customer.email.lower())[0]!r}, "
        "'elsewhere@shop.example.com')",
    ]


def test_a_customer_id_used_twice_is_found(new_customer: Any, dynamodb: Any) -> None:
    first, second = new_customer(), new_customer()
    same_id = {**customer_item(dynamodb, second), "customer_id": customer_item(dynamodb, first)["customer_id"]}
    put(dynamodb, settings().customers_table, same_id)
    assert f"customer_id {same_id['customer_id']['N']} is used 2 times" in violations(read_tables(dynamodb))


def test_a_counter_behind_the_largest_customer_id_is_found(api: Api, customer: CustomerAccount, dynamodb: Any) -> None:
    put(dynamodb, settings().customers_table, {"pk": {"S": keys.COUNTER}, "last_id": {"N": "0"}})
    assert violations(read_tables(dynamodb)) == [f"counter 0 is behind customer_id {customer.view['customer_id']}"]


def test_a_book_with_two_defaults_or_without_its_customer_is_found(customer: CustomerAccount, dynamodb: Any) -> None:
    address = {"M": {"uuid": {"S": "a" * 32}, "is_default": {"BOOL": True}}}
    mine = {"pk": {"S": keys.address_book(customer.uuid)}, "addresses": {"L": [address, address]}}
    orphan = {"pk": {"S": keys.address_book("0" * 32)}, "addresses": {"L": []}}
    put(dynamodb, settings().customers_table, mine)
    put(dynamodb, settings().customers_table, orphan)
    assert sorted(violations(read_tables(dynamodb))) == [
        f"address book {'0' * 32} has no customer",
        f"address book {customer.uuid} has 2 defaults",
    ]


def test_a_customer_in_a_missing_group_and_a_miscounted_group_are_found(
    customer: CustomerAccount, dynamodb: Any
) -> None:
    put(dynamodb, settings().customers_table, {**customer_item(dynamodb, customer), "group_id": {"N": "7"}})
    put(dynamodb, settings().customers_table, {"pk": {"S": keys.group(8)}, "members": {"N": "2"}})
    assert sorted(violations(read_tables(dynamodb))) == [
        "1 customers are in group 7, which does not exist",
        "group 8 counts 2 customers, has 0",
    ]
