"""GET /api/customers: find customers by email, email prefix, status, group and creation time,
a page at a time (admin only)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from customer_api.domain.listing import find_customers, listing_request
from customer_api.edge import docs
from customer_api.edge.credentials import admin_caller
from customer_api.edge.replies import CustomerPage, CustomerPageReply, customer_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=admin_caller, reads_body=False)

Parameter = Annotated[str | None, Query()]


@app.get(
    "/api/customers",
    summary="List and find customers",
    description=(
        "Newest first, or in address order with `email_prefix`. A page may hold fewer than `limit` "
        "items and still have a `next_cursor`; `null` means the end. Send `next_cursor` back as "
        "`cursor` with the same filters."
    ),
    tags=docs.ADMIN_CUSTOMERS,
    security=docs.ADMIN_ONLY,
    responses=docs.responses(CustomerPageReply, "A page of customers", 400, 401, 503),
)
def list_customers(
    *,
    email: Parameter = None,
    email_prefix: Parameter = None,
    status: Parameter = None,
    group_id: Parameter = None,
    created_from: Parameter = None,
    created_to: Parameter = None,
    limit: Parameter = None,
    cursor: Parameter = None,
) -> Response[str]:
    given = {
        "email": email,
        "email_prefix": email_prefix,
        "status": status,
        "group_id": group_id,
        "created_from": created_from,
        "created_to": created_to,
        "limit": limit,
        "cursor": cursor,
    }
    request = listing_request({name: value for name, value in given.items() if value is not None})
    customers, next_cursor = find_customers(request)
    page = CustomerPage(items=[customer_view(customer) for customer in customers], next_cursor=next_cursor)
    return ok(CustomerPageReply(data=page))


lambda_handler = app.lambda_handler()
