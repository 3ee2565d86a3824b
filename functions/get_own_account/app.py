"""GET /api/customers/me: the calling customer's own account (customer token)."""

from aws_lambda_powertools.event_handler import Response

from customer_api.edge import docs
from customer_api.edge.credentials import customer_caller
from customer_api.edge.replies import CustomerViewReply, customer_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=customer_caller, reads_body=False)


@app.get(
    "/api/customers/me",
    summary="Read my account",
    tags=docs.OWN_ACCOUNT,
    security=docs.CUSTOMER_ONLY,
    responses=docs.responses(CustomerViewReply, "The calling customer", 401, 503),
)
def read_own_account() -> Response[str]:
    # Read with the session, strongly consistent, to authenticate the call.
    return ok(CustomerViewReply(data=customer_view(app.caller().customer)))


lambda_handler = app.lambda_handler()
