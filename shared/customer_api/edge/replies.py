"""What the routes answer, typed once: the handlers build these, the OpenAPI generator
(tools/openapi.py) documents them, and mypy holds the two together.

TypedDicts, not pydantic models: they cost nothing at a cold start; pydantic still derives their
JSON Schema for the document."""

from __future__ import annotations

from typing import TypedDict

from customer_api.core.clock import timestamp
from customer_api.core.records import Address, Customer, CustomerGroup, Session


class ErrorDetail(TypedDict):
    status: int
    message: str


class ErrorReply(TypedDict):
    """Every failure: the HTTP status repeated in the body, and a message for a person."""

    error: ErrorDetail


class CustomerView(TypedDict):
    """The customer object of the contract (never the password or its hash)."""

    customer_id: int
    uuid: str
    status: int
    group_id: int
    email: str
    full_name: str
    created_at: str
    updated_at: str


class Link(TypedDict):
    rel: str
    href: str
    action: str
    types: list[str]


class CustomerWithLinks(CustomerView):
    links: list[Link]


class CustomerReply(TypedDict):
    data: CustomerWithLinks


class CustomerViewReply(TypedDict):
    """A customer without links: a deleted one, or the customer's own account."""

    data: CustomerView


class SessionToken(TypedDict):
    token: str
    sid: str


class SessionReply(TypedDict):
    data: SessionToken


class TokenPair(TypedDict):
    """An access token and the refresh token that renews it (admin users, and customers as
    EverShop 2.x logs them in)."""

    accessToken: str  # EverShop's names
    refreshToken: str


class TokenPairReply(TypedDict):
    data: TokenPair


class CustomerPage(TypedDict):
    items: list[CustomerView]
    next_cursor: str | None  # null: the last page


class CustomerPageReply(TypedDict):
    data: CustomerPage


class SessionView(TypedDict):
    sid: str
    created_at: str | None  # null for a session opened before logins recorded it
    expires_at: str
    ip: str | None
    user_agent: str | None
    current: bool  # the session of the token that asks


class SessionList(TypedDict):
    items: list[SessionView]


class SessionListReply(TypedDict):
    data: SessionList


class AddressView(TypedDict):
    uuid: str
    full_name: str
    telephone: str
    address_1: str
    address_2: str | None
    city: str
    province: str | None  # ISO 3166-2 (US-CA)
    country: str  # ISO 3166-1 alpha-2 (US)
    postcode: str
    is_default: bool
    created_at: str
    updated_at: str


class AddressReply(TypedDict):
    data: AddressView


class AddressList(TypedDict):
    items: list[AddressView]  # the default first


class AddressListReply(TypedDict):
    data: AddressList


class GroupView(TypedDict):
    group_id: int
    uuid: str
    group_name: str
    created_at: str
    updated_at: str


class GroupReply(TypedDict):
    data: GroupView


class GroupList(TypedDict):
    items: list[GroupView]


class GroupListReply(TypedDict):
    data: GroupList


class Empty(TypedDict):
    pass


class EmptyReply(TypedDict):
    data: Empty


# Every body a route answers, for the OpenAPI document.
REPLIES: tuple[type, ...] = (
    ErrorReply,
    CustomerReply,
    CustomerViewReply,
    CustomerPageReply,
    SessionReply,
    SessionListReply,
    TokenPairReply,
    AddressReply,
    AddressListReply,
    GroupReply,
    GroupListReply,
    EmptyReply,
)


def error_reply(status: int, message: str) -> ErrorReply:
    return ErrorReply(error=ErrorDetail(status=status, message=message))


def customer_view(customer: Customer) -> CustomerView:
    return CustomerView(
        customer_id=customer.customer_id,
        uuid=customer.uuid,
        status=customer.status,
        group_id=customer.group_id,
        email=customer.email,
        full_name=customer.full_name,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )


def customer_with_links(customer: Customer) -> CustomerWithLinks:
    """The customer with the `links` EverShop's docs show on create and update."""
    grid = Link(rel="customerGrid", href="/admin/customers", action="GET", types=["text/xml"])
    edit = Link(rel="edit", href=f"/admin/customers/edit/{customer.uuid}", action="GET", types=["text/xml"])
    return CustomerWithLinks(**customer_view(customer), links=[grid, edit])


def session_view(session: Session, current_sid: str) -> SessionView:
    return SessionView(
        sid=session.sid,
        created_at=timestamp(session.created_at) if session.created_at else None,
        expires_at=timestamp(session.expires_at),
        ip=session.ip or None,
        user_agent=session.user_agent or None,
        current=session.sid == current_sid,
    )


def address_view(address: Address) -> AddressView:
    return AddressView(
        uuid=address.uuid,
        full_name=address.full_name,
        telephone=address.telephone,
        address_1=address.address_1,
        address_2=address.address_2,
        city=address.city,
        province=address.province,
        country=address.country,
        postcode=address.postcode,
        is_default=address.is_default,
        created_at=address.created_at,
        updated_at=address.updated_at,
    )


def group_view(group: CustomerGroup) -> GroupView:
    return GroupView(
        group_id=group.group_id,
        uuid=group.uuid,
        group_name=group.group_name,
        created_at=group.created_at,
        updated_at=group.updated_at,
    )
