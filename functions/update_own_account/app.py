"""PATCH /api/customers/me: the calling customer changes their name or email (customer token)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from customer_api.domain.account import update_own_account
from customer_api.domain.inputs import OwnAccountUpdate
from customer_api.edge import docs
from customer_api.edge.credentials import customer_caller
from customer_api.edge.observability import logger
from customer_api.edge.replies import CustomerViewReply, customer_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=customer_caller)


@app.patch(
    "/api/customers/me",
    summary="Change my name or email",
    description="A new email needs `current_password`; a wrong one counts as a failed login.",
    tags=docs.OWN_ACCOUNT,
    security=docs.CUSTOMER_ONLY,
    responses=docs.responses(CustomerViewReply, "The updated account", 400, 401, 403, 409, 413, 415, 429, 503),
)
def update(changes: Annotated[OwnAccountUpdate, Body()]) -> Response[str]:
    customer = update_own_account(app.caller(), changes)
    logger.info("Customer updated own account", extra={"customer_uuid": customer.uuid})
    return ok(CustomerViewReply(data=customer_view(customer)))


lambda_handler = app.lambda_handler()
