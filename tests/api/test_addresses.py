"""Address books (EverShop 2.x): the customer's routes under /api/customers/me/addresses and an
admin's under /api/customers/{id}/addresses. Every row of the contract, and the holes EverShop's
users reported (another customer's addresses, mass assignment) closed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support import Api, CustomerAccount
from tests.support.addresses import ADDRESS

ADDRESS_FIELDS = [
    "uuid",
    "full_name",
    "telephone",
    "address_1",
    "address_2",
    "city",
    "province",
    "country",
    "postcode",
    "is_default",
    "created_at",
    "updated_at",
]


def address(**overrides: Any) -> dict[str, Any]:
    return {**ADDRESS, "province": "US-CA", **overrides}


@pytest.fixture
def own(customer: CustomerAccount, log_in: Any) -> str:
    """The customer's token."""
    return str(log_in(customer)["token"])


def add(api: Api, token: str, base: str = "/api/customers/me/addresses", **overrides: Any) -> dict[str, Any]:
    reply = api.post(base, address(**overrides), token=token)
    assert reply.status == 200, reply.body
    return reply.data


def listed(api: Api, token: str, base: str = "/api/customers/me/addresses") -> list[dict[str, Any]]:
    reply = api.get(base, token=token)
    assert reply.status == 200, reply.body
    return reply.data["items"]  # type: ignore[no-any-return]


def test_the_first_address_is_the_default_and_answers_every_field(api: Api, own: str) -> None:
    first = add(api, own, address_2="  Apt 4 ", country="us", province="us-ca")
    assert list(first) == ADDRESS_FIELDS
    assert first["is_default"] is True
    assert (first["address_2"], first["country"], first["province"]) == ("Apt 4", "US", "US-CA")
    second = add(api, own, address_1="12 Oak Avenue")
    assert second["is_default"] is False
    assert [a["uuid"] for a in listed(api, own)] == [first["uuid"], second["uuid"]]


def test_making_another_the_default_unsets_the_old_one(api: Api, own: str) -> None:
    first, second = add(api, own), add(api, own)
    third = add(api, own, is_default=True)
    assert [(a["uuid"], a["is_default"]) for a in listed(api, own)] == [
        (third["uuid"], True),
        (first["uuid"], False),
        (second["uuid"], False),
    ]
    switched = api.patch(f"/api/customers/me/addresses/{second['uuid']}", {"is_default": True}, token=own)
    assert switched.data["is_default"] is True
    assert [a["uuid"] for a in listed(api, own) if a["is_default"]] == [second["uuid"]]


def test_the_default_stays_until_another_is_made_the_default(api: Api, own: str) -> None:
    first = add(api, own)
    reply = api.patch(f"/api/customers/me/addresses/{first['uuid']}", {"is_default": False}, token=own)
    assert reply.status == 400
    assert reply.error["message"] == "The default address stays the default until another is made the default"


def test_deleting_the_default_makes_the_oldest_left_the_default(api: Api, own: str) -> None:
    first, second, third = add(api, own), add(api, own), add(api, own)
    deleted = api.delete(f"/api/customers/me/addresses/{first['uuid']}", token=own)
    assert deleted.status == 200
    assert deleted.data["uuid"] == first["uuid"]
    assert [(a["uuid"], a["is_default"]) for a in listed(api, own)] == [(second["uuid"], True), (third["uuid"], False)]


def test_a_change_answers_the_address_and_keeps_what_was_not_given(api: Api, own: str) -> None:
    first = add(api, own, address_2="Apt 4")
    reply = api.patch(f"/api/customers/me/addresses/{first['uuid']}", {"city": " Shelbyville "}, token=own)
    assert reply.status == 200
    assert reply.data == {**first, "city": "Shelbyville", "updated_at": reply.data["updated_at"]}
    cleared = api.patch(f"/api/customers/me/addresses/{first['uuid']}", {"address_2": None}, token=own)
    assert cleared.data["address_2"] is None


def test_the_21st_address_is_refused(api: Api, own: str) -> None:
    for _ in range(20):
        add(api, own)
    reply = api.post("/api/customers/me/addresses", address(), token=own)
    assert reply.status == 400
    assert reply.error["message"] == "A customer has at most 20 addresses: delete one first"
    assert len(listed(api, own)) == 20


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"country": "ZZ"}, "Country must be an ISO 3166-1 code of two letters (e.g. US)"),
        ({"country": None}, "Country must be a string"),
        ({"province": "CA-ON"}, "Province must be an ISO 3166-2 code of US (e.g. US-CA)"),
        ({"province": "US-XX"}, "Province must be an ISO 3166-2 code of US (e.g. US-CA)"),
        ({"telephone": "call me"}, "Telephone must be a phone number: digits, spaces and + ( ) . -"),
        ({"telephone": "+1"}, "Telephone must be a phone number: digits, spaces and + ( ) . -"),
        ({"postcode": "9000!"}, "Postcode must be 1 to 20 letters, digits, spaces or hyphens"),
        ({"address_1": "  "}, "Address 1 is required and cannot be empty"),
        ({"city": "x" * 256}, "City must be at most 255 characters"),
        ({"full_name": ""}, "Full name is required and cannot be empty"),
        ({"is_default": "yes"}, "is_default must be true or false"),
        ({"address_2": 5}, "address_2 must be a string"),
    ],
)
def test_bad_fields_are_a_400_that_says_why(api: Api, own: str, overrides: dict[str, Any], message: str) -> None:
    reply = api.post("/api/customers/me/addresses", address(**overrides), token=own)
    assert reply.status == 400, reply.body
    assert reply.error == {"status": 400, "message": message}
    assert listed(api, own) == []


