"""GET /api/customers/me/addresses: the calling customer's addresses, the default first."""

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from customer_api.domain.addresses import list_addresses
from customer_api.edge import docs
from customer_api.edge.credentials import customer_caller
from customer_api.edge.observability import CORRELATION_ID, logger, metrics, traced
from customer_api.edge.replies import AddressList, AddressListReply, address_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=customer_caller, reads_body=False)


@app.get(
    "/api/customers/me/addresses",
    summary="List my addresses",
    tags=docs.OWN_ACCOUNT,
    security=docs.CUSTOMER_ONLY,
    responses=docs.responses(AddressListReply, "My addresses, the default first", 401, 503),
)
def list_mine() -> Response[str]:
    addresses = list_addresses(app.caller().principal)
    return ok(AddressListReply(data=AddressList(items=[address_view(address) for address in addresses])))


@logger.inject_lambda_context(correlation_id_path=CORRELATION_ID)
@traced
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
