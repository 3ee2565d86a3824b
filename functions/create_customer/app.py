"""POST /api/customers: create a customer (admin only)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.utilities.typing import LambdaContext

from customer_api import idempotency
from customer_api import openapi_docs as docs
from customer_api.auth import admin_caller
from customer_api.customers import create_customer
from customer_api.http import CustomerApi, customer_links, ok
from customer_api.models import CustomerCreate
from customer_api.observability import CORRELATION_ID, count, logger, metrics, traced

app = CustomerApi(authorize=admin_caller)


@app.post(
    "/api/customers",
    summary="Create a customer",
    security=docs.ADMIN_ONLY,
    responses=docs.responses("CustomerReply", "The new customer", 400, 401, 409, 413, 422, 503),
)
def create(
    new_customer: Annotated[CustomerCreate, Body()],
    idempotency_key: Annotated[str | None, Header(description=idempotency.KEY_DESCRIPTION)] = None,
) -> Response[str]:
    key = idempotency.valid_key(idempotency_key)
    if key is None:
        return ok(_create(new_customer))
    return ok(idempotency.create_once(app.caller().principal, key, new_customer, lambda: _create(new_customer)))


def _create(new_customer: CustomerCreate) -> dict[str, Any]:
    customer = create_customer(new_customer)
    count("CustomerCreated")
    logger.info("Customer created", extra={"customer_uuid": customer.uuid})
    return {**customer.view(), "links": customer_links(customer.uuid)}


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID)
@traced
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency.register(context)
    return app.resolve(event, context)
