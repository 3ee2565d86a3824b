"""schemathesis hooks for tests/local/test_fuzz.py: every generated request carries an admin token,
fetched from the server under test the way a client would (POST /api/user/tokens)."""

from __future__ import annotations

import os
from typing import Any

import requests
import schemathesis


@schemathesis.auth(refresh_interval=300)  # admin access tokens live 15 minutes
class AdminToken:
    def get(self, case: Any, ctx: Any) -> str:
        credentials = {"email": os.environ["FUZZ_ADMIN_EMAIL"], "password": os.environ["FUZZ_ADMIN_PASSWORD"]}
        reply = requests.post(f"{os.environ['FUZZ_URL']}/api/user/tokens", json=credentials, timeout=30)
        reply.raise_for_status()
        return str(reply.json()["data"]["accessToken"])

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
