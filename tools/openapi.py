"""The OpenAPI document of the whole API, made from the code: each function's resolver describes
its own route (request body, parameters, statuses, security; customer_api.edge.docs); this
module joins them into one document and adds the reply bodies the routes name
(customer_api.edge.replies).
`python -m tools.openapi` (or `make openapi`) rewrites openapi.json."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import JsonSchemaMode

from customer_api import store
from customer_api.edge import docs
from customer_api.edge.replies import REPLIES
from customer_api.store.memory import MemoryStore
from local import runtime
from local.template import ROOT, Function, functions

DOCUMENT = ROOT / "openapi.json"

TITLE = "Customer API"
VERSION = "1.0.0"
DESCRIPTION = (
    "EverShop's Customer REST API (customers, the customer's own account, sessions and tokens, "
    "admin users) on AWS Lambda and "
    'DynamoDB. Success is HTTP 200 with `{"data": ...}`; every failure is '
    '`{"error": {"status", "message"}}` with the same status on the status line.'
)
SECURITY_SCHEMES: dict[str, Any] = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An admin access token (POST /api/user/tokens) or a customer token "
        "(POST /api/customers/sessions, or the accessToken of POST /api/customer/tokens)",
    },
    "adminCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "admin_token",
        "description": "The admin token set by POST /api/user/sessions",
    },
    "customerCookie": {
        "type": "apiKey",
        "in": "cookie",
        "name": "token",
        "description": "The customer token set by POST /api/customers/sessions",
    },
}


# The groups of the docs page, in this order (each route names its own; customer_api.edge.docs).
TAGS = [
    {"name": docs.ADMIN_CUSTOMERS[0], "description": "Create, read, find, update and delete customers (admin token)"},
    {"name": docs.OWN_ACCOUNT[0], "description": "The logged-in customer's own profile, password and sessions"},
    {"name": docs.SESSIONS_AND_TOKENS[0], "description": "Customer login and logout, as EverShop 1.x and 2.x do them"},
    {"name": docs.CUSTOMER_GROUPS[0], "description": "Customer groups: list, create, rename, delete (admin token)"},
    {"name": docs.ADMIN_USERS[0], "description": "Admin login and logout"},
    {"name": docs.PASSWORD_RECOVERY[0], "description": "A forgotten password: a reset token by mail, a new password"},
]

# Powertools documents its own 422 for invalid input; this API answers 400 in its own shape.
_POWERTOOLS_ONLY_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")


def _resolver(function: Function) -> Any:
    """The `app` of a function's code, imported on its own with its environment (as in its own
    Lambda: its decorators read the settings), which is taken back afterwards."""
    saved = dict(os.environ)
    os.environ.update({**function.environment, **saved})  # what the caller set wins
    try:
        # Imported for its routes alone: on the in-memory store it makes no AWS client.
        with store.installed(MemoryStore()):
            module = runtime.load_module(function)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return module.app


def _document_of(function: Function) -> dict[str, Any]:
    schema = _resolver(function).get_openapi_schema(
        title=TITLE, version=VERSION, description=DESCRIPTION, security_schemes=SECURITY_SCHEMES
    )
    document: dict[str, Any] = json.loads(schema.model_dump_json(by_alias=True, exclude_none=True))
    return document


def _reply_schemas() -> dict[str, Any]:
    adapters: list[tuple[type, JsonSchemaMode, TypeAdapter[Any]]] = [
        (reply, "serialization", TypeAdapter(reply)) for reply in REPLIES
    ]
    _, top = TypeAdapter.json_schemas(adapters, ref_template="#/components/schemas/{model}")
    definitions: dict[str, Any] = top["$defs"]
    return definitions


def build() -> dict[str, Any]:
    """One OpenAPI 3.1 document for every route of every function of template.yaml."""
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    # Functions without routes (the stream consumer) have no part in the HTTP API.
    for function in sorted((f for f in functions() if f.routes), key=lambda f: f.name):
        part = _document_of(function)
        for path, operations in part["paths"].items():
            for method, operation in operations.items():
                if "HTTPValidationError" in json.dumps(operation["responses"].get("422", {})):
                    operation["responses"].pop("422")  # Powertools' own, not an answer of this API
                paths.setdefault(path, {})[method] = operation
        schemas.update(part.get("components", {}).get("schemas", {}))
    for name in _POWERTOOLS_ONLY_SCHEMAS:
        schemas.pop(name, None)
    schemas.update(_reply_schemas())
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "tags": TAGS,
        "paths": {path: paths[path] for path in sorted(paths)},
        "components": {
            "schemas": {name: schemas[name] for name in sorted(schemas)},
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


def render() -> str:
    return json.dumps(build(), indent=2, sort_keys=False) + "\n"


def main() -> None:
    DOCUMENT.write_text(render())
    print(f"wrote {DOCUMENT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
