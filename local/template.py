"""template.yaml, read once for everything that runs the service outside AWS (the local
server and the tests): tables, secrets, functions, routes and environment come from here."""

from __future__ import annotations

import dataclasses
import functools
import json
import secrets
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"


class _CloudFormationLoader(yaml.CSafeLoader):
    """YAML with CloudFormation's short tags (!Ref X -> {"Ref": X}, !GetAtt A.B -> ...). On
    libyaml (PyYAML's wheels have it): the pure-Python loader takes about a second here."""


def _tag(loader: yaml.CSafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _tag)


@functools.cache
def template() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load(TEMPLATE.read_text(), Loader=_CloudFormationLoader)  # noqa: S506
    return loaded


def resources_of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in template()["Resources"].items() if res["Type"] == kind}


@dataclasses.dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway syntax: /api/customers/{id}


@dataclasses.dataclass(frozen=True)
class Function:
    name: str  # the logical id
    code_uri: Path
    handler: str  # module.function, e.g. app.lambda_handler
    routes: tuple[Route, ...]
    environment: dict[str, str]
    streams: tuple[str, ...] = ()  # the tables whose DynamoDB stream the function consumes


def _resolve(value: Any) -> str:
    """Plain values as they are; a !Ref to a resource or parameter becomes its local name (a
    parameter's default); a !Join joins what it resolves."""
    if isinstance(value, dict) and "Ref" in value:
        name = value["Ref"]
        parameter = template().get("Parameters", {}).get(name)
        if parameter:
            return str(parameter["Default"])
        # A KMS key has no name of its own: locally it is found by the alias create_keys gives it.
        return key_alias(name) if name in resources_of_type("AWS::KMS::Key") else str(name)
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_resolve(part) for part in (parts if isinstance(parts, list) else [parts]))
    return str(value)


def _streams(props: dict[str, Any]) -> tuple[str, ...]:
    # Stream: !GetAtt <Table>.StreamArn
    return tuple(
        event["Properties"]["Stream"]["Fn::GetAtt"][0]
        for event in props.get("Events", {}).values()
        if event["Type"] == "DynamoDB"
    )


def functions() -> list[Function]:
    """Every function with its routes and environment (Globals merged), names resolved locally:
    a table or secret is named by its logical id."""
    globals_ = template().get("Globals", {}).get("Function", {})
    shared_env = globals_.get("Environment", {}).get("Variables", {})
    found = []
    for name, resource in resources_of_type("AWS::Serverless::Function").items():
        props = resource["Properties"]
        env = {**shared_env, **props.get("Environment", {}).get("Variables", {})}
        routes = tuple(
            Route(event["Properties"]["Method"].upper(), event["Properties"]["Path"])
            for event in props.get("Events", {}).values()
            if event["Type"] == "HttpApi"
        )
        found.append(
            Function(
                name=name,
                code_uri=ROOT / props["CodeUri"],
                handler=props["Handler"],
                routes=routes,
                environment={key: _resolve(value) for key, value in env.items()},
                streams=_streams(props),
            )
        )
    return found


def create_tables(dynamodb: Any, only: Collection[str] | None = None, *, streams: bool = True) -> list[str]:
    """Create every DynamoDB table of the template (named by logical id), or those in `only`,
    with a boto3 client; `streams=False`: without the template's streams."""
    created = []
    for name, resource in resources_of_type("AWS::DynamoDB::Table").items():
        if only is not None and name not in only:
            continue
        props = resource["Properties"]
        request: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if "GlobalSecondaryIndexes" in props:
            request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if streams and "StreamSpecification" in props:
            request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
        dynamodb.create_table(**request)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        created.append(name)
    return created


def add_missing_indexes(dynamodb: Any, only: Collection[str]) -> list[str]:
    """Bring existing tables (kept from an earlier run) up to the template: each global
    secondary index the template has and the table lacks is added with UpdateTable, as a
    CloudFormation update would (one per call, and waited for: DynamoDB allows one at a time);
    TTL and streams are switched on where the template has them. Indexes the template dropped
    are left alone.
    Returns "table.index" for each index added."""
    added = []
    for name, resource in resources_of_type("AWS::DynamoDB::Table").items():
        if name not in only:
            continue
        props = resource["Properties"]
        table = dynamodb.describe_table(TableName=name)["Table"]
        _switch_on_stream(dynamodb, name, table, props.get("StreamSpecification"))
        have = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
        for index in props.get("GlobalSecondaryIndexes", []):
            if index["IndexName"] in have:
                continue
            dynamodb.update_table(
                TableName=name,
                AttributeDefinitions=props["AttributeDefinitions"],
                GlobalSecondaryIndexUpdates=[{"Create": index}],
            )
            _wait_for_index(dynamodb, name, index["IndexName"])
            added.append(f"{name}.{index['IndexName']}")
        _switch_on_ttl(dynamodb, name, props.get("TimeToLiveSpecification"))
    return added


def _switch_on_stream(dynamodb: Any, name: str, table: dict[str, Any], stream: dict[str, Any] | None) -> None:
    """A stream the template has and a kept table lacks (the outbox reads it) is switched on."""
    if stream and not table.get("StreamSpecification", {}).get("StreamEnabled"):
        dynamodb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, **stream})


def _wait_for_index(dynamodb: Any, table: str, index: str) -> None:
    for _ in range(600):
        indexes = dynamodb.describe_table(TableName=table)["Table"].get("GlobalSecondaryIndexes", [])
        if all(found["IndexStatus"] == "ACTIVE" for found in indexes if found["IndexName"] == index):
            return
        time.sleep(0.1)
    raise RuntimeError(f"index {index} of {table} is still not ACTIVE")


def _switch_on_ttl(dynamodb: Any, table: str, ttl: dict[str, Any] | None) -> None:
    if not ttl:
        return
    status = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]["TimeToLiveStatus"]
    if status == "DISABLED":
        dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification=ttl)


def create_secrets(secretsmanager: Any, only: Collection[str] | None = None) -> list[str]:
    """Create every secret of the template (named by logical id), or those in `only`, with
    fresh random keys, the way CloudFormation's GenerateSecretString would."""
    created = []
    for name, resource in resources_of_type("AWS::SecretsManager::Secret").items():
        if only is not None and name not in only:
            continue
        generate = resource["Properties"]["GenerateSecretString"]
        value = json.loads(generate.get("SecretStringTemplate", "{}"))
        value[generate["GenerateStringKey"]] = secrets.token_urlsafe(48)
        secretsmanager.create_secret(Name=name, SecretString=json.dumps(value))
        created.append(name)
    return created


def key_alias(name: str) -> str:
    """The alias a KMS key of the template (by logical id) has locally."""
    return f"alias/{name}"


def create_keys(kms: Any) -> list[str]:
    """Create every KMS key of the template (symmetric), each with the alias `key_alias` names."""
    created = []
    for name in resources_of_type("AWS::KMS::Key"):
        key_id = kms.create_key(Description=name)["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=key_alias(name), TargetKeyId=key_id)
        created.append(name)
    return created


def create_event_buses(events: Any) -> list[str]:
    """Create every EventBridge bus of the template (named by logical id)."""
    created = []
    for name in resources_of_type("AWS::Events::EventBus"):
        events.create_event_bus(Name=name)
        created.append(name)
    return created
