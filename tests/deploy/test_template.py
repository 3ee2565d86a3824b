"""The infrastructure as CloudFormation will deploy it: template.yaml through the SAM transform
(offline, aws-sam-translator in .venv-sam), checked for what the service relies on."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest

from local.template import ROOT, resources_of_type, template

SAM_PYTHON = ROOT / ".venv-sam" / "bin" / "python"
OPENAPI = ROOT / "openapi.json"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@pytest.fixture(scope="module")
def cloudformation() -> dict[str, Any]:
    if not SAM_PYTHON.exists():
        pytest.fail("the SAM CLI environment is missing: run `make lint` (it installs .venv-sam)")
    translated = subprocess.run(  # noqa: S603 - our own interpreter and module
        [str(SAM_PYTHON), "-m", "tools.cloudformation"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    document: dict[str, Any] = json.loads(translated.stdout)
    return document


def of_type(cloudformation: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in cloudformation["Resources"].items() if res["Type"] == kind}


def functions(cloudformation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: res["Properties"] for name, res in of_type(cloudformation, "AWS::Lambda::Function").items()}


def route_targets(cloudformation: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    """(method, path) -> what API Gateway integrates it with: functions, or aliases of functions."""
    (api,) = of_type(cloudformation, "AWS::ApiGatewayV2::Api").values()
    routes: dict[tuple[str, str], list[str]] = {}
    for path, operations in api["Properties"]["Body"]["paths"].items():
        for method, operation in operations.items():
            uri = operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
            routes[(method, path)] = re.findall(r"\$\{(\w+?)(?:\.Arn)?\}", uri)
    return routes


def invoked_function(cloudformation: dict[str, Any], target: str) -> str:
    """The function a route or a stream invokes: `target` is that function, or an alias of it."""
    resource = cloudformation["Resources"][target]
    return resource["Properties"]["FunctionName"]["Ref"] if resource["Type"] == "AWS::Lambda::Alias" else target


def routed_functions(cloudformation: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    """(method, path) -> the functions API Gateway integrates it with."""
    return {
        route: [invoked_function(cloudformation, target) for target in targets]
        for route, targets in route_targets(cloudformation).items()
    }


def statements(cloudformation: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every IAM statement written in the template (roles' inline policies)."""
    for role in of_type(cloudformation, "AWS::IAM::Role").values():
        for policy in role["Properties"].get("Policies", []):
            yield from policy["PolicyDocument"]["Statement"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_every_documented_route_is_served_by_exactly_one_function(cloudformation: dict[str, Any]) -> None:
    documented = {
        (method, path)
        for path, operations in json.loads(OPENAPI.read_text())["paths"].items()
        for method in operations
        if method in HTTP_METHODS
    }
    routes = routed_functions(cloudformation)
    assert set(routes) == documented
    assert all(len(served_by) == 1 for served_by in routes.values())


def stream_consumers(cloudformation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Function -> its event source mapping, for the functions a DynamoDB stream invokes."""
    mappings = of_type(cloudformation, "AWS::Lambda::EventSourceMapping").values()
    return {
        invoked_function(cloudformation, mapping["Properties"]["FunctionName"]["Ref"]): mapping["Properties"]
        for mapping in mappings
    }


def test_every_function_serves_a_route_but_the_stream_consumer(cloudformation: dict[str, Any]) -> None:
    serving = {name for served_by in routed_functions(cloudformation).values() for name in served_by}
    assert set(stream_consumers(cloudformation)) == {"PublishEventsFunction"}
    assert serving == set(functions(cloudformation)) - {"PublishEventsFunction"}


def test_the_outbox_reads_the_customers_stream_and_reports_failures_one_by_one(cloudformation: dict[str, Any]) -> None:
    table = of_type(cloudformation, "AWS::DynamoDB::Table")["CustomersTable"]["Properties"]
    mapping = stream_consumers(cloudformation)["PublishEventsFunction"]
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["CustomersTable", "StreamArn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] > 0
    on_failure = mapping["DestinationConfig"]["OnFailure"]["Destination"]
    assert on_failure == {"Fn::GetAtt": ["PublishEventsDeadLetterQueue", "Arn"]}


def test_only_the_reset_request_may_encrypt_and_only_for_the_reset_purpose(cloudformation: dict[str, Any]) -> None:
    kms_statements = [s for s in statements(cloudformation) if any(a.startswith("kms:") for a in as_list(s["Action"]))]
    assert kms_statements == [
        {
            "Effect": "Allow",
            "Action": ["kms:Encrypt"],
            "Resource": {"Fn::GetAtt": ["ResetTokenKey", "Arn"]},
            "Condition": {"StringEquals": {"kms:EncryptionContext:purpose": "password-reset"}},
        }
    ]
    key = of_type(cloudformation, "AWS::KMS::Key")["ResetTokenKey"]["Properties"]
    assert key["EnableKeyRotation"] is True


def test_every_function_runs_python_3_13_on_arm64_with_the_shared_layer(cloudformation: dict[str, Any]) -> None:
    (layer,) = of_type(cloudformation, "AWS::Lambda::LayerVersion")
    for properties in functions(cloudformation).values():
        assert properties["Runtime"] == "python3.13"
        assert properties["Architectures"] == ["arm64"]
        assert properties["Layers"] == [{"Ref": layer}]


def test_the_layer_is_built_for_the_functions_runtime_and_architecture(cloudformation: dict[str, Any]) -> None:
    (layer,) = of_type(cloudformation, "AWS::Lambda::LayerVersion").values()
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]


def test_every_table_is_on_demand_with_point_in_time_recovery(cloudformation: dict[str, Any]) -> None:
    tables = of_type(cloudformation, "AWS::DynamoDB::Table")
    assert {"CustomersTable", "SessionsTable"} <= set(tables)
    for table in tables.values():
        assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
        assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_sessions_expire_by_ttl(cloudformation: dict[str, Any]) -> None:
    sessions = of_type(cloudformation, "AWS::DynamoDB::Table")["SessionsTable"]
    assert sessions["Properties"]["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_every_function_finds_both_token_secrets_and_both_tables_by_env(cloudformation: dict[str, Any]) -> None:
    assert set(of_type(cloudformation, "AWS::SecretsManager::Secret")) == {"AdminTokenSecret", "CustomerTokenSecret"}
    for properties in functions(cloudformation).values():
        env = properties["Environment"]["Variables"]
        assert env["ADMIN_TOKEN_SECRET"] == {"Ref": "AdminTokenSecret"}
        assert env["CUSTOMER_TOKEN_SECRET"] == {"Ref": "CustomerTokenSecret"}
        assert env["CUSTOMERS_TABLE"] == {"Ref": "CustomersTable"}
        assert env["SESSIONS_TABLE"] == {"Ref": "SessionsTable"}


def test_no_iam_statement_grants_every_action_or_every_resource(cloudformation: dict[str, Any]) -> None:
    found = list(statements(cloudformation))
    assert found
    for statement in found:
        assert all(action != "*" and not action.endswith(":*") for action in as_list(statement["Action"]))
        assert "*" not in as_list(statement.get("Resource", []))


def test_the_api_s_5xx_raise_an_alarm(cloudformation: dict[str, Any]) -> None:
    alarms = of_type(cloudformation, "AWS::CloudWatch::Alarm").values()
    api_alarms = [
        alarm["Properties"]
        for alarm in alarms
        if alarm["Properties"].get("Namespace") == "AWS/ApiGateway" and alarm["Properties"]["MetricName"] == "5xx"
    ]
    assert len(api_alarms) == 1
    assert {"Name": "ApiId", "Value": {"Ref": "HttpApi"}} in api_alarms[0]["Dimensions"]


def test_errors_of_every_function_raise_an_alarm(cloudformation: dict[str, Any]) -> None:
    watched = set()
    for alarm in of_type(cloudformation, "AWS::CloudWatch::Alarm").values():
        for query in alarm["Properties"].get("Metrics", []):
            metric = query.get("MetricStat", {}).get("Metric", {})
            if metric.get("Namespace") == "AWS/Lambda" and metric["MetricName"] == "Errors":
                watched.update(dimension["Value"]["Ref"] for dimension in metric["Dimensions"])
    assert watched == set(functions(cloudformation))


def test_alarms_notify_the_topic_only_when_an_email_is_given(cloudformation: dict[str, Any]) -> None:
    assert cloudformation["Resources"]["AlarmTopic"]["Condition"] == "NotifyByEmail"
    for alarm in of_type(cloudformation, "AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == {
            "Fn::If": ["NotifyByEmail", [{"Ref": "AlarmTopic"}], {"Ref": "AWS::NoValue"}]
        }


def test_tracing_of_every_function_follows_the_tracing_parameter(cloudformation: dict[str, Any]) -> None:
    for properties in functions(cloudformation).values():
        assert properties["TracingConfig"] == {"Mode": {"Ref": "Tracing"}}
        assert properties["Environment"]["Variables"]["TRACING"] == {"Ref": "Tracing"}


def test_debug_log_sampling_follows_the_log_sample_rate_parameter(cloudformation: dict[str, Any]) -> None:
    for properties in functions(cloudformation).values():
        assert properties["Environment"]["Variables"]["POWERTOOLS_LOGGER_SAMPLE_RATE"] == {"Ref": "LogSampleRate"}


@pytest.mark.parametrize("environment", ["default", "prod"])
def test_samconfig_overrides_only_parameters_of_the_template_with_allowed_values(environment: str) -> None:
    deploy = tomllib.loads((ROOT / "samconfig.toml").read_text())[environment]["deploy"]["parameters"]
    parameters = template()["Parameters"]
    for name, value in (pair.split("=", 1) for pair in deploy["parameter_overrides"].split()):
        declared = parameters[name]
        if "AllowedValues" in declared:
            assert value in declared["AllowedValues"], name
        if declared["Type"] == "Number":
            assert declared.get("MinValue", float("-inf")) <= float(value) <= declared.get("MaxValue", float("inf"))
    assert deploy["capabilities"] == "CAPABILITY_IAM"


def test_cors_is_off_unless_origins_are_given_and_then_allows_only_them_with_credentials() -> None:
    sam = template()
    assert sam["Parameters"]["AllowedOrigins"] == {**sam["Parameters"]["AllowedOrigins"], "Default": ""}
    cors = sam["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"]["Fn::If"]
    condition, configured, otherwise = cors
    assert condition == "AllowsOrigins"
    assert configured["AllowOrigins"] == {"Ref": "AllowedOrigins"}  # never "*"
    assert configured["AllowCredentials"] is True
    assert otherwise == {"Ref": "AWS::NoValue"}
    assert sam["Conditions"]["AllowsOrigins"] == {
        "Fn::Not": [{"Fn::Equals": [{"Fn::Join": ["", {"Ref": "AllowedOrigins"}]}, ""]}]
    }


def test_the_functions_check_origins_against_the_same_parameter() -> None:
    environment = template()["Globals"]["Function"]["Environment"]["Variables"]
    assert environment["ALLOWED_ORIGINS"] == {"Fn::Join": [",", {"Ref": "AllowedOrigins"}]}


def test_local_table_and_index_names_are_names_dynamodb_accepts() -> None:
    """Locally a table is named by its logical id: DynamoDB (and DynamoDB Local, unlike moto)
    refuses names outside 3-255 characters of [a-zA-Z0-9_.-]."""
    tables = resources_of_type("AWS::DynamoDB::Table")
    indexes = [i["IndexName"] for t in tables.values() for i in t["Properties"].get("GlobalSecondaryIndexes", [])]
    for name in [*tables, *indexes]:
        assert re.fullmatch(r"[a-zA-Z0-9_.-]{3,255}", name), name


def deployed(value: Any, cloudformation: dict[str, Any], parameters: dict[str, str]) -> Any:
    """A value as CloudFormation deploys it with these parameter values: the SAM transform leaves
    conditions (Fn::If of Fn::Equals on a parameter) and Fn::Sub of parameters to CloudFormation,
    which evaluates them as here."""
    if isinstance(value, list):
        return [deployed(item, cloudformation, parameters) for item in value]
    if not isinstance(value, dict):
        return value
    if "Fn::If" in value:
        condition, then, otherwise = value["Fn::If"]
        (reference, literal) = cloudformation["Conditions"][condition]["Fn::Equals"]
        chosen = then if parameters[reference["Ref"]] == literal else otherwise
        return deployed(chosen, cloudformation, parameters)
    if "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
        return re.sub(r"\$\{(\w+)\}", lambda name: parameters[name.group(1)], value["Fn::Sub"])
    return {key: deployed(item, cloudformation, parameters) for key, item in value.items()}


SNAPSTART_OFF, SNAPSTART_ON = {"SnapStart": "Off"}, {"SnapStart": "On"}


def api_functions(cloudformation: dict[str, Any]) -> set[str]:
    return {name for served_by in routed_functions(cloudformation).values() for name in served_by}


def versions_of(cloudformation: dict[str, Any], function: str) -> dict[str, dict[str, Any]]:
    return {
        name: resource
        for name, resource in of_type(cloudformation, "AWS::Lambda::Version").items()
        if resource["Properties"]["FunctionName"] == {"Ref": function}
    }


def test_snapstart_is_off_unless_switched_on_and_then_on_for_every_api_function(
    cloudformation: dict[str, Any],
) -> None:
    assert template()["Parameters"]["SnapStart"]["Default"] == "Off"
    api = api_functions(cloudformation)
    for name, properties in functions(cloudformation).items():
        off = deployed(properties["SnapStart"], cloudformation, SNAPSTART_OFF)
        on = deployed(properties["SnapStart"], cloudformation, SNAPSTART_ON)
        assert off == {"ApplyOn": "None"}, name
        assert on == {"ApplyOn": "PublishedVersions" if name in api else "None"}, name  # not the stream's


def test_every_route_invokes_the_live_alias_of_a_published_version_of_its_function(
    cloudformation: dict[str, Any],
) -> None:
    """SnapStart serves published versions only: the API must invoke an alias, never $LATEST.
    (SAM cannot make AutoPublishAlias conditional: the alias is there with SnapStart off too.)"""
    for route, (target,) in route_targets(cloudformation).items():
        alias = cloudformation["Resources"][target]
        assert alias["Type"] == "AWS::Lambda::Alias", route
        assert alias["Properties"]["Name"] == "live"
        function = alias["Properties"]["FunctionName"]["Ref"]
        (version,) = versions_of(cloudformation, function)
        assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version, "Version"]}


def test_switching_snapstart_publishes_a_new_version_of_every_api_function(cloudformation: dict[str, Any]) -> None:
    """A version's description cannot change in place (CloudFormation replaces the version, which
    publishes one with SnapStart's new setting); SAM's own version ids follow the code alone."""
    for function in api_functions(cloudformation):
        (version,) = versions_of(cloudformation, function).values()
        description = version["Properties"]["Description"]
        off = deployed(description, cloudformation, SNAPSTART_OFF)
        assert off != deployed(description, cloudformation, SNAPSTART_ON), function


def test_versions_a_deploy_replaces_are_deleted(cloudformation: dict[str, Any]) -> None:
    """Kept, each would be billed for its cached snapshot with SnapStart on."""
    for version in of_type(cloudformation, "AWS::Lambda::Version").values():
        assert version["DeletionPolicy"] == "Delete"
