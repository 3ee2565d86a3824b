"""A body sent as another media type than JSON: the contract's 415, never a 500 (found by the fuzzer)."""

from __future__ import annotations

import pytest

from tests.support import Api


@pytest.mark.parametrize("path", ["/api/customers/sessions", "/api/user/sessions", "/api/user/tokens"])
@pytest.mark.parametrize("media_type", ["text/plain", "multipart/form-data", "application/x-www-form-urlencoded"])
def test_a_body_of_another_media_type_is_a_415_in_the_contract_s_shape(api: Api, path: str, media_type: str) -> None:
    reply = api.post(path, {"email": "a@shop.example.com", "password": "x"}, headers={"content-type": media_type})

    assert reply.status == 415
    assert reply.error == {"status": 415, "message": "Request body must be JSON (Content-Type: application/json)"}


def test_json_with_a_charset_is_json(api: Api) -> None:
    headers = {"content-type": "application/json; charset=utf-8"}
    reply = api.post("/api/customers/sessions", {"email": "a@shop.example.com", "password": "x"}, headers=headers)

    assert reply.status == 400
    assert reply.error["message"] == "Invalid email or password"
