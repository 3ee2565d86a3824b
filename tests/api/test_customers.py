"""POST /api/customers, PATCH and DELETE /api/customers/{id}: every row of the contract."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from customer_api.core import clock
from tests.support import Api, CustomerAccount, unique_email

CUSTOMER_FIELDS = ["customer_id", "uuid", "status", "group_id", "email", "full_name", "created_at", "updated_at"]
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def links(customer_uuid: str) -> list[dict[str, Any]]:
    return [
        {"rel": "customerGrid", "href": "/admin/customers", "action": "GET", "types": ["text/xml"]},
        {"rel": "edit", "href": f"/admin/customers/edit/{customer_uuid}", "action": "GET", "types": ["text/xml"]},
    ]


def fields(customer: dict[str, Any]) -> dict[str, Any]:
    return {name: customer[name] for name in CUSTOMER_FIELDS}


def create_body(**overrides: Any) -> dict[str, Any]:
    return {"email": unique_email(), "password": "secret-123", "full_name": "Jane Doe", **overrides}


# --- create ---------------------------------------------------------------------------------


def test_create_answers_the_customer_with_links_and_no_password(api: Api, admin_token: str) -> None:
    body = create_body(email="  Jane.Doe@Shop.Example.com ", full_name="  Jane Doe  ")
    reply = api.post("/api/customers", body, token=admin_token)
    assert reply.status == 200
    data = reply.data
    assert list(data) == [*CUSTOMER_FIELDS, "links"]
    assert data["email"] == "Jane.Doe@Shop.Example.com"
    assert data["full_name"] == "Jane Doe"
    assert data["status"] == 1
    assert data["group_id"] == 1
    assert re.fullmatch(r"[0-9a-f]{32}", data["uuid"])
    assert uuid.UUID(data["uuid"]).version == 4
    assert TIMESTAMP.fullmatch(data["created_at"])
    assert data["updated_at"] == data["created_at"]
    assert data["links"] == links(data["uuid"])
    assert "password" not in reply.body["data"]
    assert "$2" not in str(reply.body)


def test_customer_ids_increase_from_one(api: Api, new_customer: Any) -> None:
    ids = [new_customer().view["customer_id"] for _ in range(3)]
    assert ids == [1, 2, 3]


def test_customer_ids_are_not_reused_after_a_delete(api: Api, admin_token: str, new_customer: Any) -> None:
    first = new_customer()
    api.delete(f"/api/customers/{first.uuid}", token=admin_token)
    assert new_customer().view["customer_id"] == first.view["customer_id"] + 1


@pytest.mark.parametrize("status", [0, 1, "0", "1"])
def test_create_accepts_every_documented_status(api: Api, admin_token: str, status: Any) -> None:
    reply = api.post("/api/customers", create_body(status=status), token=admin_token)
    assert reply.status == 200
    assert reply.data["status"] == int(status)


def test_create_ignores_unknown_fields(api: Api, admin_token: str) -> None:
    reply = api.post("/api/customers", create_body(customer_id=7, favourite="tea"), token=admin_token)
    assert reply.status == 200
    assert reply.data["customer_id"] == 1
    assert "favourite" not in reply.data


def test_create_with_a_used_email_in_another_case_is_409(api: Api, admin_token: str, customer: Any) -> None:
    reply = api.post("/api/customers", create_body(email=customer.email.upper()), token=admin_token)
    assert reply.status == 409
    assert reply.body == {"error": {"status": 409, "message": "Email is already used"}}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": "not-an-email"}, "Email must be a valid email address (e.g., user@example.com)"),
        ({"email": "a@b"}, "Email must be a valid email address (e.g., user@example.com)"),
        ({"email": "x" * 250 + "@e.com"}, "Email must be a valid email address (e.g., user@example.com)"),
        ({"password": "12345"}, "Password must be at least 6 characters"),
        ({"password": "ü" * 37}, "Password must be at most 72 bytes in UTF-8"),
        ({"full_name": "   "}, "Full name is required and cannot be empty"),
        ({"full_name": "x" * 256}, "Full name must be at most 255 characters"),
        ({"status": 2}, "Status must be either 0, 1, '0', or '1'"),
        ({"status": True}, "Status must be either 0, 1, '0', or '1'"),
        ({"email": 42}, "Email must be a string"),
    ],
)
def test_create_rejects_invalid_fields_with_evershop_messages(
    api: Api, admin_token: str, overrides: dict[str, Any], message: str
) -> None:
    reply = api.post("/api/customers", create_body(**overrides), token=admin_token)
    assert reply.status == 400
    assert reply.body == {"error": {"status": 400, "message": message}}


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("email", "Email is required"),
        ("password", "Password is required"),
        ("full_name", "Full name is required and cannot be empty"),
    ],
)
def test_create_requires_each_field(api: Api, admin_token: str, missing: str, message: str) -> None:
    body = create_body()
    del body[missing]
    reply = api.post("/api/customers", body, token=admin_token)
    assert reply.status == 400
    assert reply.error["message"] == message


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "Request body is not valid JSON"),
        ("[1, 2]", "Request body must be a JSON object"),
        ('"text"', "Request body must be a JSON object"),
        ("", "Request body must be a JSON object"),
    ],
)
def test_create_rejects_a_body_that_is_not_a_json_object(api: Api, admin_token: str, raw: str, message: str) -> None:
    reply = api.post("/api/customers", raw_body=raw, token=admin_token)
    assert reply.status == 400
    assert reply.body == {"error": {"status": 400, "message": message}}


def test_create_rejects_a_body_over_the_size_cap_with_413(api: Api, admin_token: str) -> None:
    reply = api.post("/api/customers", create_body(full_name="x" * 20_000), token=admin_token)
    assert reply.status == 413
    assert reply.error["status"] == 413


def test_create_without_an_admin_token_is_401_even_with_a_bad_body(api: Api) -> None:
    reply = api.post("/api/customers", raw_body="{not json")
    assert reply.status == 401
    assert reply.body == {"error": {"status": 401, "message": "Unauthorized"}}


def test_create_accepts_the_admin_token_cookie(api: Api, admin_token: str) -> None:
    reply = api.post("/api/customers", create_body(), cookies=[f"admin_token={admin_token}"])
    assert reply.status == 200


def test_created_customer_can_log_in_at_once(api: Api, customer: CustomerAccount, log_in: Any) -> None:
    assert log_in(customer)["sid"]


# --- update ---------------------------------------------------------------------------------


def test_update_changes_the_given_fields_and_answers_with_links(
    api: Api, admin_token: str, customer: CustomerAccount
) -> None:
    reply = api.patch(f"/api/customers/{customer.uuid}", {"full_name": " New Name ", "status": "0"}, token=admin_token)
    assert reply.status == 200
    assert reply.data["full_name"] == "New Name"
    assert reply.data["status"] == 0
    assert reply.data["email"] == customer.email
    assert reply.data["links"] == links(customer.uuid)
    assert list(reply.data) == [*CUSTOMER_FIELDS, "links"]


def test_update_refreshes_updated_at(api: Api, admin_token: str, customer: CustomerAccount, monkeypatch: Any) -> None:
    later = clock.now() + 3600
    monkeypatch.setattr(clock, "now", lambda: later)
    reply = api.patch(f"/api/customers/{customer.uuid}", {"full_name": "Later"}, token=admin_token)
    assert reply.data["updated_at"] > customer.view["updated_at"]
    assert reply.data["created_at"] == customer.view["created_at"]


def test_update_with_an_empty_body_changes_nothing(api: Api, admin_token: str, customer: CustomerAccount) -> None:
    reply = api.patch(f"/api/customers/{customer.uuid}", {}, token=admin_token)
    assert reply.status == 200
    assert fields(reply.data) == fields(customer.view)
    assert reply.data["links"] == links(customer.uuid)


def test_update_of_an_unknown_customer_is_404(api: Api, admin_token: str) -> None:
    reply = api.patch(f"/api/customers/{uuid.uuid4().hex}", {"full_name": "X"}, token=admin_token)
    assert reply.status == 404
    assert reply.body == {"error": {"status": 404, "message": "Invalid customer id"}}


@pytest.mark.parametrize("bad_id", ["123", "not-a-uuid", "6f1c2a9e-4b7d-4e0a-9c3b-5d8e7f6a1b2c", "G" * 32])
def test_update_with_a_malformed_id_is_404(api: Api, admin_token: str, bad_id: str) -> None:
    reply = api.patch(f"/api/customers/{bad_id}", {"full_name": "X"}, token=admin_token)
    assert reply.status == 404
    assert reply.error["message"] == "Invalid customer id"


def test_update_to_an_email_used_by_another_is_409(api: Api, admin_token: str, new_customer: Any) -> None:
    first, second = new_customer(), new_customer()
    reply = api.patch(f"/api/customers/{second.uuid}", {"email": first.email.upper()}, token=admin_token)
    assert reply.status == 409
    assert reply.error["message"] == "Email is already used"


def test_update_of_the_email_frees_the_old_one(api: Api, admin_token: str, new_customer: Any) -> None:
    first = new_customer()
    new_email = unique_email("moved")
    assert api.patch(f"/api/customers/{first.uuid}", {"email": new_email}, token=admin_token).status == 200
    assert new_customer(email=first.email).email == first.email
    assert api.post("/api/customers", create_body(email=new_email), token=admin_token).status == 409


def test_update_may_change_only_the_letter_case_of_the_email(
    api: Api, admin_token: str, customer: CustomerAccount
) -> None:
    reply = api.patch(f"/api/customers/{customer.uuid}", {"email": customer.email.upper()}, token=admin_token)
    assert reply.status == 200
    assert reply.data["email"] == customer.email.upper()


def test_update_validates_fields_as_create_does(api: Api, admin_token: str, customer: CustomerAccount) -> None:
    reply = api.patch(f"/api/customers/{customer.uuid}", {"password": "123"}, token=admin_token)
    assert reply.status == 400
    assert reply.error["message"] == "Password must be at least 6 characters"


def test_password_change_lets_the_new_password_in_and_not_the_old(
    api: Api, admin_token: str, customer: CustomerAccount
) -> None:
    api.patch(f"/api/customers/{customer.uuid}", {"password": "brand-new-1"}, token=admin_token)
    old = api.post("/api/customers/sessions", {"email": customer.email, "password": customer.password})
    new = api.post("/api/customers/sessions", {"email": customer.email, "password": "brand-new-1"})
    assert old.status == 400
    assert new.status == 200


@pytest.mark.parametrize("change", [{"password": "brand-new-1"}, {"status": 0}])
def test_password_change_or_disabling_ends_every_session(
    api: Api, admin_token: str, customer: CustomerAccount, log_in: Any, change: dict[str, Any]
) -> None:
    sessions = [log_in(customer), log_in(customer)]
    assert api.patch(f"/api/customers/{customer.uuid}", change, token=admin_token).status == 200
    for session in sessions:
        reply = api.delete(f"/api/customers/sessions/{session['sid']}", token=session["token"])
        assert reply.status == 401


def test_a_name_change_keeps_sessions_alive(api: Api, admin_token: str, customer: CustomerAccount, log_in: Any) -> None:
    session = log_in(customer)
    api.patch(f"/api/customers/{customer.uuid}", {"full_name": "Still Me"}, token=admin_token)
    reply = api.delete(f"/api/customers/sessions/{session['sid']}", token=session["token"])
    assert reply.status == 200


# --- delete ---------------------------------------------------------------------------------


def test_delete_answers_the_deleted_customer_without_links(
    api: Api, admin_token: str, customer: CustomerAccount
) -> None:
    reply = api.delete(f"/api/customers/{customer.uuid}", token=admin_token)
    assert reply.status == 200
    assert reply.data == fields(customer.view)
    assert "links" not in reply.data


def test_delete_twice_is_404(api: Api, admin_token: str, customer: CustomerAccount) -> None:
    api.delete(f"/api/customers/{customer.uuid}", token=admin_token)
    reply = api.delete(f"/api/customers/{customer.uuid}", token=admin_token)
    assert reply.status == 404
    assert reply.body == {"error": {"status": 404, "message": "Invalid customer id"}}


def test_delete_with_a_malformed_id_is_404(api: Api, admin_token: str) -> None:
    assert api.delete("/api/customers/42", token=admin_token).status == 404


def test_delete_frees_the_email(api: Api, admin_token: str, new_customer: Any) -> None:
    first = new_customer()
    api.delete(f"/api/customers/{first.uuid}", token=admin_token)
    assert new_customer(email=first.email.upper()).view["email"] == first.email.upper()


def test_delete_ends_every_session_and_refuses_login(
    api: Api, admin_token: str, customer: CustomerAccount, log_in: Any
) -> None:
    session = log_in(customer)
    api.delete(f"/api/customers/{customer.uuid}", token=admin_token)
    logout = api.delete(f"/api/customers/sessions/{session['sid']}", token=session["token"])
    login = api.post("/api/customers/sessions", {"email": customer.email, "password": customer.password})
    assert logout.status == 401
    assert login.status == 400


@pytest.mark.parametrize(
    ("method", "path"),
    [("PATCH", "/api/customers/{uuid}"), ("DELETE", "/api/customers/{uuid}"), ("POST", "/api/customers")],
)
def test_admin_routes_refuse_a_customer_token(
    api: Api, customer: CustomerAccount, log_in: Any, method: str, path: str
) -> None:
    token = log_in(customer)["token"]
    reply = api.call(method, path.format(uuid=customer.uuid), create_body(), token=token)
    assert reply.status == 401
    assert reply.error["status"] == 401
