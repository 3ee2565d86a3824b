"""POST /api/customers/password: set a new password with a reset token (public). The token is
spent, the password set and every session ended in one write."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from customer_api.domain.inputs import PasswordResetWithToken
from customer_api.domain.recovery import reset_password
from customer_api.edge import docs
from customer_api.edge.observability import logger
from customer_api.edge.replies import Empty, EmptyReply
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi()


@app.post(
    "/api/customers/password",
    summary="Set a new password with a reset token",
    description="Spends the token and ends every session of the customer. A wrong, spent, replaced "
    "or expired token: 400 `Token is invalid or expired`.",
    tags=docs.PASSWORD_RECOVERY,
    responses=docs.responses(EmptyReply, "The password was changed", 400, 413, 415, 503),
)
def set_password(request: Annotated[PasswordResetWithToken, Body()]) -> Response[str]:
    customer = reset_password(request.token, request.password)
    logger.info("Password reset", extra={"customer_uuid": customer.uuid})
    return ok(EmptyReply(data=Empty()))


lambda_handler = app.lambda_handler()
