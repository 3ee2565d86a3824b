"""How EverShop rows become this API's records where the two disagree: address books held to
one default and 20 addresses, names standing in for NULL, timestamps in UTC."""

from __future__ import annotations

import dataclasses

import pytest

from tools.evershop_import.mapping import Unimportable, book_of, plan
from tools.evershop_import.sources import AddressRow, CustomerRow, utc_text


def address(number: int, *, is_default: bool = False) -> AddressRow:
    return AddressRow(
        address_id=number,
        customer_id=1,
        uuid=f"00000000-0000-4000-8000-{number:012d}",
        full_name="Jane Doe",
        telephone="+155500000",
        address_1=f"{number} Main Street",
        address_2="",
        postcode="90000",
        city="Springfield",
        province="us-ca",
        country="us",
        is_default=is_default,
        created_at="2026-11-30 02:00:00",
        updated_at="2026-11-30 02:00:00",
    )


CUSTOMER = CustomerRow(
    customer_id=7,
    uuid="0A18E23D-50C8-4784-A676-511C80F083F8",
    status=1,
    group_id=None,
    email=" Jane.Doe@Example.com ",
    password_hash="$2y$10$" + "a" * 53,
    full_name=None,
    created_at="2026-11-30 02:00:57",
    updated_at="2026-11-30 02:00:57",
)


def defaults(rows: tuple[AddressRow, ...]) -> list[int]:
    book, _ = book_of(rows)
    return [int(found.uuid[-12:]) for found in book.addresses if found.is_default]


def test_a_book_without_a_default_gets_its_first_address_as_default_and_a_note() -> None:
    assert defaults((address(2), address(3))) == [2]
    assert book_of((address(2), address(3)))[1] == [
        "0 default addresses in EverShop: address 00000000-0000-4000-8000-000000000002 made the default"
    ]


def test_a_book_with_several_defaults_keeps_the_first_one() -> None:
    assert defaults((address(2), address(3, is_default=True), address(4, is_default=True))) == [3]


def test_a_book_keeps_twenty_addresses_the_default_among_them() -> None:
    rows = tuple(address(number, is_default=number == 25) for number in range(1, 26))

    book, notes = book_of(rows)

    assert len(book.addresses) == 20
    assert defaults(rows) == [25]
    assert "not imported" in notes[0]


def test_an_address_is_held_as_the_api_holds_it() -> None:
    [kept] = book_of((address(1, is_default=True),))[0].addresses

    assert (kept.address_2, kept.province, kept.country) == (None, "US-CA", "US")
    assert kept.uuid == "00000000000040008000000000000001"


def test_a_customer_keeps_its_hash_and_gets_a_stand_in_name_for_null() -> None:
    planned = plan(CUSTOMER)

    assert planned.customer.password_hash.startswith("$2y$10$")  # bcrypt checks $2y$ as it is
    assert (planned.customer.uuid, planned.customer.email) == (
        "0a18e23d50c84784a676511c80f083f8",
        "Jane.Doe@Example.com",
    )
    assert (planned.customer.full_name, planned.stand_in_name, planned.customer.group_id) == ("Jane.Doe", True, 1)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"password_hash": "plain-text"}, "not a bcrypt hash"),
        ({"status": 3}, "neither 0 nor 1"),
        ({"uuid": "x"}, "not a uuid"),
    ],
)
def test_a_row_the_api_cannot_hold_is_refused_with_a_reason(change: dict[str, object], reason: str) -> None:
    with pytest.raises(Unimportable, match=reason):
        plan(dataclasses.replace(CUSTOMER, **change))  # type: ignore[arg-type]


def test_evershop_timestamps_become_utc_seconds() -> None:
    assert utc_text("2026-11-30 02:00:57.389683+00") == "2026-11-30 02:00:57"
    assert utc_text("2026-11-30 03:00:57+01:00") == "2026-11-30 02:00:57"
    assert utc_text(None) == "1970-01-01 00:00:00"
