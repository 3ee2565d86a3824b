"""A module-wide world for the adversarial tests: moto tables and secrets from the template, an
admin and a customer, and a snapshot of every table to prove a request changed nothing.

The adversarial suites send hundreds of requests that must each change nothing; building the
world once per module instead of once per test keeps them fast, and each test still proves its
own request harmless by comparing snapshots."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import boto3

from customer_api.domain.admins import create_admin
from local import template
from tests.support.accounts import ADMIN_EMAIL, ADMIN_PASSWORD, unique_email
from tests.support.api import Api
from tests.support.aws import fresh_aws

CUSTOMER_PASSWORD = "secret-123"

Tables = dict[str, list[dict[str, Any]]]


@dataclasses.dataclass
class World:
    api: Api
    admin_token: str  # a live admin access token
    admin_refresh_token: str
    target_admin_sid: str  # an admin session the admin route may end
    customer_uuid: str
    customer_email: str
    customer_token: str  # a live customer token
    target_customer_sid: str  # another live session of the same customer
    spare_customer_uuid: str  # a customer nobody logs in as: a target that may change


def admin_login(api: Api, path: str = "/api/user/sessions") -> dict[str, str]:
    reply = api.post(path, {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert reply.status == 200, reply.body
    return reply.data


def new_customer(api: Api, admin_token: str) -> tuple[str, str]:
    """A new customer (password CUSTOMER_PASSWORD): its uuid and email."""
    email = unique_email()
    body = {"email": email, "password": CUSTOMER_PASSWORD, "full_name": "Jane Doe"}
    reply = api.post("/api/customers", body, token=admin_token)
    assert reply.status == 200, reply.body
    return reply.data["uuid"], email


def customer_login(api: Api, email: str) -> dict[str, str]:
    reply = api.post("/api/customers/sessions", {"email": email, "password": CUSTOMER_PASSWORD})
    assert reply.status == 200, reply.body
    return reply.data


@functools.cache
def client(service: Literal["dynamodb", "secretsmanager"]) -> Any:
    return boto3.client(service)  # one per world: making a client costs more than a call


@contextmanager
def module_world() -> Iterator[World]:
    with fresh_aws():
        create_admin(ADMIN_EMAIL, ADMIN_PASSWORD, "Shop Admin")
        api = Api()
        admin_tokens = admin_login(api, "/api/user/tokens")
        customer_uuid, email = new_customer(api, admin_tokens["accessToken"])
        yield World(
            api=api,
            admin_token=admin_tokens["accessToken"],
            admin_refresh_token=admin_tokens["refreshToken"],
            target_admin_sid=admin_login(api)["sid"],
            customer_uuid=customer_uuid,
            customer_email=email,
            customer_token=customer_login(api, email)["token"],
            target_customer_sid=customer_login(api, email)["sid"],
            spare_customer_uuid=new_customer(api, admin_tokens["accessToken"])[0],
        )
        client.cache_clear()


def snapshot() -> Tables:
    """Every item of every table of the template, in a stable order."""
    tables = {}
    for table in template.resources_of_type("AWS::DynamoDB::Table"):
        items = client("dynamodb").scan(TableName=table, ConsistentRead=True)["Items"]
        tables[table] = sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return tables
