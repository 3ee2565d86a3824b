"""The edge's pure parts: statuses of domain errors, path identifiers, reply shapes."""

from __future__ import annotations

import json

import pytest
from aws_lambda_powertools.event_handler import Response

from customer_api.core import errors
from customer_api.core.records import Customer
from customer_api.edge import paths
from customer_api.edge.replies import customer_view, customer_with_links
from customer_api.edge.resolver import CustomerApi, ok
from customer_api.edge.statuses import error_response, status_of
from local.runtime import http_api_event
from local.template import Route

SID = "7b0c3a52-9d7e-4a52-8a51-2f0d6c1e9b10"
UUID = "e1b20098a66c11edb46b60d819134f39"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidInput("x"), 400),
        (errors.InvalidCredentials(), 400),
        (errors.Unauthenticated(), 401),
        (errors.InvalidToken(), 401),
        (errors.CustomerNotFound(), 404),
        (errors.SessionNotFound(), 404),
        (errors.EmailTaken(), 409),
        (errors.RequestInProgress(), 409),
        (errors.PayloadTooLarge(), 413),
        (errors.IdempotencyKeyReused(), 422),
        (errors.TooManyLoginFailures(30), 429),
        (errors.StoreBusy(), 503),
        (errors.DomainError(), 500),
    ],
)
def test_each_domain_error_has_its_status(error: errors.DomainError, status: int) -> None:
    assert status_of(error) == status
    response = error_response(error)
    assert response.status_code == status
    assert json.loads(str(response.body)) == {"error": {"status": status, "message": error.message}}


def test_a_refusal_that_ends_by_itself_says_when() -> None:
    assert error_response(errors.TooManyLoginFailures(42)).headers["Retry-After"] == "42"
    assert error_response(errors.StoreBusy()).headers["Retry-After"] == "1"


def test_logout_ids_split_into_sids_and_customer_uuids() -> None:
    assert paths.logout_ids(f" {SID.upper()},{UUID},{SID}") == ([SID], [UUID])


@pytest.mark.parametrize("ids", ["", ",", "x", f"{SID},nope", ",".join([UUID] * 2 + [f"{i:032x}" for i in range(25)])])
def test_any_other_logout_id_is_an_unknown_session(ids: str) -> None:
    with pytest.raises(errors.SessionNotFound):
        paths.logout_ids(ids)


@pytest.mark.parametrize("path_id", ["x", UUID.upper() + "0", SID[:-1], SID + "0", "EMAIL#x", SID.replace("-", "_")])
def test_a_customer_id_of_another_shape_is_an_unknown_customer(path_id: str) -> None:
    with pytest.raises(errors.CustomerNotFound):
        paths.customer_uuid(path_id)


def test_a_customer_id_is_32_hex_or_dashed_in_any_letter_case() -> None:
    dashed = f"{UUID[:8]}-{UUID[8:12]}-{UUID[12:16]}-{UUID[16:20]}-{UUID[20:]}"
    for path_id in (UUID, UUID.upper(), dashed, dashed.upper()):
        assert paths.customer_uuid(path_id) == UUID


def test_the_customer_view_has_the_contract_fields_and_never_the_hash() -> None:
    customer = Customer(21, UUID, 1, 1, "a@b.example", "A", "$2b$hash", "2023-02-07 14:18:05", "2023-02-07 14:18:05")
    view = customer_view(customer)
    assert set(view) == {"customer_id", "uuid", "status", "group_id", "email", "full_name", "created_at", "updated_at"}
    assert "$2b$hash" not in json.dumps(customer_with_links(customer))
    assert customer_with_links(customer)["links"][1]["href"] == f"/admin/customers/edit/{UUID}"


def test_a_resolver_keeps_its_own_request_while_another_resolves_in_the_same_process() -> None:
    """Powertools keeps the current event on a class shared by every resolver of a process; the
    local server runs many (one per warm environment) at once in threads. Here resolver B
    answers a whole request while A is inside its route (as a racing thread would): A must
    still see its own request."""
    first, second = CustomerApi(), CustomerApi()
    seen: dict[str, str] = {}

    @second.get("/b")
    def b() -> Response[str]:
        return ok({"data": {}})

    @first.get("/a")
    def a() -> Response[str]:
        second.resolve(http_api_event("GET", "/b", route=Route("GET", "/b")), None)
        seen["path"] = first.current_event.path
        return ok({"data": {"query": first.current_event.get_query_string_value("q") or ""}})

    result = first.resolve(http_api_event("GET", "/a", route=Route("GET", "/a"), query="q=mine"), None)

    assert seen["path"] == "/a"
    assert json.loads(result["body"]) == {"data": {"query": "mine"}}
