"""POST /api/user/sessions: admin login as EverShop's 2023 code had it: {token, sid} and the
`admin_token` cookie that EverShop's docs send."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.shared.cookies import SameSite
from aws_lambda_powertools.utilities.typing import LambdaContext

from customer_api import openapi_docs as docs
from customer_api import tokens
from customer_api.auth import ADMIN_COOKIE
from customer_api.config import settings
from customer_api.http import CustomerApi, ok, session_cookie
from customer_api.logins import log_in_admin
from customer_api.models import Credentials
from customer_api.observability import CORRELATION_ID, logger, login_outcome, metrics, traced

app = CustomerApi()


@app.post(
    "/api/user/sessions",
    summary="Admin login: a session token, also set as the `admin_token` cookie",
    responses=docs.responses(
        "SessionReply", "An admin token; also set as the `admin_token` cookie", 400, 413, 429, 503
    ),
)
def log_in(credentials: Annotated[Credentials, Body()]) -> Response[str]:
    lifetime = settings().admin_session_seconds
    with login_outcome("admin"):
        admin, session = log_in_admin(credentials.email, credentials.password, lifetime)
    token = tokens.issue(tokens.ADMIN, {"user": admin.token_claims(), "sid": session.sid}, lifetime)
    logger.info("Admin logged in", extra={"sid": session.sid})
    cookie = session_cookie(ADMIN_COOKIE, token, lifetime, SameSite.STRICT_MODE)
    return ok({"token": token, "sid": session.sid}, cookies=[cookie])


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID)
@traced
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
