"""The customer tokens routes answer: the login token of EverShop's docs (with its cookie), and
the access and refresh tokens of EverShop 2.x. One session stands behind each."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from customer_api.core import clock
from customer_api.core.records import Customer, Session
from customer_api.core.settings import settings
from customer_api.domain import tokens
from customer_api.edge.cookies import customer_cookie
from customer_api.edge.replies import SessionReply, SessionToken, TokenPair, TokenPairReply
from customer_api.edge.resolver import ok


def login_answer(customer: Customer, session: Session) -> Response[str]:
    """{token, sid}, the token also set as the `token` cookie, as EverShop's login answered."""
    lifetime = settings().customer_token_seconds
    token = tokens.issue(tokens.CUSTOMER, {"customer": customer.token_claims(), "sid": session.sid}, lifetime)
    return ok(SessionReply(data=SessionToken(token=token, sid=session.sid)), cookies=[customer_cookie(token, lifetime)])


def refresh_token(customer: Customer, session: Session, generation: int) -> str:
    """A refresh token of the session (`gen`: which one it is, for rotation); it lives as long as
    the session does."""
    lifetime = max(session.expires_at - int(clock.now()), 1)
    claims = {"customer": {"uuid": customer.uuid}, "sid": session.sid, "gen": generation}
    return tokens.issue(tokens.CUSTOMER_REFRESH, claims, lifetime)


def token_pair_answer(customer: Customer, session: Session, refresh: str) -> Response[str]:
    """{accessToken, refreshToken}: a short-lived customer token and `refresh`; no cookie."""
    claims = {"customer": customer.token_claims(), "sid": session.sid}
    access = tokens.issue(tokens.CUSTOMER, claims, settings().customer_access_token_seconds)
    return ok(TokenPairReply(data=TokenPair(accessToken=access, refreshToken=refresh)))
