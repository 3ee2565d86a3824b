"""PATCH /api/customers/me/addresses/{address_id}: the calling customer changes an address."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from customer_api.domain.address_inputs import AddressUpdate
from customer_api.domain.addresses import update_address
from customer_api.edge import docs, paths
from customer_api.edge.credentials import customer_caller_with_address_book
from customer_api.edge.observability import logger
from customer_api.edge.replies import AddressReply, address_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=customer_caller_with_address_book)


@app.patch(
    "/api/customers/me/addresses/<address_id>",
    summary="Change one of my addresses",
    tags=docs.OWN_ACCOUNT,
    security=docs.CUSTOMER_ONLY,
    responses=docs.responses(AddressReply, "The changed address", 400, 401, 403, 404, 413, 415, 503),
)
def update_mine(address_id: str, changes: Annotated[AddressUpdate, Body()]) -> Response[str]:
    me = app.caller()
    changed = update_address(me.principal, paths.address_uuid(address_id), changes, me.address_book)
    logger.info("Address changed", extra={"customer_uuid": me.principal, "address_uuid": changed.uuid})
    return ok(AddressReply(data=address_view(changed)))


lambda_handler = app.lambda_handler()
