"""A customer's address book, for the customer (`/me`) and for an admin alike: list, add, change,
delete. At most one default, and a book with addresses always has one (the first address is the
default; deleting the default makes the oldest left the default); at most MAX_ADDRESSES.

Each change reads the book and writes it back conditioned on what was read, so that parallel
changes (8 "make this the default" at once, 4 adds at 17) each apply whole, one after the other."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable

from customer_api import store
from customer_api.core import clock
from customer_api.core.errors import AddressNotFound, InvalidInput
from customer_api.core.records import Address, AddressBook
from customer_api.domain.address_inputs import AddressCreate, AddressUpdate, province_of
from customer_api.domain.customers import get_customer, retrying_lost_races

MAX_ADDRESSES = 20
TOO_MANY = f"A customer has at most {MAX_ADDRESSES} addresses: delete one first"
KEEP_A_DEFAULT = "The default address stays the default until another is made the default"


def _ordered(addresses: list[Address]) -> AddressBook:
    """The book as answered: the default first, then the oldest first."""
    addresses.sort(key=lambda address: (not address.is_default, address.created_at))
    return AddressBook(tuple(addresses))


def _with_default(addresses: list[Address], default_uuid: str | None) -> list[Address]:
    """The addresses with exactly one default: `default_uuid`, else the current default, else
    the oldest."""
    if default_uuid is None:
        current = next((address for address in addresses if address.is_default), None)
        chosen = current or min(addresses, key=lambda address: address.created_at, default=None)
        default_uuid = chosen.uuid if chosen else None
    return [dataclasses.replace(address, is_default=address.uuid == default_uuid) for address in addresses]


def _changing_book(
    customer_uuid: str, change: Callable[[AddressBook], tuple[AddressBook, Address]], book_read: AddressBook | None
) -> Address:
    """Apply `change` to the book as read (first `book_read`, if given) and write it back unless
    it changed meanwhile (then again, from a fresh read); the address the change is about."""
    db = store.active()
    unused = [book_read] if book_read is not None else []

    def attempt() -> Address:
        current = unused.pop() if unused else db.get_address_book(customer_uuid)
        changed, address = change(current)
        db.save_address_book(customer_uuid, current, changed)
        return address

    return retrying_lost_races(attempt)


# `book_read`, in what follows: the customer's book as the caller's authentication read it (with
# its customer, strongly consistent; Caller.address_book), to save reading it again.


def list_addresses(customer_uuid: str, book_read: AddressBook | None = None) -> tuple[Address, ...]:
    """The customer's addresses, the default first; CustomerNotFound for an unknown customer."""
    book = book_read
    if book is None:
        book = store.active().get_address_book(customer_uuid)
        if book.version == 0:
            get_customer(customer_uuid)  # no book: an unknown customer is a 404, a known one has none
    return _ordered(list(book.addresses)).addresses


def add_address(customer_uuid: str, request: AddressCreate, book_read: AddressBook | None = None) -> Address:
    now = clock.timestamp()
    fields = request.model_dump(exclude={"is_default"})
    new = Address(uuid=uuid.uuid4().hex, **fields, is_default=False, created_at=now, updated_at=now)

    def add(book: AddressBook) -> tuple[AddressBook, Address]:
        if len(book.addresses) >= MAX_ADDRESSES:
            raise InvalidInput(TOO_MANY)
        # The first address is the default, and so is one asked to be.
        default = new.uuid if request.is_default or not book.addresses else None
        changed = _ordered(_with_default([*book.addresses, new], default))
        return changed, _found(changed, new.uuid)

    return _changing_book(customer_uuid, add, book_read)


def _found(book: AddressBook, address_uuid: str) -> Address:
    address = book.find(address_uuid)
    if address is None:
        raise AddressNotFound()
    return address


def update_address(
    customer_uuid: str, address_uuid: str, request: AddressUpdate, book_read: AddressBook | None = None
) -> Address:
    given = request.model_dump(exclude_unset=True, exclude={"is_default"})

    def update(book: AddressBook) -> tuple[AddressBook, Address]:
        current = _found(book, address_uuid)
        if request.is_default is False and current.is_default:
            raise InvalidInput(KEEP_A_DEFAULT)
        changed = dataclasses.replace(current, **given, updated_at=clock.timestamp())
        # The province is checked against the country the address ends up with.
        try:
            changed = dataclasses.replace(changed, province=province_of(changed.province, changed.country))
        except ValueError as error:
            raise InvalidInput(str(error)) from error
        others = [address for address in book.addresses if address.uuid != address_uuid]
        default = address_uuid if request.is_default else None
        result = _ordered(_with_default([*others, changed], default))
        return result, _found(result, address_uuid)

    return _changing_book(customer_uuid, update, book_read)


def delete_address(customer_uuid: str, address_uuid: str, book_read: AddressBook | None = None) -> Address:
    """Delete an address (as it was); the oldest left becomes the default if it was the default."""

    def delete(book: AddressBook) -> tuple[AddressBook, Address]:
        doomed = _found(book, address_uuid)
        left = [address for address in book.addresses if address.uuid != address_uuid]
        return _ordered(_with_default(left, None)), doomed

    return _changing_book(customer_uuid, delete, book_read)
