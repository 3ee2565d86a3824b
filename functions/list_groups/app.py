"""GET /api/customer-groups: every customer group (admin only)."""

from aws_lambda_powertools.event_handler import Response

from customer_api.domain.groups import list_groups
from customer_api.edge import docs
from customer_api.edge.credentials import admin_caller
from customer_api.edge.replies import GroupList, GroupListReply, group_view
from customer_api.edge.resolver import CustomerApi, ok

app = CustomerApi(authorize=admin_caller, reads_body=False)


@app.get(
    "/api/customer-groups",
    summary="List customer groups",
    tags=docs.CUSTOMER_GROUPS,
    security=docs.ADMIN_ONLY,
    responses=docs.responses(GroupListReply, "Every customer group, by id", 401, 503),
)
def list_all() -> Response[str]:
    return ok(GroupListReply(data=GroupList(items=[group_view(group) for group in list_groups()])))


lambda_handler = app.lambda_handler()
