"""GET /api/customers/{id}: read a customer (admin only)."""

from aws_lambda_powertools.event_handler import Response

from customer_api.domain.customers import get_customer
from customer_api.edge import docs, paths
from customer_api.edge.credentials import admin_caller
from customer_api.edge.replies import CustomerReply, customer_with_links
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=admin_caller, reads_body=False)


@app.get(
    "/api/customers/<id>",
    summary="Read a customer",
    tags=docs.ADMIN_CUSTOMERS,
    security=docs.ADMIN_ONLY,
    responses=docs.responses(CustomerReply, "The customer", 401, 404, 503),
)
def read(id: str) -> Response[str]:  # noqa: A002 - EverShop's name
    customer = get_customer(paths.customer_uuid(id))
    return ok(CustomerReply(data=customer_with_links(customer)))


lambda_handler = app.lambda_handler()
