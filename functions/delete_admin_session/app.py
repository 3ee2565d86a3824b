"""DELETE /api/user/sessions/{sid}: end an admin session (admin only)."""

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.shared.cookies import SameSite
from aws_lambda_powertools.utilities.typing import LambdaContext

from customer_api import openapi_docs as docs
from customer_api.auth import ADMIN_COOKIE, admin_caller
from customer_api.http import CustomerApi, ok, session_cookie
from customer_api.observability import CORRELATION_ID, logger, metrics, traced
from customer_api.sessions import end_admin_session

app = CustomerApi(authorize=admin_caller)


@app.delete(
    "/api/user/sessions/<sid>",
    summary="Admin logout",
    security=docs.ADMIN_ONLY,
    responses=docs.responses("EmptyReply", "The session ended", 401, 404, 413, 503),
)
def log_out(sid: str) -> Response[str]:
    ended_own_session = end_admin_session(app.caller(), sid)
    logger.info("Admin session ended", extra={"sid": sid})
    cookies = [session_cookie(ADMIN_COOKIE, "", 0, SameSite.STRICT_MODE)] if ended_own_session else None
    return ok({}, cookies=cookies)


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID)
@traced
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
