"""An EverShop row as this API's records: what is kept, what stands in for what EverShop allowed
and the API does not, and the notes the report lists about it."""

from __future__ import annotations

import dataclasses
import hashlib
import re

from customer_api.core.records import DEFAULT_GROUP_ID, Address, AddressBook, Customer, CustomerGroup
from tools.evershop_import.sources import AddressRow, CustomerRow, GroupRow

MAX_ADDRESSES = 20  # the API's cap on an address book
MAX_NAME = 255
# $2a$ (EverShop's bcryptjs), $2b$, $2y$: one algorithm, and bcrypt checks all three as they are.
BCRYPT_HASH = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")
# The fields whose source value the importer remembers (as digests) on each customer it writes.
CUSTOMER_FIELDS = (
    "customer_id",
    "status",
    "group_id",
    "email",
    "full_name",
    "password_hash",
    "created_at",
    "updated_at",
)
ADDRESSES = "addresses"


class Unimportable(ValueError):
    """A row the API cannot hold as it is: skipped, with this reason in the report."""


@dataclasses.dataclass(frozen=True, slots=True)
class Planned:
    """A customer as it is to be stored, with the digest of each source field it came from."""

    customer: Customer
    book: AddressBook
    digests: dict[str, str]
    notes: tuple[str, ...] = ()
    stand_in_name: bool = False


def hex_uuid(value: str) -> str:
    """EverShop's dashed uuid as the API's 32 lowercase hex characters."""
    text = value.replace("-", "").lower()
    if not re.fullmatch(r"[0-9a-f]{32}", text):
        raise Unimportable(f"uuid {value!r} is not a uuid")
    return text


def digest(value: object) -> str:
    """A short fingerprint of a source value: enough to tell that it changed, nothing to read
    it back from (the password hash included)."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def group_of(row: GroupRow) -> CustomerGroup:
    return CustomerGroup(row.group_id, hex_uuid(row.uuid), row.group_name.strip(), row.created_at, row.updated_at)


def _name(row: CustomerRow) -> tuple[str, bool]:
    """The full name, or (NULL or blank in EverShop) the email's local part standing in for it."""
    name = (row.full_name or "").strip()
    if name:
        return name[:MAX_NAME], False
    return row.email.strip().split("@", 1)[0][:MAX_NAME] or row.email.strip(), True


def customer_of(row: CustomerRow) -> tuple[Customer, bool]:
    """The customer record (version 1, no sessions yet) and whether its name is a stand-in."""
    if not BCRYPT_HASH.fullmatch(row.password_hash):
        raise Unimportable("its password hash is not a bcrypt hash")
    if row.status not in (0, 1):
        raise Unimportable(f"its status {row.status} is neither 0 nor 1")
    full_name, stand_in = _name(row)
    customer = Customer(
        customer_id=row.customer_id,
        uuid=hex_uuid(row.uuid),
        status=row.status,
        group_id=row.group_id if row.group_id is not None else DEFAULT_GROUP_ID,  # EverShop: NULL is Default
        email=row.email.strip(),
        full_name=full_name,
        password_hash=row.password_hash,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
    return customer, stand_in


def _address(row: AddressRow, is_default: bool) -> Address:
    return Address(
        uuid=hex_uuid(row.uuid),
        full_name=(row.full_name or "").strip(),
        telephone=(row.telephone or "").strip(),
        address_1=(row.address_1 or "").strip(),
        address_2=(row.address_2 or "").strip() or None,
        city=(row.city or "").strip(),
        province=(row.province or "").strip().upper() or None,
        country=row.country.strip().upper(),
        postcode=(row.postcode or "").strip(),
        is_default=is_default,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _default_of(rows: tuple[AddressRow, ...]) -> tuple[AddressRow, list[str]]:
    """EverShop's first default by id; none marked: the first address (and a note when not one)."""
    defaults = [row for row in rows if row.is_default]
    chosen = defaults[0] if defaults else rows[0]
    if len(defaults) == 1:
        return chosen, []
    return chosen, [f"{len(defaults)} default addresses in EverShop: address {chosen.uuid} made the default"]


def book_of(rows: tuple[AddressRow, ...]) -> tuple[AddressBook, list[str]]:
    """The address book: exactly one default when there are addresses, at most 20 (the default
    and the oldest others)."""
    if not rows:
        return AddressBook(), []
    chosen, notes = _default_of(rows)
    kept = [chosen, *(row for row in rows if row is not chosen)][:MAX_ADDRESSES]
    dropped = [row.uuid for row in rows if row not in kept]
    if dropped:
        notes.append(f"more than {MAX_ADDRESSES} addresses: not imported {', '.join(dropped)}")
    addresses = tuple(_address(row, row is chosen) for row in rows if row in kept)
    return AddressBook(addresses=addresses, version=1), notes


def plan(row: CustomerRow) -> Planned:
    customer, stand_in = customer_of(row)
    book, notes = book_of(row.addresses)
    digests = {name: digest(getattr(customer, name)) for name in CUSTOMER_FIELDS}
    digests[ADDRESSES] = digest(book.addresses)
    return Planned(customer, book, digests, tuple(notes), stand_in)
