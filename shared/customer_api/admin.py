"""Create admin users: `python -m customer_api.admin create --email E --password P --name N`.

Runs against the configured tables (CUSTOMERS_TABLE, and AWS_ENDPOINT_URL for a local backend).
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid

from pydantic import BaseModel, ValidationError

from customer_api import store
from customer_api.errors import EmailTaken
from customer_api.models import AdminUser, Email, FullName, Password
from customer_api.passwords import hash_password


class NewAdmin(BaseModel):
    email: Email
    password: Password
    full_name: FullName


def create_admin(email: str, password: str, full_name: str) -> AdminUser:
    """Validate like a customer's fields, hash, and store. EmailTaken if the admin exists."""
    fields = NewAdmin(email=email, password=password, full_name=full_name)
    admin = AdminUser(
        uuid=uuid.uuid4().hex,
        email=fields.email,
        full_name=fields.full_name,
        password_hash=hash_password(fields.password),
    )
    store.insert_admin(admin)
    return admin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m customer_api.admin", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create an admin user")
    create.add_argument("--email", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--name", required=True, help="the admin's full name")
    args = parser.parse_args(argv)
    # This command signs no tokens: the functions' secret settings need not be given to it.
    for unused in ("ADMIN_TOKEN_SECRET", "CUSTOMER_TOKEN_SECRET"):
        os.environ.setdefault(unused, "unused")
    try:
        admin = create_admin(args.email, args.password, args.name)
    except ValidationError as error:
        print("; ".join(str(e["msg"]) for e in error.errors()), file=sys.stderr)
        return 2
    except EmailTaken:
        print(f"An admin with email {args.email} already exists", file=sys.stderr)
        return 1
    print(f"Admin {admin.email} created")
    return 0


if __name__ == "__main__":
    sys.exit(main())
