"""Admin users: made by the project's command (customer_api.edge.admin_cli), never over HTTP."""

from __future__ import annotations

import uuid

from pydantic import BaseModel

from customer_api import store
from customer_api.core.records import AdminUser
from customer_api.domain.inputs import Email, FullName, Password
from customer_api.domain.passwords import hash_password


class NewAdmin(BaseModel):
    email: Email
    password: Password
    full_name: FullName


def create_admin(email: str, password: str, full_name: str) -> AdminUser:
    """Validate like a customer's fields, hash, and store. EmailTaken if the admin exists;
    pydantic's ValidationError for a field that breaks the rules."""
    fields = NewAdmin(email=email, password=password, full_name=full_name)
    admin = AdminUser(
        uuid=uuid.uuid4().hex,
        email=fields.email,
        full_name=fields.full_name,
        password_hash=hash_password(fields.password),
    )
    store.active().insert_admin(admin)
    return admin
