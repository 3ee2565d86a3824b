"""POST /api/customers/sessions: customer login (public). Answers {token, sid} and sets the
`token` cookie, as EverShop's code did."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.shared.cookies import SameSite
from aws_lambda_powertools.utilities.typing import LambdaContext

from customer_api import openapi_docs as docs
from customer_api import tokens
from customer_api.auth import CUSTOMER_COOKIE
from customer_api.config import settings
from customer_api.http import CustomerApi, ok, session_cookie
from customer_api.logins import log_in_customer
from customer_api.models import Credentials
from customer_api.observability import CORRELATION_ID, logger, login_outcome, metrics, traced

app = CustomerApi()


@app.post(
    "/api/customers/sessions",
    summary="Log a customer in",
    responses=docs.responses("SessionReply", "A customer token; also set as the `token` cookie", 400, 413, 429, 503),
)
def log_in(credentials: Annotated[Credentials, Body()]) -> Response[str]:
    with login_outcome("customer"):
        customer, session = log_in_customer(credentials.email, credentials.password)
    lifetime = settings().customer_token_seconds
    token = tokens.issue(tokens.CUSTOMER, {"customer": customer.token_claims(), "sid": session.sid}, lifetime)
    logger.info("Customer logged in", extra={"customer_uuid": customer.uuid, "sid": session.sid})
    cookie = session_cookie(CUSTOMER_COOKIE, token, lifetime, SameSite.LAX_MODE)
    return ok({"token": token, "sid": session.sid}, cookies=[cookie])


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID)
@traced
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
