"""GET /api/customers/me/sessions: where the calling customer is logged in (customer token)."""

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from customer_api.domain.account import own_sessions
from customer_api.edge import docs
from customer_api.edge.credentials import customer_caller
from customer_api.edge.observability import CORRELATION_ID, logger, metrics, traced
from customer_api.edge.replies import SessionList, SessionListReply, session_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=customer_caller, reads_body=False)


@app.get(
    "/api/customers/me/sessions",
    summary="List my live sessions",
    description="Newest first. End one with DELETE /api/customers/sessions/{sid}.",
    tags=docs.OWN_ACCOUNT,
    security=docs.CUSTOMER_ONLY,
    responses=docs.responses(SessionListReply, "The live sessions of the account", 401, 503),
)
def list_sessions() -> Response[str]:
    caller = app.caller()
    items = [session_view(session, caller.sid) for session in own_sessions(caller)]
    return ok(SessionListReply(data=SessionList(items=items)))


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID)
@traced
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
