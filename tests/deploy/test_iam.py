"""Least privilege, proven by use: each function's IAM policy in template.yaml grants exactly the
DynamoDB actions, tables, indexes and secrets that the function is seen calling while a scenario
runs through every path of every handler: nothing missing, nothing extra.

The calls are recorded where every botocore client makes them (`BaseClient._make_api_call`), so
that clients made at import time (Powertools' idempotency layer) are seen as well as the layer's
own; each call is attributed to the function whose handler is running."""

from __future__ import annotations

import contextlib
import fnmatch
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools.utilities import parameters
from botocore.client import BaseClient

from customer_api.core.settings import settings
from local import runtime, template
from local.outbox import Outbox, with_token_in_clear
from tests.support import ADMIN_EMAIL, ADMIN_PASSWORD, Api, unique_email
from tests.support.addresses import ADDRESS
from tests.support.races import competing

Grant = tuple[str, str]  # (IAM action, resource: a logical id, or "<table>/index/<name>")

# Inside a transaction IAM checks the action of each item, not TransactWriteItems.
_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
_SINGLE_TABLE_OPERATIONS = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "DescribeTable"}


def grants_of_call(service: str, operation: str, params: dict[str, Any]) -> set[Grant]:
    """The IAM permissions one API call needs."""
    if service == "secretsmanager":
        return {(f"secretsmanager:{operation}", params["SecretId"])}
    if service == "kms":
        # Locally a key is named by its alias, alias/<logical id> (local.template.key_alias).
        return {(f"kms:{operation}", params["KeyId"].removeprefix("alias/"))}
    if service == "events":
        return {(f"events:{operation}", entry["EventBusName"]) for entry in params["Entries"]}
    if operation in _SINGLE_TABLE_OPERATIONS:
        table = params["TableName"]
        index = params.get("IndexName")
        return {(f"dynamodb:{operation}", f"{table}/index/{index}" if index else table)}
    if operation in {"BatchGetItem", "BatchWriteItem"}:
        return {(f"dynamodb:{operation}", table) for table in params["RequestItems"]}
    if operation in {"TransactWriteItems", "TransactGetItems"}:
        grants = set()
        for item in params["TransactItems"]:
            ((kind, request),) = item.items()
            action = "GetItem" if kind == "Get" else _TRANSACT_ACTIONS[kind]
            grants.add((f"dynamodb:{action}", request["TableName"]))
        return grants
    raise AssertionError(f"no IAM mapping for dynamodb:{operation}: add it to this test")


KeyedGrant = tuple[str, str, str]  # (IAM action, table, the partition key of the item touched)


def _pk(request: dict[str, Any]) -> str:
    # Our tables' partition key is `pk`; the idempotency table's is `id`.
    item = request.get("Key") or request["Item"]
    return str((item.get("pk") or item["id"])["S"])


def keyed_grants_of_call(operation: str, params: dict[str, Any]) -> set[KeyedGrant]:
    """The items (by partition key) each DynamoDB item action of a call touches: what
    `dynamodb:LeadingKeys` conditions are checked against."""
    if operation in {"GetItem", "PutItem", "UpdateItem", "DeleteItem"}:
        return {(f"dynamodb:{operation}", params["TableName"], _pk(params))}
    if operation == "BatchGetItem":
        return {
            ("dynamodb:BatchGetItem", table, _pk({"Key": key}))
            for table, request in params["RequestItems"].items()
            for key in request["Keys"]
        }
    if operation == "TransactWriteItems":
        keyed = set()
        for item in params["TransactItems"]:
            ((kind, request),) = item.items()
            keyed.add((f"dynamodb:{_TRANSACT_ACTIONS[kind]}", request["TableName"], _pk(request)))
        return keyed
    return set()  # queries and secrets: no item keys to condition on


