"""POST /api/customer-groups: create a customer group (admin only)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from customer_api.domain.address_inputs import GroupChange
from customer_api.domain.groups import create_group
from customer_api.edge import docs
from customer_api.edge.credentials import admin_caller
from customer_api.edge.observability import logger
from customer_api.edge.replies import GroupReply, group_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=admin_caller)


@app.post(
    "/api/customer-groups",
    summary="Create a customer group",
    tags=docs.CUSTOMER_GROUPS,
    security=docs.ADMIN_ONLY,
    responses=docs.responses(GroupReply, "The new group", 400, 401, 403, 413, 415, 503),
)
def create(group: Annotated[GroupChange, Body()]) -> Response[str]:
    created = create_group(group)
    logger.info("Customer group created", extra={"group_id": created.group_id})
    return ok(GroupReply(data=group_view(created)))


lambda_handler = app.lambda_handler()
