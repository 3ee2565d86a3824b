"""DELETE /api/customers/{id}: delete a customer and end its sessions (admin only)."""

from aws_lambda_powertools.event_handler import Response

from customer_api.domain.customers import delete_customer
from customer_api.edge import docs, paths
from customer_api.edge.credentials import admin_caller
from customer_api.edge.observability import count, logger
from customer_api.edge.replies import CustomerViewReply, customer_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=admin_caller, reads_body=False)


@app.delete(
    "/api/customers/<id>",
    summary="Delete a customer",
    tags=docs.ADMIN_CUSTOMERS,
    security=docs.ADMIN_ONLY,
    responses=docs.responses(CustomerViewReply, "The deleted customer", 401, 403, 404, 413, 415, 503),
)
def delete(id: str) -> Response[str]:  # noqa: A002 - EverShop's name
    customer = delete_customer(paths.customer_uuid(id))
    count("CustomerDeleted")
    logger.info("Customer deleted", extra={"customer_uuid": customer.uuid})
    return ok(CustomerViewReply(data=customer_view(customer)))


lambda_handler = app.lambda_handler()
