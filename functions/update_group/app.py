"""PATCH /api/customer-groups/{group_id}: rename a customer group (admin only)."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from customer_api.domain.address_inputs import GroupChange
from customer_api.domain.groups import rename_group
from customer_api.edge import docs, paths
from customer_api.edge.credentials import admin_caller
from customer_api.edge.observability import logger
from customer_api.edge.replies import GroupReply, group_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=admin_caller)


@app.patch(
    "/api/customer-groups/<group_id>",
    summary="Rename a customer group",
    tags=docs.CUSTOMER_GROUPS,
    security=docs.ADMIN_ONLY,
    responses=docs.responses(GroupReply, "The renamed group", 400, 401, 403, 404, 413, 415, 503),
)
def rename(group_id: str, change: Annotated[GroupChange, Body()]) -> Response[str]:
    renamed = rename_group(paths.group_id(group_id), change)
    logger.info("Customer group renamed", extra={"group_id": renamed.group_id})
    return ok(GroupReply(data=group_view(renamed)))


lambda_handler = app.lambda_handler()
