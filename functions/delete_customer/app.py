"""DELETE /api/customers/{id}: delete a customer and end its sessions (admin only)."""

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from customer_api import openapi_docs as docs
from customer_api.auth import admin_caller
from customer_api.customers import delete_customer
from customer_api.errors import CustomerNotFound
from customer_api.http import CustomerApi, ok
from customer_api.observability import CORRELATION_ID, count, logger, metrics, traced
from customer_api.sessions import is_customer_uuid

app = CustomerApi(authorize=admin_caller)


@app.delete(
    "/api/customers/<id>",
    summary="Delete a customer",
    security=docs.ADMIN_ONLY,
    responses=docs.responses("DeletedCustomerReply", "The deleted customer", 401, 404, 413, 503),
)
def delete(id: str) -> Response[str]:  # noqa: A002 - EverShop's name
    if not is_customer_uuid(id):
        raise CustomerNotFound()
    customer = delete_customer(id)
    count("CustomerDeleted")
    logger.info("Customer deleted", extra={"customer_uuid": customer.uuid})
    return ok(customer.view())


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID)
@traced
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
