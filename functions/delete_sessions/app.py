"""DELETE and POST /api/customers/sessions/{ids}: customer logout. `ids` lists sids (that
session) and customer uuids (every session of that customer), comma-separated."""

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.shared.cookies import SameSite
from aws_lambda_powertools.utilities.typing import LambdaContext

from customer_api import openapi_docs as docs
from customer_api.auth import CUSTOMER_COOKIE, customer_or_admin_caller
from customer_api.http import CustomerApi, ok, session_cookie
from customer_api.observability import CORRELATION_ID, logger, metrics, traced
from customer_api.sessions import end_customer_sessions

app = CustomerApi(authorize=customer_or_admin_caller)


@app.route(
    "/api/customers/sessions/<ids>",
    method=["DELETE", "POST"],
    summary="Log out: end sessions by sid, or every session of a customer by uuid",
    security=docs.CUSTOMER_OR_ADMIN,
    responses=docs.responses("EmptyReply", "The sessions ended", 401, 404, 413, 503),
)
def log_out(ids: str) -> Response[str]:
    caller = app.caller()
    ended_own_session = end_customer_sessions(caller, ids)
    logger.info("Customer sessions ended", extra={"by": caller.kind, "count": ids.count(",") + 1})
    # Clear the browser's cookie only when the session it carries has just ended.
    cookies = [session_cookie(CUSTOMER_COOKIE, "", 0, SameSite.LAX_MODE)] if ended_own_session else None
    return ok({}, cookies=cookies)


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID)
@traced
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
