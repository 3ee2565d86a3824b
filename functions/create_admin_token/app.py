"""POST /api/user/tokens: admin login answering {accessToken, refreshToken}, as EverShop 2.x."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from customer_api import openapi_docs as docs
from customer_api import tokens
from customer_api.config import settings
from customer_api.http import CustomerApi, ok
from customer_api.logins import log_in_admin
from customer_api.models import Credentials
from customer_api.observability import CORRELATION_ID, logger, login_outcome, metrics, traced

app = CustomerApi()


@app.post(
    "/api/user/tokens",
    summary="Admin login: access and refresh token",
    responses=docs.responses("AdminTokensReply", "Admin access and refresh tokens", 400, 413, 429, 503),
)
def issue_tokens(credentials: Annotated[Credentials, Body()]) -> Response[str]:
    config = settings()
    with login_outcome("admin"):
        admin, session = log_in_admin(credentials.email, credentials.password, config.admin_refresh_token_seconds)
    claims = {"user": admin.token_claims(), "sid": session.sid}
    logger.info("Admin logged in", extra={"sid": session.sid})
    return ok(
        {
            "accessToken": tokens.issue(tokens.ADMIN, claims, config.admin_access_token_seconds),
            "refreshToken": tokens.issue(tokens.ADMIN_REFRESH, claims, config.admin_refresh_token_seconds),
        }
    )


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID)
@traced
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