class Recorder:
    """Every AWS call, by the function whose handler made it."""

    def __init__(self) -> None:
        self.used: dict[str, set[Grant]] = {}
        self.keyed: dict[str, set[KeyedGrant]] = {}
        self.running: str | None = None

    def on_call(self, service: str, operation: str, params: dict[str, Any]) -> None:
        if self.running is None:
            return  # the test's own setup, not a function
        self.used.setdefault(self.running, set()).update(grants_of_call(service, operation, params))
        if service == "dynamodb":
            self.keyed.setdefault(self.running, set()).update(keyed_grants_of_call(operation, params))

    @contextlib.contextmanager
    def running_function(self, name: str) -> Iterator[None]:
        # Nested when a competing request runs inside another (tests/support/races.py).
        outer, self.running = self.running, name
        try:
            yield
        finally:
            self.running = outer


@pytest.fixture
def recorder(aws: None, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorded = Recorder()
    real_call, real_invoke = BaseClient._make_api_call, runtime.invoke

    def make_api_call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        recorded.on_call(client.meta.service_model.endpoint_prefix, operation, params)
        return real_call(client, operation, params)

    def invoke(match: runtime.Match, event: dict[str, Any]) -> dict[str, Any]:
        parameters.clear_caches()  # every request reads its secrets, as a cold container would
        with recorded.running_function(match.function.name):
            return real_invoke(match, event)

    monkeypatch.setattr(BaseClient, "_make_api_call", make_api_call)
    monkeypatch.setattr(runtime, "invoke", invoke)
    return recorded


def rehash_on_login(api: Api, customer_email: str, customer_password: str) -> None:
    """Each login function once on a hash of another cost than the configured one: it re-hashes."""
    admin_credentials = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    logins = [
        ("/api/customers/sessions", {"email": customer_email, "password": customer_password}),
        ("/api/user/tokens", admin_credentials),
        ("/api/user/sessions", admin_credentials),
    ]
    for cost, (path, credentials) in enumerate(logins, start=5):
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("BCRYPT_ROUNDS", str(cost))
            settings.cache_clear()
            assert api.post(path, credentials).status == 200
    settings.cache_clear()


def play_reads(api: Api, admin: str, customer_uuid: str, email: str) -> None:
    """The admin's reads: by id, by email, by prefix, and a second page through a cursor."""
    assert api.get(f"/api/customers/{customer_uuid}", token=admin).status == 200
    assert api.get(f"/api/customers/{uuid.uuid4()}", token=admin).status == 404
    assert api.get(f"/api/customers?email={email.upper()}", token=admin).data["items"]
    first = api.get("/api/customers?limit=1", token=admin).data
    assert api.get(f"/api/customers?limit=1&cursor={first['next_cursor']}", token=admin).status == 200
    prefix = email.split("@", maxsplit=1)[0]
    assert api.get(f"/api/customers?email_prefix={prefix}&status=1", token=admin).data["items"]


def play_self_service(api: Api, admin: str) -> None:
    """The customer's own routes and the EverShop 2.x tokens, on a customer of their own: its
    password checks end throttled."""
    email, password = unique_email(), "secret-123"
    assert (
        api.post("/api/customers", {"email": email, "password": password, "full_name": "Me"}, token=admin).status == 200
    )
    pair = api.post("/api/customer/tokens", {"email": email, "password": password}).data
    own = pair["accessToken"]
    assert api.post("/api/customer/token/refresh", {"refreshToken": pair["refreshToken"]}).status == 200
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REFRESH_TOKEN_ROTATION", "true")
        settings.cache_clear()
        spent = api.post("/api/customer/tokens", {"email": email, "password": password}).data["refreshToken"]
        assert api.post("/api/customer/token/refresh", {"refreshToken": spent}).status == 200  # spends it
        assert api.post("/api/customer/token/refresh", {"refreshToken": spent}).status == 401  # ends the session
    settings.cache_clear()
    assert api.get("/api/customers/me", token=own).status == 200
    assert api.get("/api/customers/me/sessions", token=own).data["items"]
    assert api.patch("/api/customers/me", {"full_name": "Jane Me"}, token=own).status == 200
    email = unique_email()
    assert api.patch("/api/customers/me", {"email": email, "current_password": password}, token=own).status == 200
    change = {"current_password": password, "new_password": "secret-456"}
    renewed = api.post("/api/customers/me/password", change, token=own)
    assert renewed.status == 200
    own = renewed.data["token"]
    wrong = {"current_password": "wrong-password", "new_password": "secret-789"}
    statuses = [api.post("/api/customers/me/password", wrong, token=own).status for _ in range(6)]
    assert statuses == [400] * 5 + [429]  # the login throttle: five checks per window
    moving = {"email": unique_email(), "current_password": "wrong-password"}
    assert api.patch("/api/customers/me", moving, token=own).status == 429


def play_addresses_and_groups(api: Api, admin: str) -> None:
    """Groups (the Default one renamed, a customer joining, leaving, deleted in one) and both
    address books, the customer's own and an admin's view of it."""
    group = api.post("/api/customer-groups", {"group_name": "Wholesale"}, token=admin).data["group_id"]
    assert api.patch(f"/api/customer-groups/{group}", {"group_name": "Trade"}, token=admin).status == 200
    assert api.patch("/api/customer-groups/1", {"group_name": "Retail"}, token=admin).status == 200
    assert api.get("/api/customer-groups", token=admin).status == 200
    email, password = unique_email(), "secret-123"
    body = {"email": email, "password": password, "full_name": "Grouped", "group_id": group}
    customer_uuid = api.post("/api/customers", body, token=admin).data["uuid"]
    assert api.delete(f"/api/customer-groups/{group}", token=admin).status == 409
    assert api.patch(f"/api/customers/{customer_uuid}", {"group_id": 1}, token=admin).status == 200
    assert api.patch(f"/api/customers/{customer_uuid}", {"group_id": group}, token=admin).status == 200

    own = api.post("/api/customers/sessions", {"email": email, "password": password}).data["token"]
    base = f"/api/customers/{customer_uuid}/addresses"
    # Each of the customer's own changes loses the book once to an admin's change and reads it again.
    with competing("TransactWriteItems", lambda: api.post(base, ADDRESS, token=admin)):
        mine = api.post("/api/customers/me/addresses", ADDRESS, token=own).data["uuid"]
    with competing("TransactWriteItems", lambda: api.post(base, ADDRESS, token=admin)):
        assert api.patch(f"/api/customers/me/addresses/{mine}", {"city": "Shelbyville"}, token=own).status == 200
    assert api.get("/api/customers/me/addresses", token=own).status == 200
    other = api.post(base, ADDRESS, token=admin).data["uuid"]
    assert api.patch(f"{base}/{other}", {"is_default": True}, token=admin).status == 200
    assert api.get(base, token=admin).status == 200
    assert api.delete(f"{base}/{mine}", token=admin).status == 200
    with competing("TransactWriteItems", lambda: api.post(base, ADDRESS, token=admin)):
        assert api.delete(f"/api/customers/me/addresses/{other}", token=own).status == 200
    assert api.get(f"/api/customers/{uuid.uuid4().hex}/addresses", token=admin).status == 404  # no book, no customer
    api.post("/api/customers/me/addresses", ADDRESS, token=own)
    assert api.delete(f"/api/customers/{customer_uuid}", token=admin).status == 200  # with its book, out of its group
    assert api.delete(f"/api/customer-groups/{group}", token=admin).status == 200


def play_recovery(api: Api, outbox: Outbox, email: str) -> None:
    """A reset asked for a customer and an unknown email, until throttled; a token spent, and
    one refused."""
    outbox.poll()
    assert api.post("/api/customers/reset-password", {"email": unique_email()}).status == 200
    assert api.post("/api/customers/reset-password", {"email": email}).status == 200
    (requested,) = [e for e in outbox.poll() if e["detail-type"] == "customer.password_reset_requested"]
    token = with_token_in_clear(requested)["detail"]["token"]
    assert api.post("/api/customers/password", {"token": token, "password": "secret-456"}).status == 200
    assert api.post("/api/customers/password", {"token": token, "password": "secret-456"}).status == 400
    statuses = [api.post("/api/customers/reset-password", {"email": email}).status for _ in range(3)]
    assert statuses == [200, 200, 429]


def play_every_path(api: Api, outbox: Outbox) -> None:
    """Every handler, through each of its paths that touches AWS differently."""
    admin_credentials = {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    for path in ("/api/user/tokens", "/api/user/sessions"):
        assert api.post(path, {**admin_credentials, "password": "wrong-password"}).status == 400  # counted
        assert api.post(path, {**admin_credentials, "password": "wrong-password"}).status == 400  # counted again
        assert api.post(path, admin_credentials).status == 200  # and the count cleared
    admin = api.post("/api/user/tokens", admin_credentials).data["accessToken"]
    other_admin_session = api.post("/api/user/sessions", admin_credentials).data["sid"]

    email = unique_email()
    body = {"email": email, "password": "secret-123", "full_name": "Jane"}
    customer_uuid = api.post("/api/customers", body, token=admin).data["uuid"]
    assert api.post("/api/customers", body, token=admin).status == 409
    # Idempotent create: a key stored, the same key replayed, a failed create's key released.
    key = {"idempotency-key": str(uuid.uuid4())}
    repeat = {"email": unique_email(), "password": "secret-123", "full_name": "Once"}
    api.post("/api/customers", repeat, token=admin, headers=key)
    api.post("/api/customers", repeat, token=admin, headers=key)
    api.post("/api/customers", body, token=admin, headers={"idempotency-key": str(uuid.uuid4())})

    def log_in(password: str) -> dict[str, str]:
        reply = api.post("/api/customers/sessions", {"email": email, "password": password})
        return reply.data if reply.status == 200 else {}

    assert log_in("wrong-password") == {}  # a failure counted
    session = log_in("secret-123")  # the count cleared
    api.post("/api/customers/sessions", {"email": unique_email(), "password": "secret-123"})  # unknown email

    assert api.patch(f"/api/customers/{customer_uuid}", {"full_name": "Jane Roe"}, token=admin).status == 200
    email = unique_email()
    assert api.patch(f"/api/customers/{customer_uuid}", {"email": email}, token=admin).status == 200
    assert api.patch(f"/api/customers/{customer_uuid}", {}, token=admin).status == 200
    log_in("secret-123")
    assert api.patch(f"/api/customers/{customer_uuid}", {"password": "secret-456"}, token=admin).status == 200
    api.post("/api/customers/sessions", {"email": email, "password": "secret-456"})
    assert api.patch(f"/api/customers/{customer_uuid}", {"status": 0}, token=admin).status == 200  # sessions swept
    assert api.patch(f"/api/customers/{customer_uuid}", {"status": 1}, token=admin).status == 200
    assert api.patch(f"/api/customers/{uuid.uuid4().hex}", {"full_name": "Nobody"}, token=admin).status == 404

    def log_in_again() -> dict[str, str]:
        return api.post("/api/customers/sessions", {"email": email, "password": "secret-456"}).data  # type: ignore[no-any-return]

    first, second, third = log_in_again(), log_in_again(), log_in_again()
    assert api.delete(f"/api/customers/sessions/{first['sid']}", token=first["token"]).status == 200
    assert api.post(f"/api/customers/sessions/{second['sid']}", cookies=[f"token={second['token']}"]).status == 200
    assert api.delete(f"/api/customers/sessions/{customer_uuid}", token=admin).status == 200  # every session
    assert api.delete(f"/api/customers/sessions/{third['sid']}", token=admin).status == 404
    assert session

    log_in_again()
    play_recovery(api, outbox, email)
    play_reads(api, admin, customer_uuid, email)
    play_self_service(api, admin)
    play_addresses_and_groups(api, admin)
    rehash_on_login(api, email, "secret-456")
    assert api.delete(f"/api/user/sessions/{other_admin_session}", token=admin).status == 200
    assert api.delete(f"/api/customers/{customer_uuid}", token=admin).status == 200
    assert api.delete(f"/api/customers/{customer_uuid}", token=admin).status == 404
    assert outbox.poll()  # every committed change published, by the stream consumer


# --- the template's policies ------------------------------------------------------------------


def _resource_name(resource: Any) -> str:
    """A policy resource as a logical id (or <table>/index/<name>); the template's three forms."""
    if isinstance(resource, dict) and "Fn::GetAtt" in resource and resource["Fn::GetAtt"][1] == "Arn":
        return str(resource["Fn::GetAtt"][0])
    if isinstance(resource, dict) and "Fn::GetAtt" in resource and resource["Fn::GetAtt"][1] == "StreamArn":
        return f"{resource['Fn::GetAtt'][0]}/stream"
    if isinstance(resource, dict) and "Ref" in resource:
        return str(resource["Ref"])
    if isinstance(resource, dict) and "Fn::Sub" in resource and isinstance(resource["Fn::Sub"], str):
        arn, _, rest = resource["Fn::Sub"].partition("}")
        if arn.startswith("${") and arn.endswith(".Arn"):
            return arn[2:-4] + rest
    raise AssertionError(f"a policy resource this test cannot read: {resource!r}")


def granted(function: str) -> set[Grant]:
    policies = template.template()["Resources"][function]["Properties"].get("Policies", [])
    grants: set[Grant] = set()
    for policy in policies:
        assert isinstance(policy, dict) and "Statement" in policy, f"{function}: only inline statements are checked"
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow"
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            assert not any("*" in action for action in actions), f"{function}: wildcard action"
            grants |= {(action, _resource_name(resource)) for action in actions for resource in resources}
    return grants


FUNCTIONS = [function.name for function in template.functions()]

# Grants no scenario can reach, each needed by a fallback of a library: Powertools' idempotency
# reads the record when a failed conditional put does not return it (DynamoDB always does today).
UNREACHABLE_FALLBACKS: dict[str, set[Grant]] = {
    "CreateCustomerFunction": {("dynamodb:GetItem", "IdempotencyTable")},
}


def _stream_reads(function: str) -> set[Grant]:
    """What a function's event source mapping reads with the function's role (Lambda's service
    makes those calls, not the function's code): SAM wants them on the role."""
    events = template.template()["Resources"][function]["Properties"].get("Events", {}).values()
    streams = [event["Properties"]["Stream"]["Fn::GetAtt"][0] for event in events if event["Type"] == "DynamoDB"]
    actions = ("DescribeStream", "GetRecords", "GetShardIterator", "ListStreams")
    return {(f"dynamodb:{action}", f"{table}/stream") for table in streams for action in actions}


@pytest.fixture
def played(recorder: Recorder, api: Api, admin: None, outbox: Outbox) -> Recorder:
    play_every_path(api, outbox)
    return recorder


@pytest.fixture
def used(played: Recorder) -> dict[str, set[Grant]]:
    return {function: grants | _stream_reads(function) for function, grants in played.used.items()}


def leading_key_patterns(function: str, action: str, table: str) -> list[str] | None:
    """The `dynamodb:LeadingKeys` patterns under which the function's policy allows `action` on
    `table`; None when a statement allows it on every item."""
    patterns: list[str] = []
    for policy in template.template()["Resources"][function]["Properties"].get("Policies", []):
        for statement in policy["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            if action not in actions or table not in map(_resource_name, resources):
                continue
            condition = statement.get("Condition", {}).get("ForAllValues:StringLike", {})
            if "dynamodb:LeadingKeys" not in condition:
                return None
            patterns += condition["dynamodb:LeadingKeys"]
    return patterns


def test_every_item_a_function_touches_is_within_its_leading_keys_conditions(played: Recorder) -> None:
    """The conditions narrowing writes to some items (a login writes customers, never admins)
    let through every item the scenario writes: a condition too narrow would fail on AWS alone."""
    refused = sorted(
        (function, action, table, pk)
        for function, keyed in played.keyed.items()
        for action, table, pk in keyed
        if (patterns := leading_key_patterns(function, action, table)) is not None
        and not any(fnmatch.fnmatchcase(pk, pattern) for pattern in patterns)
    )
    assert refused == []


def test_the_leading_keys_check_refuses_an_item_outside_the_patterns() -> None:
    """A check of the check: a login function may update customers' items, not an admin's."""
    patterns = leading_key_patterns("CreateSessionFunction", "dynamodb:UpdateItem", "CustomersTable")
    assert patterns == ["CUSTOMER#*"]
    assert not any(fnmatch.fnmatchcase("ADMIN#boss@shop.example.com", pattern) for pattern in patterns)


def test_the_scenario_runs_every_function(used: dict[str, set[Grant]]) -> None:
    assert sorted(used) == sorted(FUNCTIONS)


def test_every_policy_grants_exactly_what_its_function_uses(used: dict[str, set[Grant]]) -> None:
    mismatches = {
        function: {
            "missing": sorted(used.get(function, set()) - granted(function)),
            "extra": sorted(granted(function) - used.get(function, set()) - UNREACHABLE_FALLBACKS.get(function, set())),
        }
        for function in FUNCTIONS
    }
    mismatches = {function: found for function, found in mismatches.items() if found["missing"] or found["extra"]}

    assert mismatches == {}


def test_the_transaction_actions_map_to_item_actions() -> None:
    """A check of the mapping above: IAM knows no TransactWriteItems action."""
    params = {
        "TransactItems": [
            {"Put": {"TableName": "A"}},
            {"Update": {"TableName": "A"}},
            {"Delete": {"TableName": "B"}},
            {"ConditionCheck": {"TableName": "B"}},
        ]
    }

    assert grants_of_call("dynamodb", "TransactWriteItems", params) == {
        ("dynamodb:PutItem", "A"),
        ("dynamodb:UpdateItem", "A"),
        ("dynamodb:DeleteItem", "B"),
        ("dynamodb:ConditionCheckItem", "B"),
    }


# Functions a customer token reaches: a customer's own routes, logout, the token refresh.
REACHED_BY_CUSTOMER_TOKENS = [
    "GetOwnAccountFunction",
    "UpdateOwnAccountFunction",
    "ChangeOwnPasswordFunction",
    "ListOwnSessionsFunction",
    "ListOwnAddressesFunction",
    "AddOwnAddressFunction",
    "UpdateOwnAddressFunction",
    "DeleteOwnAddressFunction",
    "DeleteSessionsFunction",
    "RefreshCustomerTokenFunction",
]
ITEM_WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}


@pytest.mark.parametrize("function", REACHED_BY_CUSTOMER_TOKENS)
def test_no_function_customer_tokens_reach_can_mint_an_admin_token_or_write_an_admins_item(function: str) -> None:
    """SECURITY.md, item 7 of the attacker's findings: such a function holds no admin signing
    key, and each write it may make is limited to items that are not an admin's or an admin
    session (dynamodb:LeadingKeys)."""
    grants = granted(function)
    assert ("secretsmanager:GetSecretValue", "AdminTokenSecret") not in grants
    for action, table in grants:
        if action not in ITEM_WRITES:
            continue
        patterns = leading_key_patterns(function, action, table)
        assert patterns is not None, f"{function} may {action} any item of {table}"
        admin_items = ["ADMIN#boss@shop.example.com", "ADMINSESSION#0f0e", "FAILURES#admin#boss@shop.example.com"]
        assert not [pk for pk in admin_items if any(fnmatch.fnmatchcase(pk, p) for p in patterns)], (function, action)
