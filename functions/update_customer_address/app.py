"""PATCH /api/customers/{id}/addresses/{address_id}: change a customer's address (admin only)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from customer_api.domain.address_inputs import AddressUpdate
from customer_api.domain.addresses import update_address
from customer_api.edge import docs, paths
from customer_api.edge.credentials import admin_caller
from customer_api.edge.observability import logger
from customer_api.edge.replies import AddressReply, address_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=admin_caller)


@app.patch(
    "/api/customers/<id>/addresses/<address_id>",
    summary="Change a customer's address",
    tags=docs.ADMIN_CUSTOMERS,
    security=docs.ADMIN_ONLY,
    responses=docs.responses(AddressReply, "The changed address", 400, 401, 403, 404, 413, 415, 503),
)
def update_of_customer(id: str, address_id: str, changes: Annotated[AddressUpdate, Body()]) -> Response[str]:  # noqa: A002 - EverShop's name
    customer_uuid = paths.customer_uuid(id)
    changed = update_address(customer_uuid, paths.address_uuid(address_id), changes)
    logger.info("Address changed", extra={"customer_uuid": customer_uuid, "address_uuid": changed.uuid})
    return ok(AddressReply(data=address_view(changed)))


lambda_handler = app.lambda_handler()
