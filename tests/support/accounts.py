"""Who the tests act as: the seeded admin's credentials, customer accounts, fresh emails."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

ADMIN_EMAIL = "admin@shop.example.com"
ADMIN_PASSWORD = "admin-password-1"


@dataclasses.dataclass
class CustomerAccount:
    uuid: str
    email: str
    password: str
    view: dict[str, Any]


def unique_email(prefix: str = "customer") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@shop.example.com"
