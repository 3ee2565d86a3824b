"""Customer groups (admin): /api/customer-groups, and group_id on a customer's create and update.
Every row of the contract."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support import Api, CustomerAccount, unique_email

GROUP_FIELDS = ["group_id", "uuid", "group_name", "created_at", "updated_at"]


def create_group(api: Api, token: str, name: str = "Wholesale") -> dict[str, Any]:
    reply = api.post("/api/customer-groups", {"group_name": name}, token=token)
    assert reply.status == 200, reply.body
    return reply.data


def groups(api: Api, token: str) -> list[dict[str, Any]]:
    reply = api.get("/api/customer-groups", token=token)
    assert reply.status == 200, reply.body
    return reply.data["items"]  # type: ignore[no-any-return]


def test_the_default_group_is_always_there(api: Api, admin_token: str) -> None:
    (default,) = groups(api, admin_token)
    assert list(default) == GROUP_FIELDS
    assert (default["group_id"], default["group_name"]) == (1, "Default")
    assert re.fullmatch(r"[0-9a-f]{32}", default["uuid"])


def test_groups_are_created_renamed_and_listed_by_id(api: Api, admin_token: str) -> None:
    wholesale = create_group(api, admin_token, "  Wholesale ")
    assert list(wholesale) == GROUP_FIELDS
    assert (wholesale["group_id"], wholesale["group_name"]) == (2, "Wholesale")
    retail = create_group(api, admin_token, "Retail")
    renamed = api.patch(f"/api/customer-groups/{wholesale['group_id']}", {"group_name": "Trade"}, token=admin_token)
    assert renamed.status == 200
    assert renamed.data == {**wholesale, "group_name": "Trade", "updated_at": renamed.data["updated_at"]}
    assert [(g["group_id"], g["group_name"]) for g in groups(api, admin_token)] == [
        (1, "Default"),
        (2, "Trade"),
        (retail["group_id"], "Retail"),
    ]


def test_the_default_group_can_be_renamed_but_not_deleted(api: Api, admin_token: str) -> None:
    before = groups(api, admin_token)[0]
    renamed = api.patch("/api/customer-groups/1", {"group_name": "Everyone"}, token=admin_token)
    assert renamed.status == 200
    assert (renamed.data["uuid"], renamed.data["group_name"]) == (before["uuid"], "Everyone")
    assert groups(api, admin_token)[0]["group_name"] == "Everyone"
    again = api.patch("/api/customer-groups/1", {"group_name": "All"}, token=admin_token)
    assert again.data["group_name"] == "All"
    refused = api.delete("/api/customer-groups/1", token=admin_token)
    assert refused.status == 400
    assert refused.error["message"] == "The Default group cannot be deleted"


def test_a_group_in_use_is_a_409_and_an_unused_one_is_deleted(api: Api, admin_token: str, new_customer: Any) -> None:
    group = create_group(api, admin_token)
    customer = new_customer(group_id=group["group_id"])
    assert customer.view["group_id"] == group["group_id"]
    in_use = api.delete(f"/api/customer-groups/{group['group_id']}", token=admin_token)
    assert in_use.status == 409
    assert in_use.error["message"] == "Customer group is in use"
    assert api.patch(f"/api/customers/{customer.uuid}", {"group_id": 1}, token=admin_token).data["group_id"] == 1
    deleted = api.delete(f"/api/customer-groups/{group['group_id']}", token=admin_token)
    assert deleted.status == 200
    assert deleted.data == group
    assert [g["group_id"] for g in groups(api, admin_token)] == [1]
    assert api.delete(f"/api/customer-groups/{group['group_id']}", token=admin_token).status == 404


def test_deleting_its_last_customer_frees_a_group(api: Api, admin_token: str, new_customer: Any) -> None:
    group = create_group(api, admin_token)
    customer = new_customer(group_id=str(group["group_id"]))
    assert api.delete(f"/api/customers/{customer.uuid}", token=admin_token).status == 200
    assert api.delete(f"/api/customer-groups/{group['group_id']}", token=admin_token).status == 200


@pytest.mark.parametrize("group_id", [99, 0, -1, True, 1.0, "two", None])
def test_an_unknown_or_malformed_group_on_a_customer_is_a_400(api: Api, admin_token: str, group_id: Any) -> None:
    body = {"email": unique_email(), "password": "secret-123", "full_name": "Jo", "group_id": group_id}
    reply = api.post("/api/customers", body, token=admin_token)
    assert reply.status == 400, reply.body
    assert reply.error["message"] in {"Invalid customer group", "Group id must not be null"}


def test_a_customer_moves_between_groups_and_the_listing_filters_by_them(
    api: Api, admin_token: str, customer: CustomerAccount
) -> None:
    group = create_group(api, admin_token)
    moved = api.patch(f"/api/customers/{customer.uuid}", {"group_id": group["group_id"]}, token=admin_token)
    assert moved.data["group_id"] == group["group_id"]
    listed = api.get(f"/api/customers?group_id={group['group_id']}", token=admin_token).data["items"]
    assert [item["uuid"] for item in listed] == [customer.uuid]
    assert api.get("/api/customers?group_id=1", token=admin_token).data["items"] == []
    bad = api.patch(f"/api/customers/{customer.uuid}", {"group_id": 77}, token=admin_token)
    assert bad.status == 400
    assert bad.error["message"] == "Invalid customer group"


@pytest.mark.parametrize("group_id", ["x", "1.5", "-2", "0", "99999999999", "%20"])
def test_a_group_id_that_is_no_integer_is_a_404(api: Api, admin_token: str, group_id: str) -> None:
    reply = api.patch(f"/api/customer-groups/{group_id}", {"group_name": "X"}, token=admin_token)
    assert reply.status == 404
    assert api.delete(f"/api/customer-groups/{group_id}", token=admin_token).status == 404


def test_renaming_an_unknown_group_is_a_404(api: Api, admin_token: str) -> None:
    reply = api.patch("/api/customer-groups/42", {"group_name": "Ghost"}, token=admin_token)
    assert reply.status == 404
    assert reply.error["message"] == "Invalid customer group id"


@pytest.mark.parametrize(
    "body", [{}, {"group_name": ""}, {"group_name": "  "}, {"group_name": 5}, {"group_name": "x" * 256}]
)
def test_a_group_needs_a_name(api: Api, admin_token: str, body: dict[str, Any]) -> None:
    reply = api.post("/api/customer-groups", body, token=admin_token)
    assert reply.status == 400
    assert "Group name" in reply.error["message"]


def test_groups_are_for_admins(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    token = log_in(customer)["token"]
    assert api.get("/api/customer-groups", token=token).status == 401
    assert api.post("/api/customer-groups", {"group_name": "Mine"}, token=token).status == 401
    assert api.get("/api/customer-groups").status == 401
