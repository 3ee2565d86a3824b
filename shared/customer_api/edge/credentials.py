"""Who is calling an HTTP route: tokens from `Authorization: Bearer` or EverShop's cookies.

A browser sends cookies with requests other sites make it send, so a change (any method but GET)
authenticated by a cookie must come from the API's own origin or an allowed one."""

from __future__ import annotations

from urllib.parse import urlsplit

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from customer_api.core.errors import CrossSiteRequest, Unauthenticated
from customer_api.core.records import LoginOrigin
from customer_api.core.settings import settings
from customer_api.domain import tokens
from customer_api.domain.sessions import Caller, authenticate, authenticate_admin_by_proof
from customer_api.edge.cookies import ADMIN_COOKIE, CUSTOMER_COOKIE

_READS = {"GET", "HEAD", "OPTIONS"}


def _bearer(event: APIGatewayProxyEventV2) -> str | None:
    header = event.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated()
    return token.strip()


def _cookie(event: APIGatewayProxyEventV2, name: str) -> str | None:
    """The value of one cookie. Two different values of it are refused: one may be planted (from
    a sibling subdomain) beside the real one, and no rule says which a browser sends first."""
    values = set()
    for cookie in event.cookies or []:
        cookie_name, _, value = cookie.partition("=")
        if cookie_name.strip() == name and value.strip():
            values.add(value.strip())
    if len(values) > 1:
        raise Unauthenticated(f"Conflicting {name} cookies")
    return values.pop() if values else None


def _is_own_or_allowed(origin: str, event: APIGatewayProxyEventV2) -> bool:
    if origin in settings().allowed_origins:
        return True
    host = event.headers.get("host") or event.request_context.domain_name
    return urlsplit(origin).netloc.lower() == host.lower()


def _refuse_cross_site(event: APIGatewayProxyEventV2) -> None:
    if event.request_context.http.method.upper() in _READS:
        return
    if (event.headers.get("sec-fetch-site") or "").lower() == "cross-site":
        raise CrossSiteRequest()
    origin = event.headers.get("origin")
    if origin is not None and not _is_own_or_allowed(origin.strip(), event):
        raise CrossSiteRequest()


def _cookie_caller(
    event: APIGatewayProxyEventV2, token: str, audience: str, *, with_address_book: bool = False
) -> Caller:
    _refuse_cross_site(event)
    return authenticate(token, audience, with_address_book=with_address_book)


def _caller_of_one_kind(
    event: APIGatewayProxyEventV2, cookie_name: str, audience: str, *, with_address_book: bool = False
) -> Caller:
    """The caller by a bearer token or one cookie, verified for one audience only."""
    bearer = _bearer(event)
    if bearer is not None:
        return authenticate(bearer, audience, with_address_book=with_address_book)
    cookie = _cookie(event, cookie_name)
    if cookie is None:
        raise Unauthenticated()
    return _cookie_caller(event, cookie, audience, with_address_book=with_address_book)


def admin_caller(event: APIGatewayProxyEventV2) -> Caller:
    """The admin behind the request, else Unauthenticated / InvalidToken (401), CrossSiteRequest."""
    return _caller_of_one_kind(event, ADMIN_COOKIE, tokens.ADMIN)


def customer_caller(event: APIGatewayProxyEventV2) -> Caller:
    """The customer behind the request (bearer or `token` cookie); an admin token is a 401."""
    return _caller_of_one_kind(event, CUSTOMER_COOKIE, tokens.CUSTOMER)


def customer_caller_with_address_book(event: APIGatewayProxyEventV2) -> Caller:
    """customer_caller, with the customer's address book read in the same round trip
    (`Caller.address_book`): for the routes of the customer's own addresses."""
    return _caller_of_one_kind(event, CUSTOMER_COOKIE, tokens.CUSTOMER, with_address_book=True)


def login_origin(event: APIGatewayProxyEventV2) -> LoginOrigin:
    """Where a login comes from, as API Gateway saw it (the source ip is the client's own, not a
    header the client could write)."""
    http = event.request_context.http
    return LoginOrigin(ip=http.source_ip or "", user_agent=http.user_agent or "")


def customer_or_admin_caller(event: APIGatewayProxyEventV2) -> Caller:
    """A customer (bearer or `token` cookie) or an admin (bearer or `admin_token` cookie). The
    admin's token is told by its session's proof, not by the admin key, which the function
    using this (customer logout, reached by customer tokens) does not hold."""
    bearer = _bearer(event)
    if bearer is not None:
        if tokens.audience_of(bearer) == tokens.ADMIN:
            return authenticate_admin_by_proof(bearer)
        return authenticate(bearer, tokens.CUSTOMER)
    customer_token = _cookie(event, CUSTOMER_COOKIE)
    if customer_token is not None:
        return _cookie_caller(event, customer_token, tokens.CUSTOMER)
    admin_token = _cookie(event, ADMIN_COOKIE)
    if admin_token is not None:
        _refuse_cross_site(event)
        return authenticate_admin_by_proof(admin_token)
    raise Unauthenticated()
