"""POST /api/customers/sessions: customer login (public). Answers {token, sid} and sets the
`token` cookie, as EverShop's code did."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from customer_api.core.records import PrincipalKind
from customer_api.domain.inputs import Credentials
from customer_api.domain.logins import log_in_customer
from customer_api.edge import docs
from customer_api.edge.credentials import login_origin
from customer_api.edge.customer_tokens import login_answer
from customer_api.edge.observability import logger, login_outcome
from customer_api.edge.replies import SessionReply
from customer_api.edge.resolver import CustomerApi

app = CustomerApi()


@app.post(
    "/api/customers/sessions",
    summary="Log a customer in",
    tags=docs.SESSIONS_AND_TOKENS,
    responses=docs.responses(SessionReply, "A customer token; also set as the `token` cookie", 400, 413, 415, 429, 503),
)
def log_in(credentials: Annotated[Credentials, Body()]) -> Response[str]:
    with login_outcome(PrincipalKind.CUSTOMER):
        customer, session = log_in_customer(credentials.email, credentials.password, login_origin(app.current_event))
    logger.info("Customer logged in", extra={"customer_uuid": customer.uuid, "sid": session.sid})
    return login_answer(customer, session)


lambda_handler = app.lambda_handler()
