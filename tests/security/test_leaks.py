"""No secret leaks: a whole scenario (admin logins, create, update with a new password, logins
right and wrong, logout, forged and revoked tokens, validation errors, throttling, delete) is
run at DEBUG level, and no log line may carry a password, a bcrypt hash, a token or a signing
key; no response may carry a password, a hash or a key."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import boto3
import jwt
import pytest

from customer_api.core.settings import settings
from customer_api.edge.observability import logger
from local.outbox import Outbox, with_token_in_clear
from tests.support import ADMIN_EMAIL, ADMIN_PASSWORD, Api, Reply, unique_email

FIRST_PASSWORD = "Canary-first-pw-1"
SECOND_PASSWORD = "Canary-second-pw-2"
WRONG_PASSWORD = "Canary-wrong-pw-3"
RESET_PASSWORD = "Canary-reset-pw-4"
PASSWORDS = [ADMIN_PASSWORD, FIRST_PASSWORD, SECOND_PASSWORD, WRONG_PASSWORD, RESET_PASSWORD]

BCRYPT_HASH = re.compile(r"\$2[abxy]\$\d\d\$[./A-Za-z0-9]{53}")
JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


@dataclasses.dataclass
class Scenario:
    replies: list[Reply] = dataclasses.field(default_factory=list)
    tokens: list[str] = dataclasses.field(default_factory=list)
    hashes: list[str] = dataclasses.field(default_factory=list)
    keys: list[str] = dataclasses.field(default_factory=list)
    reset_secrets: list[str] = dataclasses.field(default_factory=list)  # tokens, their secrets and hashes
    events: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # as the bus received them
    log_lines: list[str] = dataclasses.field(default_factory=list)


class Recorder:
    def __init__(self, api: Api, scenario: Scenario) -> None:
        self.api, self.scenario = api, scenario

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Reply:
        reply = self.api.call(method, path, body, **kwargs)
        self.scenario.replies.append(reply)
        data = reply.body.get("data") or {}
        self.scenario.tokens += [str(data[name]) for name in ("token", "accessToken", "refreshToken") if data.get(name)]
        return reply


def _stored_hashes() -> list[str]:
    items = boto3.client("dynamodb").scan(TableName=settings().customers_table)["Items"]
    return [item["password_hash"]["S"] for item in items if "password_hash" in item]


def _signing_keys() -> list[str]:
    client = boto3.client("secretsmanager")
    keys = []
    for name in (settings().admin_token_secret, settings().customer_token_secret):
        secret = json.loads(client.get_secret_value(SecretId=name)["SecretString"])
        keys += [value for value in secret.values() if value]
    return keys


def play_reset(r: Recorder, outbox: Outbox, email: str, scenario: Scenario) -> None:
    """A password reset: asked for (and for an unknown email), spent, spent again."""
    scenario.events += outbox.poll()
    r.call("POST", "/api/customers/reset-password", {"email": unique_email()})
    r.call("POST", "/api/customers/reset-password", {"email": email})
    published = outbox.poll()
    scenario.events += published
    (requested,) = [e for e in published if e["detail-type"] == "customer.password_reset_requested"]
    token = with_token_in_clear(requested)["detail"]["token"]
    scenario.reset_secrets += [token, token.partition(".")[2], hashlib.sha256(token.encode()).hexdigest()]
    r.call("POST", "/api/customers/password", {"token": token, "password": RESET_PASSWORD})
    r.call("POST", "/api/customers/password", {"token": token, "password": RESET_PASSWORD})
    scenario.hashes += _stored_hashes()


def play(api: Api, outbox: Outbox, scenario: Scenario) -> None:
    """Everything a day of the service sees, good and bad."""
    r = Recorder(api, scenario)
    admin_tokens = r.call("POST", "/api/user/tokens", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).data
    admin = admin_tokens["accessToken"]
    r.call("POST", "/api/user/sessions", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    email = unique_email()
    created = r.call(
        "POST", "/api/customers", {"email": email, "password": FIRST_PASSWORD, "full_name": "Jane"}, token=admin
    )
    customer_uuid = created.data["uuid"]
    scenario.hashes += _stored_hashes()
    old_session = r.call("POST", "/api/customers/sessions", {"email": email, "password": FIRST_PASSWORD}).data
    r.call("PATCH", f"/api/customers/{customer_uuid}", {"password": SECOND_PASSWORD}, token=admin)
    scenario.hashes += _stored_hashes()
    # Failures: wrong and old password, a revoked token, forged tokens, bad bodies.
    r.call("POST", "/api/customers/sessions", {"email": email, "password": WRONG_PASSWORD})
    r.call("POST", "/api/customers/sessions", {"email": email, "password": FIRST_PASSWORD})
    r.call("DELETE", f"/api/customers/sessions/{old_session['sid']}", token=old_session["token"])
    forged = jwt.encode({"sid": old_session["sid"], "aud": "admin"}, "not-the-key", algorithm="HS256")
    scenario.tokens.append(forged)
    r.call("PATCH", f"/api/customers/{customer_uuid}", {"password": WRONG_PASSWORD}, token=forged)
    r.call("POST", "/api/customers", {"email": email, "password": "short"}, token=admin)
    r.call("POST", "/api/customers", {"email": "bad", "password": WRONG_PASSWORD, "full_name": "X"}, token=admin)
    r.call("PATCH", f"/api/customers/{customer_uuid}", {"password": WRONG_PASSWORD * 5}, token=admin)
    r.call("PATCH", f"/api/customers/{customer_uuid}", {"password": WRONG_PASSWORD + "\x00"}, token=admin)
    r.call("POST", "/api/customers/sessions", raw_body=f'{{"email": "{email}", "password": "{WRONG_PASSWORD}"')
    # A good login and logout, then throttling, then the end of the customer.
    session = r.call("POST", "/api/customers/sessions", {"email": email, "password": SECOND_PASSWORD}).data
    r.call("POST", f"/api/customers/sessions/{session['sid']}", cookies=[f"token={session['token']}"])
    for _ in range(6):
        r.call("POST", "/api/customers/sessions", {"email": email, "password": WRONG_PASSWORD})
    r.call("POST", "/api/user/tokens", {"email": ADMIN_EMAIL, "password": WRONG_PASSWORD})
    play_reset(r, outbox, email, scenario)
    r.call("DELETE", f"/api/customers/{customer_uuid}", token=admin)
    scenario.events += outbox.poll()
    scenario.keys += _signing_keys()


@pytest.fixture
def scenario(
    api: Api, admin: None, outbox: Outbox, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> Iterator[Scenario]:
    """The scenario, played at DEBUG, with every line logged: the service logger's lines as
    Lambda would write them, Powertools' own loggers' records, and all of stdout and stderr."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    service_logger = logging.getLogger(logger.name)
    level = service_logger.level
    service_logger.addHandler(handler)
    logger.setLevel("DEBUG")  # what LOG_LEVEL=DEBUG does
    caplog.set_level(logging.DEBUG, logger="aws_lambda_powertools")
    played = Scenario()
    try:
        play(api, outbox, played)
    finally:
        service_logger.removeHandler(handler)
        service_logger.setLevel(level)
    captured = capsys.readouterr()
    played.log_lines = [
        *stream.getvalue().splitlines(),
        *(record.getMessage() for record in caplog.records),
        *captured.out.splitlines(),
        *captured.err.splitlines(),
    ]
    yield played


