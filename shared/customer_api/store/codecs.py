"""Records to DynamoDB items (typed JSON) and back."""

from __future__ import annotations

import dataclasses
from typing import Any

from customer_api.core.records import (
    Address,
    AddressBook,
    AdminUser,
    Customer,
    CustomerFieldsChange,
    CustomerGroup,
    LoginFailures,
    PasswordReset,
    PrincipalKind,
    Session,
)
from customer_api.store import keys

Item = dict[str, Any]  # an item in DynamoDB's typed JSON


def s(value: str) -> Item:
    return {"S": value}


def n(value: int) -> Item:
    return {"N": str(value)}


def key(pk: str) -> Item:
    return {"pk": s(pk)}


def _count(item: Item, name: str) -> int:
    # Items written before the counter existed have none: they count from 0.
    return int(item[name]["N"]) if name in item else 0


def listing(list_pk: str, list_sk: str) -> Item:
    """The attributes that put an item in the listing index."""
    return {"list_pk": s(list_pk), "list_sk": s(list_sk)}


def customer_item(customer: Customer) -> Item:
    return {
        **key(keys.customer(customer.uuid)),
        **listing(*keys.created_listing(customer)),
        "customer_id": n(customer.customer_id),
        "uuid": s(customer.uuid),
        "status": n(customer.status),
        "group_id": n(customer.group_id),
        "email": s(customer.email),
        "full_name": s(customer.full_name),
        "password_hash": s(customer.password_hash),
        "created_at": s(customer.created_at),
        "updated_at": s(customer.updated_at),
        "version": n(customer.version),
        "session_epoch": n(customer.session_epoch),
        "session_seq": n(customer.session_seq),
        **reset_attributes(customer.reset),
    }


# An attribute some customer items hold that no record does: the digests of what the EverShop
# importer wrote (tools/evershop_import). A save rewrites the item without it, and so must a
# change made in place: a customer changed through the API is then one the importer leaves alone.
IMPORT_DIGESTS = "imported"


def customer_fields(change: CustomerFieldsChange) -> Item:
    """The attributes of a customer item that a change of name and/or status sets, as a put of
    the changed customer would (the item's place in the listing depends on neither)."""
    fields = {"updated_at": s(change.updated_at)}
    if change.full_name is not None:
        fields["full_name"] = s(change.full_name)
    if change.status is not None:
        fields["status"] = n(change.status)
    return fields


def reset_attributes(reset: PasswordReset | None) -> Item:
    """A pending reset's attributes on its customer's item (the names domain.events reads)."""
    if reset is None:
        return {}
    return {
        "reset_hash": s(reset.token_hash),
        "reset_expires_at": n(reset.expires_at),
        "reset_token_ciphertext": s(reset.encrypted_token),
    }


def _reset_from(item: Item) -> PasswordReset | None:
    if "reset_hash" not in item:
        return None
    return PasswordReset(
        token_hash=item["reset_hash"]["S"],
        expires_at=int(item["reset_expires_at"]["N"]),
        encrypted_token=item["reset_token_ciphertext"]["S"],
    )


def customer_from(item: Item) -> Customer:
    return dataclasses.replace(
        listed_customer_from(item),
        password_hash=item["password_hash"]["S"],
        version=int(item["version"]["N"]),
        session_epoch=int(item["session_epoch"]["N"]),
        session_seq=_count(item, "session_seq"),
        reset=_reset_from(item),
    )


def listed_customer_from(item: Item) -> Customer:
    """A customer as the listing index projects it: what a listing shows, never the hash (the
    index does not hold it), nor the counters of writes and sessions."""
    return Customer(
        customer_id=int(item["customer_id"]["N"]),
        uuid=item["uuid"]["S"],
        status=int(item["status"]["N"]),
        group_id=int(item["group_id"]["N"]),
        email=item["email"]["S"],
        full_name=item["full_name"]["S"],
        password_hash="",
        created_at=item["created_at"]["S"],
        updated_at=item["updated_at"]["S"],
        version=0,
    )


def claim_item(customer: Customer) -> Item:
    return {
        **key(keys.email_claim(customer.email_key)),
        **listing(*keys.email_listing(customer.email_key)),
        "customer_uuid": s(customer.uuid),
    }


def admin_item(admin: AdminUser) -> Item:
    return {
        **key(keys.admin(admin.email_key)),
        "uuid": s(admin.uuid),
        "email": s(admin.email),
        "full_name": s(admin.full_name),
        "password_hash": s(admin.password_hash),
        "status": n(admin.status),
        "session_epoch": n(admin.session_epoch),
        "session_seq": n(admin.session_seq),
    }


