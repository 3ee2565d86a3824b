"""schemathesis hooks for tests/local/test_fuzz.py: every generated request carries a token,
fetched from the server under test the way a client would: an admin's (POST /api/user/tokens),
and on the customer's own routes a customer's (a customer made for it, then POST
/api/customer/tokens). Fetched anew often: a fuzzed request may end the customer's session."""

from __future__ import annotations

import os
import uuid
from typing import Any

import requests
import schemathesis

PASSWORD = "fuzz-customer-password"


def _post(path: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    reply = requests.post(f"{os.environ['FUZZ_URL']}{path}", json=body, headers=headers, timeout=30)
    reply.raise_for_status()
    data: dict[str, Any] = reply.json()["data"]
    return data


@schemathesis.auth(refresh_interval=20)
class Tokens:
    def get(self, case: Any, ctx: Any) -> dict[str, str]:
        credentials = {"email": os.environ["FUZZ_ADMIN_EMAIL"], "password": os.environ["FUZZ_ADMIN_PASSWORD"]}
        admin = str(_post("/api/user/tokens", credentials)["accessToken"])
        email = f"fuzz-{uuid.uuid4().hex[:12]}@shop.example.com"
        _post("/api/customers", {"email": email, "password": PASSWORD, "full_name": "Fuzz"}, admin)
        customer = str(_post("/api/customer/tokens", {"email": email, "password": PASSWORD})["accessToken"])
        return {"admin": admin, "customer": customer}

    def set(self, case: Any, data: dict[str, str], ctx: Any) -> None:
        own_account = case.operation.path.startswith("/api/customers/me")
        token = data["customer"] if own_account else data["admin"]
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
