"""POST /api/customers: create a customer (admin only)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Header

from customer_api.domain.customers import create_customer
from customer_api.domain.inputs import CustomerCreate
from customer_api.edge import docs, idempotency
from customer_api.edge.credentials import admin_caller
from customer_api.edge.observability import count, logger
from customer_api.edge.replies import CustomerReply, CustomerWithLinks, customer_with_links
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=admin_caller)


@app.post(
    "/api/customers",
    summary="Create a customer",
    tags=docs.ADMIN_CUSTOMERS,
    security=docs.ADMIN_ONLY,
    responses=docs.responses(CustomerReply, "The new customer", 400, 401, 403, 409, 413, 415, 422, 503),
)
def create(
    new_customer: Annotated[CustomerCreate, Body()],
    idempotency_key: Annotated[str | None, Header(description=idempotency.KEY_DESCRIPTION)] = None,
) -> Response[str]:
    key = idempotency.valid_key(idempotency_key)
    if key is None:
        return ok(CustomerReply(data=_create(new_customer)))
    created = idempotency.create_once(
        app.caller().principal, key, new_customer, lambda: _create(new_customer), app.lambda_context
    )
    return ok(CustomerReply(data=created))


def _create(new_customer: CustomerCreate) -> CustomerWithLinks:
    customer = create_customer(new_customer)
    count("CustomerCreated")
    logger.info("Customer created", extra={"customer_uuid": customer.uuid})
    return customer_with_links(customer)


lambda_handler = app.lambda_handler()
