"""PATCH /api/customers/{id}: update a customer (admin only)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from customer_api.domain.customers import update_customer
from customer_api.domain.inputs import CustomerUpdate
from customer_api.edge import docs, paths
from customer_api.edge.credentials import admin_caller
from customer_api.edge.observability import logger
from customer_api.edge.replies import CustomerReply, customer_with_links
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=admin_caller)


@app.patch(
    "/api/customers/<id>",
    summary="Update a customer",
    tags=docs.ADMIN_CUSTOMERS,
    security=docs.ADMIN_ONLY,
    responses=docs.responses(CustomerReply, "The updated customer", 400, 401, 403, 404, 409, 413, 415, 503),
)
def update(id: str, changes: Annotated[CustomerUpdate, Body()]) -> Response[str]:  # noqa: A002 - EverShop's name
    customer = update_customer(paths.customer_uuid(id), changes)
    logger.info("Customer updated", extra={"customer_uuid": customer.uuid})
    return ok(CustomerReply(data=customer_with_links(customer)))


lambda_handler = app.lambda_handler()
