"""The admin tokens the admin logins answer, as EverShop 2.x shapes them ({"user": ..., "sid"})."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from customer_api.core.records import AdminUser
from customer_api.domain import tokens


def claims(admin: AdminUser, sid: str) -> dict[str, Any]:
    return {"user": admin.token_claims(), "sid": sid}


def signer(lifetime: int) -> Callable[[AdminUser, str], str]:
    """Signs an admin's token for a session (`log_in_admin` keeps its proof on the session)."""

    def sign(admin: AdminUser, sid: str) -> str:
        return tokens.issue(tokens.ADMIN, claims(admin, sid), lifetime)

    return sign
