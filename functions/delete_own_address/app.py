"""DELETE /api/customers/me/addresses/{address_id}: the calling customer deletes an address."""

from aws_lambda_powertools.event_handler import Response

from customer_api.domain.addresses import delete_address
from customer_api.edge import docs, paths
from customer_api.edge.credentials import customer_caller_with_address_book
from customer_api.edge.observability import logger
from customer_api.edge.replies import AddressReply, address_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=customer_caller_with_address_book, reads_body=False)


@app.delete(
    "/api/customers/me/addresses/<address_id>",
    summary="Delete one of my addresses",
    tags=docs.OWN_ACCOUNT,
    security=docs.CUSTOMER_ONLY,
    responses=docs.responses(AddressReply, "The deleted address", 401, 403, 404, 503),
)
def delete_mine(address_id: str) -> Response[str]:
    me = app.caller()
    deleted = delete_address(me.principal, paths.address_uuid(address_id), me.address_book)
    logger.info("Address deleted", extra={"customer_uuid": me.principal, "address_uuid": deleted.uuid})
    return ok(AddressReply(data=address_view(deleted)))


lambda_handler = app.lambda_handler()
