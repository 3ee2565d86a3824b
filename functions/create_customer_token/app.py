"""POST /api/customer/tokens: customer login as EverShop 2.x has it, answering
{accessToken, refreshToken} (public; no cookie)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from customer_api.core.records import PrincipalKind
from customer_api.domain.inputs import Credentials
from customer_api.domain.logins import log_in_customer
from customer_api.edge import docs
from customer_api.edge.credentials import login_origin
from customer_api.edge.customer_tokens import refresh_token, token_pair_answer
from customer_api.edge.observability import logger, login_outcome
from customer_api.edge.replies import TokenPairReply
from customer_api.edge.resolver import CustomerApi

app = CustomerApi()


@app.post(
    "/api/customer/tokens",
    summary="Log a customer in: access and refresh token",
    tags=docs.SESSIONS_AND_TOKENS,
    responses=docs.responses(TokenPairReply, "A customer access token and its refresh token", 400, 413, 415, 429, 503),
)
def issue_tokens(credentials: Annotated[Credentials, Body()]) -> Response[str]:
    with login_outcome(PrincipalKind.CUSTOMER):
        customer, session = log_in_customer(credentials.email, credentials.password, login_origin(app.current_event))
    logger.info("Customer logged in", extra={"customer_uuid": customer.uuid, "sid": session.sid})
    return token_pair_answer(customer, session, refresh_token(customer, session, session.refresh_gen))


lambda_handler = app.lambda_handler()
