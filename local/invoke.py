"""`make invoke` and `make token`: what `sam local invoke` does, without Docker, on the local
backend (make serve's while it runs, else DynamoDB Local on the same data folder).

    python -m local.invoke CreateCustomerFunction events/create_customer.json
    python -m local.invoke --token admin      # or customer

An invoke runs the function's own handler with the environment from template.yaml on the
event file, with REPLACE_WITH_ADMIN_ACCESS_TOKEN / REPLACE_WITH_CUSTOMER_TOKEN /
REPLACE_WITH_CUSTOMER_REFRESH_TOKEN replaced by
fresh tokens, and prints the JSON result. Tokens come from the real login functions, as the
sample events' admin (ADMIN_EMAIL / ADMIN_PASSWORD, by default the events' admin@example.com /
admin-pass-1, created when missing) and customer (CUSTOMER_EMAIL / CUSTOMER_PASSWORD, by
default the events' jane.doe@example.com / s3cret-pass, created when missing).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

from aws_lambda_powertools.warnings import PowertoolsUserWarning

from local import backend, runtime, server, template

ADMIN_PLACEHOLDER = "REPLACE_WITH_ADMIN_ACCESS_TOKEN"
CUSTOMER_PLACEHOLDER = "REPLACE_WITH_CUSTOMER_TOKEN"
REFRESH_PLACEHOLDER = "REPLACE_WITH_CUSTOMER_REFRESH_TOKEN"
KINDS = ("admin", "customer")


class InvokeError(Exception):
    """A step that must succeed (a login for a token) did not: the message says why."""


def _call(method: str, path: str, body: dict[str, Any], token: str | None = None) -> tuple[int, dict[str, Any]]:
    """A request through the function that serves the route (as API Gateway would send it)."""
    found = runtime.match(method, path)
    if found is None:
        raise InvokeError(f"no route for {method} {path} in template.yaml")
    headers = {"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})}
    event = runtime.http_api_event(method, path, route=found.route, headers=headers, body=json.dumps(body))
    result = runtime.invoke(found, event)
    return int(result["statusCode"]), json.loads(result["body"])


def _admin() -> dict[str, str]:
    return {
        "email": os.environ.get("ADMIN_EMAIL", "admin@example.com"),
        "password": os.environ.get("ADMIN_PASSWORD", "admin-pass-1"),
    }


def admin_token() -> str:
    status, reply = _call("POST", "/api/user/tokens", _admin())
    if status != 200:
        raise InvokeError(f"admin login as {_admin()['email']} failed ({status}): set ADMIN_PASSWORD to its password")
    return str(reply["data"]["accessToken"])


def _customer() -> dict[str, str]:
    return {
        "email": os.environ.get("CUSTOMER_EMAIL", "jane.doe@example.com"),
        "password": os.environ.get("CUSTOMER_PASSWORD", "s3cret-pass"),
    }


def customer_refresh_token() -> str:
    """A refresh token of the events' customer (EverShop 2.x's login), the customer made if
    missing."""
    customer_token()  # makes the customer when there is none
    status, reply = _call("POST", "/api/customer/tokens", _customer())
    if status != 200:
        raise InvokeError(f"customer login as {_customer()['email']} failed ({status})")
    return str(reply["data"]["refreshToken"])


def customer_token() -> str:
    customer = _customer()
    status, reply = _call("POST", "/api/customers/sessions", customer)
    if status == 400:  # no such customer yet (or another password: then the create says 409)
        created, _ = _call("POST", "/api/customers", {**customer, "full_name": "Jane Doe"}, admin_token())
        if created != 200:
            raise InvokeError(f"customer {customer['email']} exists with another password: set CUSTOMER_PASSWORD")
        status, reply = _call("POST", "/api/customers/sessions", customer)
    if status != 200:
        raise InvokeError(f"customer login as {customer['email']} failed ({status})")
    return str(reply["data"]["token"])


def invoke(function_name: str, event_file: Path) -> dict[str, Any]:
    """The function's result for the event file, as `sam local invoke` prints it."""
    if function_name not in {function.name for function in template.functions()}:
        raise InvokeError(f"no function {function_name} in template.yaml")
    text = event_file.read_text()
    if ADMIN_PLACEHOLDER in text:
        text = text.replace(ADMIN_PLACEHOLDER, admin_token())
    if CUSTOMER_PLACEHOLDER in text:
        text = text.replace(CUSTOMER_PLACEHOLDER, customer_token())
    if REFRESH_PLACEHOLDER in text:
        text = text.replace(REFRESH_PLACEHOLDER, customer_refresh_token())
    # A new environment of the function, as a first `sam local invoke` starts one.
    handler = runtime.handler(function_name)
    return handler(json.loads(text), runtime.LambdaContext(function_name=function_name))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m local.invoke", description=__doc__.split("\n\n")[0])
    parser.add_argument("function", nargs="?", help="a function's logical id in template.yaml")
    parser.add_argument("event", nargs="?", type=Path, help="an event file, e.g. events/create_customer.json")
    parser.add_argument("--token", choices=KINDS, help="print a fresh token of that kind instead")
    arguments = parser.parse_args()
    if arguments.token is None and (arguments.function is None or arguments.event is None):
        parser.error("give FUNCTION and EVENT, or --token admin|customer")
    return arguments


def main() -> None:
    arguments = _arguments()
    # As with `sam local invoke`, the functions' logs go to stderr and stdout is the result:
    # their loggers, made when the functions are first imported, take sys.stdout as it is then.
    result, sys.stdout = sys.stdout, sys.stderr
    warnings.filterwarnings("ignore", category=PowertoolsUserWarning)
    data = server.data_folder()
    os.environ.update(backend.running(data) or {})  # make serve's backend, when it runs
    kind = os.environ.get("BACKEND", backend.DYNAMODB_LOCAL)
    with server.start(seed_admin=(_admin()["email"], _admin()["password"]), backend_kind=kind, data=data):
        try:
            if arguments.token:
                print(admin_token() if arguments.token == "admin" else customer_token(), file=result)
            else:
                print(json.dumps(invoke(arguments.function, arguments.event), indent=2), file=result)
        except InvokeError as error:
            print(error, file=sys.stderr)
            raise SystemExit(1) from None


if __name__ == "__main__":
    main()
