"""POST /api/customers/sessions: customer login (public). Answers {token, sid} and sets the
`token` cookie, as EverShop's code did."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from customer_api.core.records import PrincipalKind
from customer_api.core.settings import settings
from customer_api.domain import tokens
from customer_api.domain.inputs import Credentials
from customer_api.domain.logins import log_in_customer
from customer_api.edge import docs
from customer_api.edge.cookies import customer_cookie
from customer_api.edge.observability import CORRELATION_ID, logger, login_outcome, metrics, traced
from customer_api.edge.replies import SessionReply, SessionToken
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi()


@app.post(
    "/api/customers/sessions",
    summary="Log a customer in",
    responses=docs.responses(SessionReply, "A customer token; also set as the `token` cookie", 400, 413, 415, 429, 503),
)
def log_in(credentials: Annotated[Credentials, Body()]) -> Response[str]:
    with login_outcome(PrincipalKind.CUSTOMER):
        customer, session = log_in_customer(credentials.email, credentials.password)
    lifetime = settings().customer_token_seconds
    token = tokens.issue(tokens.CUSTOMER, {"customer": customer.token_claims(), "sid": session.sid}, lifetime)
    logger.info("Customer logged in", extra={"customer_uuid": customer.uuid, "sid": session.sid})
    reply = SessionReply(data=SessionToken(token=token, sid=session.sid))
    return ok(reply, cookies=[customer_cookie(token, lifetime)])


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID)
@traced
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
