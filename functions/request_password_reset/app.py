"""POST /api/customers/reset-password: ask for a password reset token (public). The same answer,
after the same work, whether or not a customer has the email; the token goes out encrypted in
the customer.password_reset_requested event, never in the reply."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from customer_api.domain.inputs import PasswordResetRequest
from customer_api.domain.recovery import request_password_reset
from customer_api.edge import docs
from customer_api.edge.observability import logger
from customer_api.edge.replies import Empty, EmptyReply
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi()


@app.post(
    "/api/customers/reset-password",
    summary="Ask for a password reset",
    description=(
        "Answers 200 for any well-formed email, known or not. For an enabled customer it makes a "
        "reset token (valid one hour, single use, replacing an older one) and publishes "
        "`customer.password_reset_requested` with the token encrypted by KMS, for the shop's mailer."
    ),
    tags=docs.PASSWORD_RECOVERY,
    responses=docs.responses(EmptyReply, "The request was taken", 400, 413, 415, 429, 503),
)
def ask_for_reset(request: Annotated[PasswordResetRequest, Body()]) -> Response[str]:
    request_password_reset(request.email)
    # Neither the email nor whether it is a customer's: the log would tell what the answer hides.
    logger.info("Password reset requested")
    return ok(EmptyReply(data=Empty()))


lambda_handler = app.lambda_handler()
