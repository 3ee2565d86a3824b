"""POST /api/user/tokens: admin login answering {accessToken, refreshToken}, as EverShop 2.x."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from customer_api.core.records import PrincipalKind
from customer_api.core.settings import settings
from customer_api.domain import tokens
from customer_api.domain.inputs import Credentials
from customer_api.domain.logins import log_in_admin
from customer_api.edge import admin_tokens, docs
from customer_api.edge.credentials import login_origin
from customer_api.edge.observability import logger, login_outcome
from customer_api.edge.replies import TokenPair, TokenPairReply
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi()


@app.post(
    "/api/user/tokens",
    summary="Admin login: access and refresh token",
    tags=docs.ADMIN_USERS,
    responses=docs.responses(TokenPairReply, "Admin access and refresh tokens", 400, 413, 415, 429, 503),
)
def issue_tokens(credentials: Annotated[Credentials, Body()]) -> Response[str]:
    config = settings()
    with login_outcome(PrincipalKind.ADMIN):
        admin, session, access = log_in_admin(
            credentials.email,
            credentials.password,
            config.admin_refresh_token_seconds,
            login_origin(app.current_event),
            sign=admin_tokens.signer(config.admin_access_token_seconds),
        )
    logger.info("Admin logged in", extra={"sid": session.sid})
    refresh = tokens.issue(
        tokens.ADMIN_REFRESH, admin_tokens.claims(admin, session.sid), config.admin_refresh_token_seconds
    )
    return ok(TokenPairReply(data=TokenPair(accessToken=access, refreshToken=refresh)))


lambda_handler = app.lambda_handler()
