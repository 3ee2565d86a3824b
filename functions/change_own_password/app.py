"""POST /api/customers/me/password: the calling customer changes their password; every session
ends and a new one opens (customer token)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from customer_api.domain.account import change_own_password
from customer_api.domain.inputs import OwnPasswordChange
from customer_api.edge import docs
from customer_api.edge.credentials import customer_caller, login_origin
from customer_api.edge.customer_tokens import login_answer
from customer_api.edge.observability import logger
from customer_api.edge.replies import SessionReply
from customer_api.edge.resolver import CustomerApi

app = CustomerApi(authorize=customer_caller)


@app.post(
    "/api/customers/me/password",
    summary="Change my password",
    description="Ends every session of the account, this one too, and answers a new one as login does.",
    tags=docs.OWN_ACCOUNT,
    security=docs.CUSTOMER_ONLY,
    responses=docs.responses(
        SessionReply, "A new customer token; also set as the `token` cookie", 400, 401, 403, 413, 415, 429, 503
    ),
)
def change_password(change: Annotated[OwnPasswordChange, Body()]) -> Response[str]:
    customer, session = change_own_password(app.caller(), change, login_origin(app.current_event))
    logger.info("Customer changed own password", extra={"customer_uuid": customer.uuid, "sid": session.sid})
    return login_answer(customer, session)


lambda_handler = app.lambda_handler()