def test_the_scenario_is_captured_at_debug_level(scenario: Scenario) -> None:
    """The control: the capture sees the service's lines (else the tests below prove nothing)."""
    messages = [json.loads(line).get("message") for line in scenario.log_lines if line.startswith('{"level"')]

    assert "Customer logged in" in messages
    assert any("Calling API Route Handler" in line for line in scenario.log_lines)  # a DEBUG line, with the body
    assert len(scenario.tokens) >= 5
    assert len(set(scenario.hashes)) >= 3  # the admin's, the first and the second password's
    assert len(scenario.replies) > 20
    assert len(scenario.reset_secrets) == 3 and len(scenario.events) >= 5


def secrets_of(scenario: Scenario) -> list[str]:
    signatures = [token.rsplit(".", 1)[1] for token in scenario.tokens if token.rsplit(".", 1)[1]]
    return [*PASSWORDS, *scenario.hashes, *scenario.tokens, *signatures, *scenario.keys, *scenario.reset_secrets]


def test_no_log_line_carries_a_password_hash_token_or_key(scenario: Scenario) -> None:
    secrets = secrets_of(scenario)

    leaks = [(secret[:12], line[:200]) for line in scenario.log_lines for secret in secrets if secret in line]

    assert leaks == []


def test_no_log_line_looks_like_a_hash_or_a_token(scenario: Scenario) -> None:
    suspicious = [line[:200] for line in scenario.log_lines if BCRYPT_HASH.search(line) or JWT.search(line)]

    assert suspicious == []


def _reply_text(reply: Reply) -> str:
    return json.dumps({"body": reply.body, "headers": reply.headers, "cookies": reply.cookies})


def test_no_response_carries_a_password_hash_or_key(scenario: Scenario) -> None:
    secrets = [*PASSWORDS, *scenario.hashes, *scenario.keys, *scenario.reset_secrets]

    leaks = [
        (secret[:12], _reply_text(reply)[:200])
        for reply in scenario.replies
        for secret in secrets
        if secret in _reply_text(reply)
    ]

    assert leaks == []


def test_no_response_looks_like_a_hash(scenario: Scenario) -> None:
    assert [_reply_text(reply)[:200] for reply in scenario.replies if BCRYPT_HASH.search(_reply_text(reply))] == []


def test_error_responses_carry_no_token(scenario: Scenario) -> None:
    errors = [_reply_text(reply) for reply in scenario.replies if "error" in reply.body]

    assert errors
    assert [text[:200] for text in errors if JWT.search(text)] == []


def test_no_event_carries_a_password_hash_or_reset_token(scenario: Scenario) -> None:
    published = json.dumps(scenario.events)

    assert [
        secret[:12] for secret in [*PASSWORDS, *scenario.hashes, *scenario.reset_secrets] if secret in published
    ] == []
    assert not BCRYPT_HASH.search(published)
