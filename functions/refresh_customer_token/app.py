"""POST /api/customer/token/refresh: a new customer access token for a refresh token, as
EverShop 2.x has it (public: the refresh token is the credential)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from customer_api.core.settings import settings
from customer_api.domain.inputs import RefreshRequest
from customer_api.domain.sessions import refresh
from customer_api.edge import docs
from customer_api.edge.customer_tokens import refresh_token, token_pair_answer
from customer_api.edge.observability import logger
from customer_api.edge.replies import TokenPairReply
from customer_api.edge.resolver import CustomerApi

app = CustomerApi()


@app.post(
    "/api/customer/token/refresh",
    summary="Renew a customer access token",
    description=(
        "Answers the same refresh token, or a new one when rotation is on (then presenting a spent "
        "one ends the session)."
    ),
    tags=docs.SESSIONS_AND_TOKENS,
    responses=docs.responses(
        TokenPairReply, "A new access token and the refresh token to use next", 400, 401, 413, 415, 503
    ),
)
def renew(body: Annotated[RefreshRequest, Body()]) -> Response[str]:
    caller, generation = refresh(body.refreshToken)
    customer = caller.customer
    rotated = settings().refresh_token_rotation
    next_refresh = refresh_token(customer, caller.session, generation) if rotated else body.refreshToken
    logger.info("Customer token refreshed", extra={"customer_uuid": customer.uuid, "sid": caller.sid})
    return token_pair_answer(customer, caller.session, next_refresh)


lambda_handler = app.lambda_handler()
