"""openapi.json: made from the code, valid OpenAPI 3.1, in step with the template, and true to
what the handlers answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from local.template import functions
from tests.support import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Reply
from tools import openapi

ADMIN_ONLY = [{"bearerAuth": []}, {"adminCookie": []}]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return openapi.build()


def operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, path_item in document["paths"].items()
        for method, operation in path_item.items()
    }


def assert_documented(document: dict[str, Any], method: str, path: str, reply: Reply) -> None:
    """The reply's body is valid against what the document says this route answers with its status."""
    response = operations(document)[(method, path)]["responses"][str(reply.status)]
    schema = {**response["content"]["application/json"]["schema"], "components": document["components"]}
    Draft202012Validator(schema).validate(reply.body)


def test_the_committed_document_is_up_to_date() -> None:
    assert openapi.DOCUMENT.read_text() == openapi.render(), "openapi.json is stale: run `make openapi`"


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validate(document)


def references(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [ref for value in node.values() for ref in references(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in references(value)]
    return []


def test_every_schema_a_route_names_is_in_the_document(document: dict[str, Any]) -> None:
    named = {ref.removeprefix("#/components/schemas/") for ref in references(document["paths"])}
    assert named <= set(document["components"]["schemas"])


def test_every_route_of_the_template_is_documented_and_nothing_else(document: dict[str, Any]) -> None:
    routes = {(route.method, route.path) for function in functions() for route in function.routes}
    assert set(operations(document)) == routes


def test_every_error_is_documented_in_the_contract_s_shape(document: dict[str, Any]) -> None:
    for operation in operations(document).values():
        for status, response in operation["responses"].items():
            if status != "200":
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorReply"}
    assert set(document["components"]["schemas"]["ErrorDetail"]["required"]) == {"status", "message"}


def test_powertools_own_validation_error_shape_is_not_documented(document: dict[str, Any]) -> None:
    assert "ValidationError" not in json.dumps(document)


def test_both_ways_of_presenting_a_token_are_declared(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert {(schemes[name]["in"], schemes[name]["name"]) for name in ("adminCookie", "customerCookie")} == {
        ("cookie", "admin_token"),
        ("cookie", "token"),
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/customers"),
        ("PATCH", "/api/customers/{id}"),
        ("DELETE", "/api/customers/{id}"),
        ("DELETE", "/api/user/sessions/{sid}"),
    ],
)
def test_admin_routes_are_documented_as_needing_an_admin_token(
    document: dict[str, Any], method: str, path: str
) -> None:
    assert operations(document)[(method, path)]["security"] == ADMIN_ONLY


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/customers/sessions"), ("POST", "/api/user/tokens"), ("POST", "/api/user/sessions")],
)
def test_login_routes_are_documented_as_public(document: dict[str, Any], method: str, path: str) -> None:
    assert "security" not in operations(document)[(method, path)]


def test_a_created_customer_is_answered_as_documented(document: dict[str, Any], api: Api, admin_token: str) -> None:
    reply = api.post(
        "/api/customers",
        {"email": "doc@shop.example.com", "password": "secret-123", "full_name": "Doc"},
        token=admin_token,
    )
    assert reply.status == 200
    assert_documented(document, "POST", "/api/customers", reply)


def test_an_updated_customer_is_answered_as_documented(
    document: dict[str, Any], api: Api, admin_token: str, customer: Any
) -> None:
    reply = api.patch(f"/api/customers/{customer.uuid}", {"full_name": "Renamed"}, token=admin_token)
    assert reply.status == 200
    assert_documented(document, "PATCH", "/api/customers/{id}", reply)


def test_a_deleted_customer_is_answered_as_documented(
    document: dict[str, Any], api: Api, admin_token: str, customer: Any
) -> None:
    reply = api.delete(f"/api/customers/{customer.uuid}", token=admin_token)
    assert reply.status == 200
    assert_documented(document, "DELETE", "/api/customers/{id}", reply)


def test_a_customer_login_and_logout_are_answered_as_documented(
    document: dict[str, Any], api: Api, customer: Any
) -> None:
    login = api.post("/api/customers/sessions", {"email": customer.email, "password": customer.password})
    logout = api.delete(f"/api/customers/sessions/{login.data['sid']}", token=login.data["token"])
    assert (login.status, logout.status) == (200, 200)
    assert_documented(document, "POST", "/api/customers/sessions", login)
    assert_documented(document, "DELETE", "/api/customers/sessions/{ids}", logout)


def test_admin_logins_are_answered_as_documented(document: dict[str, Any], api: Api, admin: None) -> None:
    credentials = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    tokens = api.post("/api/user/tokens", credentials)
    session = api.post("/api/user/sessions", credentials)
    assert (tokens.status, session.status) == (200, 200)
    assert_documented(document, "POST", "/api/user/tokens", tokens)
    assert_documented(document, "POST", "/api/user/sessions", session)


@pytest.mark.parametrize(
    ("body", "status"),
    [("not json", 400), (json.dumps({"email": "a@b.example.com", "password": "x" * 10_000}), 413)],
)
def test_an_error_is_answered_as_documented(document: dict[str, Any], api: Api, body: str, status: int) -> None:
    reply = api.post("/api/customers/sessions", raw_body=body)
    assert reply.status == status
    assert_documented(document, "POST", "/api/customers/sessions", reply)