def admin_from(item: Item) -> AdminUser:
    return AdminUser(
        uuid=item["uuid"]["S"],
        email=item["email"]["S"],
        full_name=item["full_name"]["S"],
        password_hash=item["password_hash"]["S"],
        status=int(item["status"]["N"]),
        session_epoch=int(item["session_epoch"]["N"]),
        session_seq=_count(item, "session_seq"),
    )


def session_item(session: Session) -> Item:
    return {
        **key(keys.session(session.sid, session.kind)),
        "owner": s(keys.principal(session.kind, session.principal)),
        "epoch": n(session.epoch),
        "expires_at": n(session.expires_at),
        "seq": n(session.seq),
        "created_at": n(session.created_at),
        "ip": s(session.ip),
        "user_agent": s(session.user_agent),
        "refresh_gen": n(session.refresh_gen),
        **({"proof": s(session.proof)} if session.proof else {}),
    }


def session_from(item: Item) -> Session:
    kind, principal = keys.principal_of(item["owner"]["S"])
    return Session(
        sid=keys.sid_of(item["pk"]["S"]),
        kind=PrincipalKind(kind),
        principal=principal,
        epoch=int(item["epoch"]["N"]),
        expires_at=int(item["expires_at"]["N"]),
        seq=_count(item, "seq"),
        created_at=_count(item, "created_at"),
        ip=item["ip"]["S"] if "ip" in item else "",
        user_agent=item["user_agent"]["S"] if "user_agent" in item else "",
        refresh_gen=_count(item, "refresh_gen"),
        proof=item["proof"]["S"] if "proof" in item else "",
    )


def failures_from(item: Item | None) -> LoginFailures:
    if item is None:
        return LoginFailures()
    return LoginFailures(count=int(item["count"]["N"]), window_ends=int(item["window_ends"]["N"]))


def account_from(item: Item | None) -> Customer | AdminUser | None:
    """A customer's or an admin's item as its record."""
    if item is None:
        return None
    return customer_from(item) if item["pk"]["S"].startswith(keys.CUSTOMER_PREFIX) else admin_from(item)


def group_item(group: CustomerGroup) -> Item:
    return {
        **key(keys.group(group.group_id)),
        **listing(*keys.group_listing(group.group_id)),
        "group_id": n(group.group_id),
        "uuid": s(group.uuid),
        "group_name": s(group.group_name),
        "created_at": s(group.created_at),
        "updated_at": s(group.updated_at),
        "members": n(group.members),
    }


def group_from(item: Item) -> CustomerGroup:
    return CustomerGroup(
        group_id=int(item["group_id"]["N"]),
        uuid=item["uuid"]["S"],
        group_name=item["group_name"]["S"],
        created_at=item["created_at"]["S"],
        updated_at=item["updated_at"]["S"],
        members=_count(item, "members"),
    )


_ADDRESS_TEXT = (
    "uuid",
    "full_name",
    "telephone",
    "address_1",
    "city",
    "country",
    "postcode",
    "created_at",
    "updated_at",
)
_ADDRESS_OPTIONAL = ("address_2", "province")


def _address_map(address: Address) -> Item:
    fields = {name: s(getattr(address, name)) for name in _ADDRESS_TEXT}
    optional = {name: s(value) for name in _ADDRESS_OPTIONAL if (value := getattr(address, name)) is not None}
    return {"M": {**fields, **optional, "is_default": {"BOOL": address.is_default}}}


def _address_from(value: Item) -> Address:
    fields = value["M"]
    given: dict[str, Any] = {name: fields[name]["S"] for name in _ADDRESS_TEXT}
    given.update({name: fields[name]["S"] if name in fields else None for name in _ADDRESS_OPTIONAL})
    return Address(**given, is_default=fields["is_default"]["BOOL"])


def address_book_item(customer_uuid: str, book: AddressBook) -> Item:
    return {
        **key(keys.address_book(customer_uuid)),
        "customer_uuid": s(customer_uuid),
        "addresses": {"L": [_address_map(address) for address in book.addresses]},
        "version": n(book.version),
    }


def address_book_from(item: Item | None) -> AddressBook:
    if item is None:
        return AddressBook()
    addresses = tuple(_address_from(value) for value in item["addresses"]["L"])
    return AddressBook(addresses=addresses, version=int(item["version"]["N"]))
