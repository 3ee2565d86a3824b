"""DELETE /api/customers/{id}/addresses/{address_id}: delete a customer's address (admin only)."""

from aws_lambda_powertools.event_handler import Response

from customer_api.domain.addresses import delete_address
from customer_api.edge import docs, paths
from customer_api.edge.credentials import admin_caller
from customer_api.edge.observability import logger
from customer_api.edge.replies import AddressReply, address_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=admin_caller, reads_body=False)


@app.delete(
    "/api/customers/<id>/addresses/<address_id>",
    summary="Delete a customer's address",
    tags=docs.ADMIN_CUSTOMERS,
    security=docs.ADMIN_ONLY,
    responses=docs.responses(AddressReply, "The deleted address", 401, 403, 404, 503),
)
def delete_of_customer(id: str, address_id: str) -> Response[str]:  # noqa: A002 - EverShop's name
    customer_uuid = paths.customer_uuid(id)
    deleted = delete_address(customer_uuid, paths.address_uuid(address_id))
    logger.info("Address deleted", extra={"customer_uuid": customer_uuid, "address_uuid": deleted.uuid})
    return ok(AddressReply(data=address_view(deleted)))


lambda_handler = app.lambda_handler()
