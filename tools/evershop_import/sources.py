"""EverShop's rows, from its PostgreSQL database (streamed through server-side cursors) or from a
folder of its CSV export (`customer_group.csv`, `customer.csv`, `customer_address.csv`, as
`COPY (SELECT * FROM <table>) TO STDOUT WITH CSV HEADER` writes them), in one shape."""

from __future__ import annotations

import csv
import dataclasses
import itertools
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

EPOCH = "1970-01-01 00:00:00"  # a row without a timestamp (EverShop's columns allow NULL)
FETCH_ROWS = 2000  # rows a server-side cursor brings per round trip


@dataclasses.dataclass(frozen=True, slots=True)
class GroupRow:
    group_id: int
    uuid: str
    group_name: str
    created_at: str
    updated_at: str


@dataclasses.dataclass(frozen=True, slots=True)
class AddressRow:
    address_id: int
    customer_id: int
    uuid: str
    full_name: str | None
    telephone: str | None
    address_1: str | None
    address_2: str | None
    postcode: str | None
    city: str | None
    province: str | None
    country: str
    is_default: bool
    created_at: str
    updated_at: str


@dataclasses.dataclass(frozen=True, slots=True)
class CustomerRow:
    customer_id: int
    uuid: str
    status: int
    group_id: int | None
    email: str
    password_hash: str = dataclasses.field(repr=False)
    full_name: str | None
    created_at: str
    updated_at: str
    addresses: tuple[AddressRow, ...] = ()


class SourceUnavailable(Exception):
    """The source cannot be read (a missing file, a database that refuses the connection)."""


class Source(Protocol):
    """What the importer reads: groups first, then every customer (with its addresses)."""

    description: str

    def groups(self) -> list[GroupRow]: ...
    def emails(self) -> Iterator[tuple[int, str]]: ...
    def customers(self) -> Iterator[CustomerRow]: ...
    def count(self) -> int: ...
    def close(self) -> None: ...


def utc_text(value: str | None) -> str:
    """EverShop's `2026-11-30 02:00:57.389683+00` as the contract's UTC `YYYY-MM-DD HH:MM:SS`."""
    if not value:
        return EPOCH
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:  # a `timestamp without time zone` column: taken as UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _number(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def _flag(value: Any) -> bool:
    return value in (True, "t", "true", "True", "1", 1)


def group_from(row: dict[str, Any]) -> GroupRow:
    return GroupRow(
        group_id=int(row["customer_group_id"]),
        uuid=str(row["uuid"]),
        group_name=str(row["group_name"]),
        created_at=utc_text(_text(row["created_at"])),
        updated_at=utc_text(_text(row["updated_at"])),
    )


def address_from(row: dict[str, Any]) -> AddressRow:
    optional = ("full_name", "telephone", "address_1", "address_2", "postcode", "city", "province")
    return AddressRow(
        address_id=int(row["customer_address_id"]),
        customer_id=int(row["customer_id"]),
        uuid=str(row["uuid"]),
        country=str(row["country"]),
        is_default=_flag(row["is_default"]),
        created_at=utc_text(_text(row["created_at"])),
        updated_at=utc_text(_text(row["updated_at"])),
        **{name: _text(row[name]) for name in optional},
    )


def customer_from(row: dict[str, Any], addresses: tuple[AddressRow, ...]) -> CustomerRow:
    return CustomerRow(
        customer_id=int(row["customer_id"]),
        uuid=str(row["uuid"]),
        status=int(row["status"]),
        group_id=_number(row["group_id"]),
        email=str(row["email"]),
        password_hash=str(row["password"]),
        full_name=_text(row["full_name"]),
        created_at=utc_text(_text(row["created_at"])),
        updated_at=utc_text(_text(row["updated_at"])),
        addresses=addresses,
    )


