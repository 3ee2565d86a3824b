"""DELETE /api/user/sessions/{sid}: end an admin session (admin only)."""

from aws_lambda_powertools.event_handler import Response

from customer_api.domain.sessions import end_admin_session
from customer_api.edge import docs, paths
from customer_api.edge.cookies import cleared_admin_cookie
from customer_api.edge.credentials import admin_caller
from customer_api.edge.observability import logger
from customer_api.edge.replies import Empty, EmptyReply
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=admin_caller, reads_body=False)


@app.delete(
    "/api/user/sessions/<sid>",
    summary="Admin logout",
    tags=docs.ADMIN_USERS,
    security=docs.ADMIN_ONLY,
    responses=docs.responses(EmptyReply, "The session ended", 401, 403, 404, 413, 415, 503),
)
def log_out(sid: str) -> Response[str]:
    ended_own_session = end_admin_session(app.caller(), paths.session_id(sid))
    logger.info("Admin session ended", extra={"sid": sid})
    cookies = [cleared_admin_cookie()] if ended_own_session else None
    return ok(EmptyReply(data=Empty()), cookies=cookies)


lambda_handler = app.lambda_handler()
