"""What plays AWS for the local server: DynamoDB Local for DynamoDB (data kept in a folder, or
in memory) with an embedded moto server for Secrets Manager and every other service; or moto
for everything (in memory); or the user's own endpoint (AWS_ENDPOINT_URL). The template's
tables and secrets are created there, and tables kept from an earlier run brought up to date."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import urllib.request
from pathlib import Path
from typing import Any

import boto3
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from local import dynamodb_local, template

MOTO = "moto"
DYNAMODB_LOCAL = "dynamodb-local"
BACKENDS = (DYNAMODB_LOCAL, MOTO)
MOTO_ENVIRONMENT = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": "local"}
KEYS_FILE = "signing-keys.json"  # beside DynamoDB Local's database: tokens survive a restart too
ENDPOINTS_FILE = "endpoints.json"  # while serving: where `make invoke` / `make token` find it
OUTBOX_FILE = "outbox-position.json"  # the stream's last published record: a restart resumes there

log = logging.getLogger("local.server")


class _Moto:
    """moto's server app behind a lock, on a free loopback port. moto's backends are not
    thread-safe (parallel transactions crash inside moto with "dictionary changed size during
    iteration"); DynamoDB applies each request atomically, so one at a time is also faithful.
    Beside DynamoDB Local it only serves Secrets Manager, which the functions cache."""

    def __init__(self, port: int = 0) -> None:
        # moto's request log would drown the server's own lines.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        app = DomainDispatcherApplication(create_backend_app)
        lock = threading.Lock()

        def serialized(environ: dict[str, Any], start_response: Any) -> Any:
            with lock:
                return list(app(environ, start_response))

        self._server = make_server("127.0.0.1", port, serialized, threaded=True, request_handler=MotoRequestHandler)
        self.endpoint = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._thread.start()
        # moto keeps its state per process, not per server: wipe what an earlier server left.
        reset = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")  # noqa: S310 - loopback
        urllib.request.urlopen(reset).close()  # noqa: S310 - our own loopback server

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class Backend:
    """The started backend: sets AWS_ENDPOINT_URL(_DYNAMODB) in the environment; `stop()`
    stops what it started (the caller gives the environment back)."""

    def __init__(self, kind: str, data: Path | None) -> None:
        self._moto: _Moto | None = None
        self._dynamodb: dynamodb_local.DynamoDBLocal | None = None
        self.keys_file: Path | None = None
        self.outbox_file: Path | None = None
        self._endpoints_file: Path | None = None
        self.ours = False  # a backend this server started (not the user's own endpoint)
        if "AWS_ENDPOINT_URL" in os.environ:
            self.description = f"the backend at {os.environ['AWS_ENDPOINT_URL']} (AWS_ENDPOINT_URL)"
            return
        if kind not in BACKENDS:
            raise ValueError(f"BACKEND must be one of {', '.join(BACKENDS)}, not {kind!r}")
        why_not = dynamodb_local.unavailable() if kind == DYNAMODB_LOCAL else None
        if why_not:
            log.warning("DynamoDB Local unavailable (%s): serving on moto, in memory", why_not)
        # Fixed ports (DYNAMODB_PORT, MOTO_PORT) let `sam local` containers find them.
        try:
            self._moto = _Moto(int(os.environ.get("MOTO_PORT") or 0))
            os.environ.update({"AWS_ENDPOINT_URL": self._moto.endpoint, **MOTO_ENVIRONMENT})
            if kind == DYNAMODB_LOCAL and not why_not:
                self._start_dynamodb_local(data)
        except BaseException:
            self.stop()
            raise
        self.ours = True
        self.description = self._describe(data)

    def _start_dynamodb_local(self, data: Path | None) -> None:
        self._dynamodb = dynamodb_local.DynamoDBLocal(data, int(os.environ.get("DYNAMODB_PORT") or 0))
        # DynamoDB Local serves the tables' streams too (the outbox reads them).
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = self._dynamodb.endpoint
        os.environ["AWS_ENDPOINT_URL_DYNAMODB_STREAMS"] = self._dynamodb.endpoint
        if data is not None:
            self.keys_file = data / KEYS_FILE
            self.outbox_file = data / OUTBOX_FILE
            self._endpoints_file = data / ENDPOINTS_FILE
            names = ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_DYNAMODB_STREAMS")
            endpoints = {name: os.environ[name] for name in names}
            self._endpoints_file.write_text(json.dumps(endpoints) + "\n")

    def _describe(self, data: Path | None) -> str:
        if self._dynamodb is None:
            return "moto, in memory (nothing survives a restart)"
        return f"DynamoDB Local, data in {data}" if data is not None else "DynamoDB Local, in memory"

    def stop(self) -> None:
        if self._endpoints_file is not None:
            self._endpoints_file.unlink(missing_ok=True)
        if self._dynamodb is not None:
            self._dynamodb.stop()
        if self._moto is not None:
            self._moto.stop()


def running(data: Path) -> dict[str, str] | None:
    """The endpoints of a server serving from `data` now (its environment variables), if any."""
    try:
        endpoints: dict[str, str] = json.loads((data / ENDPOINTS_FILE).read_text())
        port = int(endpoints["AWS_ENDPOINT_URL_DYNAMODB"].rsplit(":", 1)[1])
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except (OSError, ValueError, KeyError):
        return None  # none, or one that did not stop cleanly
    return {**MOTO_ENVIRONMENT, **endpoints}


def _own_names() -> set[str]:
    """The template's names (logical ids) that the environment still uses."""
    environment = {name: value for f in template.functions() for name, value in f.environment.items()}
    return {value for name, value in environment.items() if os.environ[name] == value}


def provision() -> None:
    """Tables and secrets of the template still named by their logical ids (the environment
    may point a variable elsewhere: that one is the user's). Missing ones are created; tables
    that exist get the template's newer indexes."""
    dynamodb = boto3.client("dynamodb")
    tables = set(template.resources_of_type("AWS::DynamoDB::Table")) & _own_names()
    existing = set(dynamodb.list_tables()["TableNames"])
    template.create_tables(dynamodb, only=tables - existing)
    for added in template.add_missing_indexes(dynamodb, only=tables & existing):
        log.warning("Added index %s, new in template.yaml, to the kept table", added)


def provision_secrets(keys_file: Path | None) -> None:
    """The template's secrets still named by logical ids, when missing; with a keys file, the
    keys are read from it (or written to it): tokens keep working across restarts."""
    secretsmanager = boto3.client("secretsmanager")
    wanted = set(template.resources_of_type("AWS::SecretsManager::Secret")) & _own_names()
    missing = wanted - {secret["Name"] for secret in secretsmanager.list_secrets()["SecretList"]}
    kept = json.loads(keys_file.read_text()) if keys_file is not None and keys_file.exists() else {}
    for name in sorted(missing & kept.keys()):
        secretsmanager.create_secret(Name=name, SecretString=kept[name])
    template.create_secrets(secretsmanager, only=missing - kept.keys())
    if keys_file is not None:
        values = {name: secretsmanager.get_secret_value(SecretId=name)["SecretString"] for name in sorted(wanted)}
        keys_file.write_text(json.dumps(values, indent=2) + "\n")
        keys_file.chmod(0o600)
