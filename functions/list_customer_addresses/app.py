"""GET /api/customers/{id}/addresses: a customer's addresses (admin only)."""

from aws_lambda_powertools.event_handler import Response

from customer_api.domain.addresses import list_addresses
from customer_api.edge import docs, paths
from customer_api.edge.credentials import admin_caller
from customer_api.edge.replies import AddressList, AddressListReply, address_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=admin_caller, reads_body=False)


@app.get(
    "/api/customers/<id>/addresses",
    summary="List a customer's addresses",
    tags=docs.ADMIN_CUSTOMERS,
    security=docs.ADMIN_ONLY,
    responses=docs.responses(AddressListReply, "The customer's addresses, the default first", 401, 404, 503),
)
def list_of_customer(id: str) -> Response[str]:  # noqa: A002 - EverShop's name
    addresses = list_addresses(paths.customer_uuid(id))
    return ok(AddressListReply(data=AddressList(items=[address_view(address) for address in addresses])))


lambda_handler = app.lambda_handler()
