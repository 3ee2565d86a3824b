"""DELETE /api/customer-groups/{group_id}: delete a customer group no customer is in (admin only)."""

from aws_lambda_powertools.event_handler import Response

from customer_api.domain.groups import delete_group
from customer_api.edge import docs, paths
from customer_api.edge.credentials import admin_caller
from customer_api.edge.observability import logger
from customer_api.edge.replies import GroupReply, group_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=admin_caller, reads_body=False)


@app.delete(
    "/api/customer-groups/<group_id>",
    summary="Delete a customer group",
    tags=docs.CUSTOMER_GROUPS,
    security=docs.ADMIN_ONLY,
    responses=docs.responses(GroupReply, "The deleted group", 400, 401, 403, 404, 409, 503),
)
def delete(group_id: str) -> Response[str]:
    deleted = delete_group(paths.group_id(group_id))
    logger.info("Customer group deleted", extra={"group_id": deleted.group_id})
    return ok(GroupReply(data=group_view(deleted)))


lambda_handler = app.lambda_handler()
