"""POST /api/customers/me/addresses: the calling customer adds an address."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from customer_api.domain.address_inputs import AddressCreate
from customer_api.domain.addresses import add_address
from customer_api.edge import docs
from customer_api.edge.credentials import customer_caller_with_address_book
from customer_api.edge.observability import logger
from customer_api.edge.replies import AddressReply, address_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=customer_caller_with_address_book)


@app.post(
    "/api/customers/me/addresses",
    summary="Add an address",
    tags=docs.OWN_ACCOUNT,
    security=docs.CUSTOMER_ONLY,
    responses=docs.responses(AddressReply, "The new address", 400, 401, 403, 413, 415, 503),
)
def add_mine(address: Annotated[AddressCreate, Body()]) -> Response[str]:
    me = app.caller()
    added = add_address(me.principal, address, me.address_book)
    logger.info("Address added", extra={"customer_uuid": me.principal, "address_uuid": added.uuid})
    return ok(AddressReply(data=address_view(added)))


lambda_handler = app.lambda_handler()
