"""GET /api/customers/{id} and GET /api/customers (admin): every row of the contract's "Reading
customers", "Identifiers", and the cursor's tamper-evidence."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from customer_api.core import clock
from local import runtime
from tests.api.test_customers import CUSTOMER_FIELDS, fields, links
from tests.support import Api, CustomerAccount


def dashed(customer_uuid: str) -> str:
    return str(uuid.UUID(customer_uuid))


def listing(api: Api, token: str, query: str = "") -> dict[str, Any]:
    reply = api.get(f"/api/customers?{query}", token=token)
    assert reply.status == 200, reply.body
    return reply.data


def every_page(api: Api, token: str, query: str) -> list[dict[str, Any]]:
    items, cursor = [], None
    for _ in range(1000):
        page = listing(api, token, query + (f"&cursor={cursor}" if cursor else ""))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the listing never ended")


# --- one customer


def test_an_admin_reads_a_customer_with_links(api: Api, admin_token: str, customer: CustomerAccount) -> None:
    reply = api.get(f"/api/customers/{customer.uuid}", token=admin_token)
    assert reply.status == 200
    assert reply.data == {**customer.view, "links": links(customer.uuid)}
    assert "$2" not in json.dumps(reply.body)


@pytest.mark.parametrize("form", [str.upper, dashed, lambda u: dashed(u).upper()])
def test_a_customer_id_may_be_dashed_in_any_case_and_answers_32_hex(
    api: Api, admin_token: str, customer: CustomerAccount, form: Any
) -> None:
    reply = api.get(f"/api/customers/{form(customer.uuid)}", token=admin_token)
    assert reply.status == 200
    assert reply.data["uuid"] == customer.uuid
    renamed = api.patch(f"/api/customers/{form(customer.uuid)}", {"full_name": "Dashed"}, token=admin_token)
    assert renamed.data["uuid"] == customer.uuid


@pytest.mark.parametrize(
    "path_id", ["6f1c2a9e4b7d4e0a9c3b5d8e7f6a1b2c", "6f1c2a9e-4b7d-4e0a-9c3b-5d8e7f6a1b2c", "nope", "me2"]
)
def test_an_unknown_customer_is_a_404(api: Api, admin_token: str, path_id: str) -> None:
    reply = api.get(f"/api/customers/{path_id}", token=admin_token)
    assert reply.status == 404
    assert reply.error == {"status": 404, "message": "Invalid customer id"}


def test_reads_need_an_admin_token(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    customer_token = log_in(customer)["token"]
    for path in (f"/api/customers/{customer.uuid}", "/api/customers", f"/api/customers?email={customer.email}"):
        assert api.get(path, token=customer_token).status == 401
        assert api.get(path).status == 401


def test_me_and_an_id_are_routed_as_api_gateway_routes_them() -> None:
    """Literal segments win over variables: /api/customers/me is never a customer id."""
    for method, function in [("GET", "GetOwnAccountFunction"), ("PATCH", "UpdateOwnAccountFunction")]:
        me = runtime.match(method, "/api/customers/me")
        assert me is not None and me.function.name == function
    by_id = runtime.match("GET", f"/api/customers/{uuid.uuid4().hex}")
    assert by_id is not None and by_id.function.name == "GetCustomerFunction"
    sessions = runtime.match("GET", "/api/customers/me/sessions")
    assert sessions is not None and sessions.function.name == "ListOwnSessionsFunction"
    assert runtime.match("DELETE", "/api/customers/me") is not None  # DELETE {id}: "me" is no uuid, a 404


def test_an_admin_token_on_me_is_refused_and_me_is_no_id(api: Api, admin_token: str) -> None:
    assert api.get("/api/customers/me", token=admin_token).status == 401
    assert api.delete("/api/customers/me", token=admin_token).status == 404


# --- listing


def test_the_listing_is_newest_first_without_links_or_hashes(api: Api, admin_token: str, new_customer: Any) -> None:
    made = [new_customer() for _ in range(5)]
    page = listing(api, admin_token)
    assert [item["uuid"] for item in page["items"]] == [c.uuid for c in reversed(made)]
    assert page["next_cursor"] is None
    assert all(list(item) == CUSTOMER_FIELDS for item in page["items"])
    assert page["items"][0] == fields(made[-1].view)
    assert "$2" not in json.dumps(page)


def test_pages_follow_the_cursor_to_the_end(api: Api, admin_token: str, new_customer: Any) -> None:
    made = [new_customer() for _ in range(23)]
    first = listing(api, admin_token)
    assert len(first["items"]) == 20  # the default limit
    items = every_page(api, admin_token, "limit=4")
    assert [item["uuid"] for item in items] == [c.uuid for c in reversed(made)]


def test_an_email_finds_its_customer_in_any_case(api: Api, admin_token: str, new_customer: Any) -> None:
    customer = new_customer(email="Ann.Lee@Shop.example.com")
    new_customer()
    found = listing(api, admin_token, "email=ANN.LEE@shop.example.COM")
    assert found == {"items": [fields(customer.view)], "next_cursor": None}
    assert listing(api, admin_token, "email=nobody@shop.example.com")["items"] == []
    # Other filters apply to what the email found.
    assert listing(api, admin_token, "email=ann.lee@shop.example.com&status=0")["items"] == []


def test_an_email_prefix_lists_in_address_order(api: Api, admin_token: str, new_customer: Any) -> None:
    for name in ["bob", "Bea", "bill", "anna", "bo"]:
        new_customer(email=f"{name}@shop.example.com")
    items = every_page(api, admin_token, "email_prefix=B&limit=2")
    assert [item["email"] for item in items] == [
        "Bea@shop.example.com",
        "bill@shop.example.com",
        "bo@shop.example.com",
        "bob@shop.example.com",
    ]


def test_status_and_group_filter(api: Api, admin_token: str, new_customer: Any) -> None:
    enabled, disabled = new_customer(), new_customer(status=0)
    assert [i["uuid"] for i in listing(api, admin_token, "status=0")["items"]] == [disabled.uuid]
    assert [i["uuid"] for i in listing(api, admin_token, "status=1&group_id=1")["items"]] == [enabled.uuid]
    assert listing(api, admin_token, "group_id=2")["items"] == []


def test_a_bare_created_to_date_takes_in_the_whole_day(
    api: Api, admin_token: str, new_customer: Any, frozen_clock: Any
) -> None:
    frozen_clock(1_795_000_000.0 - clock.now())  # to 2026-11-18 09:46:40 UTC
    morning = new_customer()
    frozen_clock(12 * 3600)  # 21:46:40
    evening = new_customer()
    frozen_clock(6 * 3600)  # the next day
    new_customer()
    found = listing(api, admin_token, "created_from=2026-11-18&created_to=2026-11-18")["items"]
    assert [item["uuid"] for item in found] == [evening.uuid, morning.uuid]
    found = listing(api, admin_token, "created_to=2026-11-18 12:00:00")["items"]
    assert [item["uuid"] for item in found] == [morning.uuid]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("status=2", "status"),
        ("group_id=-1", "group_id"),
        ("group_id=99999999999", "group_id"),
        ("created_from=2026-13-01", "created_from"),
        ("created_to=yesterday", "created_to"),
        ("created_from=2026-11-02&created_to=2026-11-01", "created_to"),
        ("email=not-an-email", "email"),
        ("email_prefix=", "email_prefix"),
        ("email_prefix=%01", "email_prefix"),
        ("cursor=", "cursor"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(api: Api, admin_token: str, query: str, parameter: str) -> None:
    reply = api.get(f"/api/customers?{query}", token=admin_token)
    assert reply.status == 400, reply.body
    assert reply.error["message"].startswith(f"Invalid {parameter}:")


def test_unknown_parameters_are_ignored(api: Api, admin_token: str, customer: CustomerAccount) -> None:
    assert listing(api, admin_token, "sort=name&page=3")["items"] == [fields(customer.view)]


# --- cursors


def a_cursor(api: Api, admin_token: str, new_customer: Any, query: str = "limit=1") -> str:
    new_customer(), new_customer()
    cursor = listing(api, admin_token, query)["next_cursor"]
    assert isinstance(cursor, str)
    return cursor


def edited(cursor: str, **changes: Any) -> str:
    """The cursor with its payload changed and its signature kept."""
    payload, _, signature = cursor.partition(".")
    content = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged = base64.urlsafe_b64encode(json.dumps({**content, **changes}).encode()).decode().rstrip("=")
    return f"{forged}.{signature}"


def test_a_cursor_is_opaque_and_names_no_store_key(api: Api, admin_token: str, new_customer: Any) -> None:
    cursor = a_cursor(api, admin_token, new_customer)
    assert "CUSTOMER#" not in cursor and "CREATED#" not in cursor
    assert listing(api, admin_token, f"limit=1&cursor={cursor}")["items"]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: edited(c, at="9999-12-31 23:59:59#999999999999"),
        lambda c: c[:-3],
        lambda c: c[: len(c) // 2],
        lambda c: c.partition(".")[0],
        lambda c: "x" + c,
        lambda c: "garbage.garbage",
        lambda c: "...",
        lambda c: "%FF%FE.",
    ],
    ids=["edited payload", "cut signature", "half", "no signature", "prefixed", "garbage", "dots", "bytes"],
)
def test_a_tampered_cursor_is_a_400(api: Api, admin_token: str, new_customer: Any, tamper: Any) -> None:
    cursor = a_cursor(api, admin_token, new_customer)
    reply = api.get(f"/api/customers?limit=1&cursor={tamper(cursor)}", token=admin_token)
    assert reply.status == 400, reply.body
    assert reply.error["message"].startswith("Invalid cursor:")


def test_a_cursor_of_other_filters_is_a_400_but_another_limit_is_fine(
    api: Api, admin_token: str, new_customer: Any
) -> None:
    cursor = a_cursor(api, admin_token, new_customer, "limit=1&status=1")
    assert api.get(f"/api/customers?limit=5&status=1&cursor={cursor}", token=admin_token).status == 200
    for other in ("limit=1", "limit=1&status=0", "limit=1&status=1&group_id=1", "limit=1&status=1&email_prefix=a"):
        reply = api.get(f"/api/customers?{other}&cursor={cursor}", token=admin_token)
        assert reply.status == 400, other
        assert reply.error["message"] == "Invalid cursor: it belongs to a query with other filters"