class CsvFolder:
    """The CSV export. `\\N`-free: COPY's CSV writes NULL as an empty unquoted field, which the
    csv module reads as ""; for the nullable text columns that reads back as None."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.description = f"CSV folder {folder.name}"
        for name in ("customer_group.csv", "customer.csv", "customer_address.csv"):
            if not (folder / name).is_file():
                raise SourceUnavailable(f"{folder / name} is missing")

    def _rows(self, name: str) -> Iterator[dict[str, Any]]:
        with (self.folder / name).open(newline="", encoding="utf-8") as file:
            for row in csv.DictReader(file):
                yield {column: (value if value != "" else None) for column, value in row.items()}

    def groups(self) -> list[GroupRow]:
        return [group_from(row) for row in self._rows("customer_group.csv")]

    def emails(self) -> Iterator[tuple[int, str]]:
        for row in self._rows("customer.csv"):
            yield int(row["customer_id"]), str(row["email"])

    def customers(self) -> Iterator[CustomerRow]:
        # A CSV file has no order to rely on: the addresses are grouped in memory first.
        books: dict[int, list[AddressRow]] = defaultdict(list)
        for row in self._rows("customer_address.csv"):
            address = address_from(row)
            books[address.customer_id].append(address)
        for row in self._rows("customer.csv"):
            book = sorted(books.get(int(row["customer_id"]), []), key=lambda address: address.address_id)
            yield customer_from(row, tuple(book))

    def count(self) -> int:
        return sum(1 for _ in self._rows("customer.csv"))

    def close(self) -> None:
        """Nothing held open between reads."""


_CUSTOMERS = (
    "SELECT customer_id, uuid::text AS uuid, status, group_id, email, password, full_name,"
    " created_at::text AS created_at, updated_at::text AS updated_at FROM customer ORDER BY customer_id"
)
_ADDRESSES = (
    "SELECT customer_address_id, uuid::text AS uuid, customer_id, full_name, telephone, address_1, address_2,"
    " postcode, city, province, country, is_default, created_at::text AS created_at,"
    " updated_at::text AS updated_at FROM customer_address ORDER BY customer_id, customer_address_id"
)
_GROUPS = (
    "SELECT customer_group_id, uuid::text AS uuid, group_name, created_at::text AS created_at,"
    " updated_at::text AS updated_at FROM customer_group ORDER BY customer_group_id"
)


class Postgres:
    """EverShop's database. Customers and their addresses come from two server-side cursors in
    the same order (by customer_id), merged as they stream: memory stays flat however many rows.
    Timestamps are read as text in UTC (the session's time zone), as the CSV export writes them."""

    def __init__(self, url: str) -> None:
        import psycopg  # noqa: PLC0415 - only this source needs it
        from psycopg.rows import dict_row  # noqa: PLC0415

        self.description = "PostgreSQL " + _without_password(url)
        try:
            self._connection = psycopg.connect(url, row_factory=dict_row, options="-c TimeZone=UTC")
        except psycopg.OperationalError as error:
            raise SourceUnavailable(str(error).strip()) from error
        self._connection.read_only = True

    def _stream(self, name: str, query: str) -> Iterator[dict[str, Any]]:
        with self._connection.cursor(name=name) as cursor:
            cursor.itersize = FETCH_ROWS
            cursor.execute(query)
            yield from cursor

    def groups(self) -> list[GroupRow]:
        return [group_from(row) for row in self._stream("groups", _GROUPS)]

    def emails(self) -> Iterator[tuple[int, str]]:
        for row in self._stream("emails", "SELECT customer_id, email FROM customer"):
            yield int(row["customer_id"]), str(row["email"])

    def customers(self) -> Iterator[CustomerRow]:
        addresses = (address_from(row) for row in self._stream("addresses", _ADDRESSES))
        by_customer = itertools.groupby(addresses, key=lambda address: address.customer_id)
        pending = next(by_customer, None)
        for row in self._stream("customers", _CUSTOMERS):
            customer_id = int(row["customer_id"])
            while pending is not None and pending[0] < customer_id:  # addresses of no customer
                pending = next(by_customer, None)
            book: tuple[AddressRow, ...] = ()
            if pending is not None and pending[0] == customer_id:
                book = tuple(pending[1])
                pending = next(by_customer, None)
            yield customer_from(row, book)

    def count(self) -> int:
        with self._connection.cursor() as cursor:
            found = cursor.execute("SELECT count(*) AS n FROM customer").fetchone()
        return int(found["n"]) if found else 0

    def close(self) -> None:
        self._connection.close()


def _without_password(url: str) -> str:
    """The URL for reports and messages: a password in it is replaced by ***."""
    scheme, _, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return url
    return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"


def open_source(given: str) -> Source:
    if given.startswith(("postgresql://", "postgres://")):
        return Postgres(given)
    return CsvFolder(Path(given))
