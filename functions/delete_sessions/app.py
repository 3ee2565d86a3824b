"""DELETE and POST /api/customers/sessions/{ids}: customer logout. `ids` lists sids (that
session) and customer uuids (every session of that customer), comma-separated."""

from aws_lambda_powertools.event_handler import Response

from customer_api.domain.sessions import end_customer_sessions
from customer_api.edge import docs, paths
from customer_api.edge.cookies import cleared_customer_cookie
from customer_api.edge.credentials import customer_or_admin_caller
from customer_api.edge.observability import logger
from customer_api.edge.replies import Empty, EmptyReply
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=customer_or_admin_caller, reads_body=False)


@app.route(
    "/api/customers/sessions/<ids>",
    method=["DELETE", "POST"],
    summary="Log out: end sessions by sid, or every session of a customer by uuid",
    tags=docs.SESSIONS_AND_TOKENS,
    security=docs.CUSTOMER_OR_ADMIN,
    responses=docs.responses(EmptyReply, "The sessions ended", 401, 403, 404, 413, 415, 503),
)
def log_out(ids: str) -> Response[str]:
    caller = app.caller()
    sids, customer_uuids = paths.logout_ids(ids)
    ended_own_session = end_customer_sessions(caller, sids, customer_uuids)
    logger.info("Customer sessions ended", extra={"by": caller.kind, "count": ids.count(",") + 1})
    # Clear the browser's cookie only when the session it carries has just ended.
    cookies = [cleared_customer_cookie()] if ended_own_session else None
    return ok(EmptyReply(data=Empty()), cookies=cookies)


lambda_handler = app.lambda_handler()
