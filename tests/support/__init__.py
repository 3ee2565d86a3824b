"""What the tests share besides fixtures (those live in the conftest.py files): the API as API
Gateway calls it, the accounts the tests act as, and a fresh moto AWS. `world` (a module-wide
world for the adversarial suites), `invariants` (what must hold in the tables), `races` (a
competing request slipped in before a call) and `addresses` (an address body) are imported from
their modules.

Importing this package imports the layer, which expects the tests' environment: the conftest.py
at the top of tests/ sets it before anything imports this package."""

from tests.support.accounts import ADMIN_EMAIL, ADMIN_PASSWORD, CustomerAccount, unique_email
from tests.support.api import Api, Reply
from tests.support.aws import BACKENDS, DYNAMODB_LOCAL, MOTO, fresh_aws, java_missing

__all__ = [
    "ADMIN_EMAIL",
    "ADMIN_PASSWORD",
    "BACKENDS",
    "DYNAMODB_LOCAL",
    "MOTO",
    "Api",
    "CustomerAccount",
    "Reply",
    "fresh_aws",
    "java_missing",
    "unique_email",
]
