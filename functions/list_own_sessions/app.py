"""GET /api/customers/me/sessions: where the calling customer is logged in (customer token)."""

from aws_lambda_powertools.event_handler import Response

from customer_api.domain.account import own_sessions
from customer_api.edge import docs
from customer_api.edge.credentials import customer_caller
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


lambda_handler = app.lambda_handler()
