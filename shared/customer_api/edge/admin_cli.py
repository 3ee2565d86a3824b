"""Create admin users: `python -m customer_api.edge.admin_cli create --email E --password P --name N`.

Runs against the configured tables (CUSTOMERS_TABLE, and AWS_ENDPOINT_URL for a local backend).
"""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from customer_api.core.errors import EmailTaken
from customer_api.domain.admins import create_admin


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m customer_api.edge.admin_cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create an admin user")
    create.add_argument("--email", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--name", required=True, help="the admin's full name")
    args = parser.parse_args(argv)
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
