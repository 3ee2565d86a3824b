"""POST /api/user/sessions: admin login as EverShop's 2023 code had it: {token, sid} and the
`admin_token` cookie that EverShop's docs send."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from customer_api.core.records import PrincipalKind
from customer_api.core.settings import settings
from customer_api.domain.inputs import Credentials
from customer_api.domain.logins import log_in_admin
from customer_api.edge import admin_tokens, docs
from customer_api.edge.cookies import admin_cookie
from customer_api.edge.credentials import login_origin
from customer_api.edge.observability import logger, login_outcome
from customer_api.edge.replies import SessionReply, SessionToken
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi()


@app.post(
    "/api/user/sessions",
    summary="Admin login: a session token, also set as the `admin_token` cookie",
    tags=docs.ADMIN_USERS,
    responses=docs.responses(
        SessionReply, "An admin token; also set as the `admin_token` cookie", 400, 413, 415, 429, 503
    ),
)
def log_in(credentials: Annotated[Credentials, Body()]) -> Response[str]:
    lifetime = settings().admin_session_seconds
    with login_outcome(PrincipalKind.ADMIN):
        _, session, token = log_in_admin(
            credentials.email,
            credentials.password,
            lifetime,
            login_origin(app.current_event),
            sign=admin_tokens.signer(lifetime),
        )
    logger.info("Admin logged in", extra={"sid": session.sid})
    reply = SessionReply(data=SessionToken(token=token, sid=session.sid))
    return ok(reply, cookies=[admin_cookie(token, lifetime)])


lambda_handler = app.lambda_handler()