@pytest.mark.parametrize("field", ["full_name", "telephone", "address_1", "city", "country", "postcode"])
def test_each_required_field_is_named_when_missing(api: Api, own: str, field: str) -> None:
    body = {name: value for name, value in address().items() if name != field}
    reply = api.post("/api/customers/me/addresses", body, token=own)
    assert reply.status == 400
    assert "is required" in reply.error["message"]


def test_a_province_is_checked_against_the_country_an_update_leaves(api: Api, own: str) -> None:
    first = add(api, own)
    path = f"/api/customers/me/addresses/{first['uuid']}"
    assert api.patch(path, {"country": "CA"}, token=own).status == 400  # US-CA is not in Canada
    moved = api.patch(path, {"country": "CA", "province": "CA-ON"}, token=own)
    assert (moved.data["country"], moved.data["province"]) == ("CA", "CA-ON")
    assert api.patch(path, {"country": "FR", "province": None}, token=own).data["province"] is None


def test_fields_that_are_not_an_addresss_are_never_stored(api: Api, own: str, customer: CustomerAccount) -> None:
    """EverShop stored any column a body named (its issue 941): customer_id, uuid, timestamps."""
    sneaky = {"customer_id": 999, "uuid": uuid.uuid4().hex, "created_at": "2000-01-01 00:00:00", "extra": {"a": 1}}
    added = add(api, own, **sneaky)
    assert added["uuid"] != sneaky["uuid"]
    assert added["created_at"] != sneaky["created_at"]
    assert set(added) == set(ADDRESS_FIELDS)


# --- whose addresses


def test_another_customers_address_is_404_on_every_method(
    api: Api, own: str, new_customer: Any, log_in: Any, admin_token: str, *, customer: CustomerAccount
) -> None:
    other = new_customer()
    theirs = add(api, log_in(other)["token"])
    for method, body in (("PATCH", {"city": "Hijacked"}), ("DELETE", None)):
        mine = api.call(method, f"/api/customers/me/addresses/{theirs['uuid']}", body, token=own)
        assert mine.status == 404
        assert mine.error["message"] == "Invalid address id"
        # An admin, through another customer's route, cannot reach it either.
        wrong = api.call(method, f"/api/customers/{customer.uuid}/addresses/{theirs['uuid']}", body, token=admin_token)
        assert wrong.status == 404
    assert listed(api, own) == []
    assert listed(api, admin_token, f"/api/customers/{other.uuid}/addresses") == [theirs]


@pytest.mark.parametrize(
    "address_id", ["nope", "6f1c2a9e4b7d4e0a9c3b5d8e7f6a1b2c", "6f1c2a9e-4b7d-4e0a-9c3b-5d8e7f6a1b2c"]
)
def test_an_unknown_address_is_404(api: Api, own: str, address_id: str) -> None:
    add(api, own)
    assert api.delete(f"/api/customers/me/addresses/{address_id}", token=own).status == 404


def test_a_dashed_address_id_names_the_same_address(api: Api, own: str) -> None:
    first = add(api, own)
    reply = api.patch(f"/api/customers/me/addresses/{uuid.UUID(first['uuid'])}", {"city": "Dashed"}, token=own)
    assert reply.status == 200
    assert reply.data["uuid"] == first["uuid"]


def test_the_routes_need_the_right_token(api: Api, own: str, admin_token: str, customer: CustomerAccount) -> None:
    assert api.get("/api/customers/me/addresses").status == 401
    assert api.get("/api/customers/me/addresses", token=admin_token).status == 401
    assert api.get(f"/api/customers/{customer.uuid}/addresses", token=own).status == 401
    assert api.post(f"/api/customers/{customer.uuid}/addresses", address(), token=own).status == 401


# --- an admin's view


def test_an_admin_keeps_a_customers_book_as_the_customer_does(
    api: Api, own: str, admin_token: str, customer: CustomerAccount
) -> None:
    base = f"/api/customers/{customer.uuid}/addresses"
    by_admin = add(api, admin_token, base)
    assert by_admin["is_default"] is True
    by_customer = add(api, own, is_default=True)
    assert [a["uuid"] for a in listed(api, admin_token, base)] == [by_customer["uuid"], by_admin["uuid"]]
    assert api.patch(f"{base}/{by_admin['uuid']}", {"telephone": "555 0199"}, token=admin_token).status == 200
    assert api.delete(f"{base}/{by_customer['uuid']}", token=admin_token).status == 200
    assert [a["is_default"] for a in listed(api, own)] == [True]


def test_an_unknown_customer_has_no_book(api: Api, admin_token: str) -> None:
    base = f"/api/customers/{uuid.uuid4().hex}/addresses"
    assert api.get(base, token=admin_token).status == 404
    reply = api.post(base, address(), token=admin_token)
    assert reply.status == 404
    assert reply.error["message"] == "Invalid customer id"


def test_deleting_a_customer_deletes_its_addresses(
    api: Api, own: str, admin_token: str, customer: CustomerAccount
) -> None:
    add(api, own)
    assert api.delete(f"/api/customers/{customer.uuid}", token=admin_token).status == 200
    assert api.get(f"/api/customers/{customer.uuid}/addresses", token=admin_token).status == 404
    assert api.post(f"/api/customers/{customer.uuid}/addresses", address(), token=admin_token).status == 404
