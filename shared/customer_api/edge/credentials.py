"""Who is calling an HTTP route: tokens from `Authorization: Bearer` or EverShop's cookies."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from customer_api.core.errors import Unauthenticated
from customer_api.domain import tokens
from customer_api.domain.sessions import Caller, authenticate
from customer_api.edge.cookies import ADMIN_COOKIE, CUSTOMER_COOKIE


def _bearer(event: APIGatewayProxyEventV2) -> str | None:
    header = event.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated()
    return token.strip()


def _cookie(event: APIGatewayProxyEventV2, name: str) -> str | None:
    return event.resolved_cookies_field.get(name) or None


def admin_caller(event: APIGatewayProxyEventV2) -> Caller:
    """The admin behind the request, else Unauthorized / InvalidToken (401)."""
    token = _bearer(event) or _cookie(event, ADMIN_COOKIE)
    if token is None:
        raise Unauthenticated()
    return authenticate(token, tokens.ADMIN)


def customer_or_admin_caller(event: APIGatewayProxyEventV2) -> Caller:
    """A customer (bearer or `token` cookie) or an admin (bearer or `admin_token` cookie)."""
    bearer = _bearer(event)
    if bearer is not None:
        audience = tokens.audience_of(bearer)
        return authenticate(bearer, tokens.ADMIN if audience == tokens.ADMIN else tokens.CUSTOMER)
    customer_token = _cookie(event, CUSTOMER_COOKIE)
    if customer_token is not None:
        return authenticate(customer_token, tokens.CUSTOMER)
    admin_token = _cookie(event, ADMIN_COOKIE)
    if admin_token is not None:
        return authenticate(admin_token, tokens.ADMIN)
    raise Unauthenticated()
