"""PATCH /api/customers/{id}: update a customer (admin only)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from customer_api import openapi_docs as docs
from customer_api.auth import admin_caller
from customer_api.customers import update_customer
from customer_api.errors import CustomerNotFound
from customer_api.http import CustomerApi, customer_links, ok
from customer_api.models import CustomerUpdate
from customer_api.observability import CORRELATION_ID, logger, metrics, traced
from customer_api.sessions import is_customer_uuid

app = CustomerApi(authorize=admin_caller)


@app.patch(
    "/api/customers/<id>",
    summary="Update a customer",
    security=docs.ADMIN_ONLY,
    responses=docs.responses("CustomerReply", "The updated customer", 400, 401, 404, 409, 413, 503),
)
def update(id: str, changes: Annotated[CustomerUpdate, Body()]) -> Response[str]:  # noqa: A002 - EverShop's name
    if not is_customer_uuid(id):
        raise CustomerNotFound()
    customer = update_customer(id, changes)
    logger.info("Customer updated", extra={"customer_uuid": customer.uuid})
    return ok({**customer.view(), "links": customer_links(customer.uuid)})


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID)
@traced
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
