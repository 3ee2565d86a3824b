"""GET /api/customers/me/addresses: the calling customer's addresses, the default first."""

from aws_lambda_powertools.event_handler import Response

from customer_api.domain.addresses import list_addresses
from customer_api.edge import docs
from customer_api.edge.credentials import customer_caller_with_address_book
from customer_api.edge.replies import AddressList, AddressListReply, address_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=customer_caller_with_address_book, reads_body=False)


@app.get(
    "/api/customers/me/addresses",
    summary="List my addresses",
    tags=docs.OWN_ACCOUNT,
    security=docs.CUSTOMER_ONLY,
    responses=docs.responses(AddressListReply, "My addresses, the default first", 401, 503),
)
def list_mine() -> Response[str]:
    me = app.caller()
    addresses = list_addresses(me.principal, me.address_book)
    return ok(AddressListReply(data=AddressList(items=[address_view(address) for address in addresses])))


lambda_handler = app.lambda_handler()
