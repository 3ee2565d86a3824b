"""POST /api/customers/{id}/addresses: add an address to a customer (admin only)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from customer_api.domain.address_inputs import AddressCreate
from customer_api.domain.addresses import add_address
from customer_api.edge import docs, paths
from customer_api.edge.credentials import admin_caller
from customer_api.edge.observability import logger
from customer_api.edge.replies import AddressReply, address_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=admin_caller)


@app.post(
    "/api/customers/<id>/addresses",
    summary="Add an address to a customer",
    tags=docs.ADMIN_CUSTOMERS,
    security=docs.ADMIN_ONLY,
    responses=docs.responses(AddressReply, "The new address", 400, 401, 403, 404, 413, 415, 503),
)
def add_to_customer(id: str, address: Annotated[AddressCreate, Body()]) -> Response[str]:  # noqa: A002 - EverShop's name
    customer_uuid = paths.customer_uuid(id)
    added = add_address(customer_uuid, address)
    logger.info("Address added", extra={"customer_uuid": customer_uuid, "address_uuid": added.uuid})
    return ok(AddressReply(data=address_view(added)))


lambda_handler = app.lambda_handler()
