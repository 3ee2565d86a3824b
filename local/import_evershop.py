"""`make import-evershop FROM=...`: the EverShop import (tools/evershop_import) into the backend
of `make serve`, whether it runs or not: its DynamoDB Local while it serves (found through the
data folder, as `make invoke` finds it), else DynamoDB Local started on the same data folder for
the import. Arguments after FROM as the importer takes them (--dry-run, --report FILE).

The import publishes no event itself, as on AWS, where the stack's stream consumer does: the
events of what it committed (customer.created, customer.updated) are published by make serve's
outbox, at once while it serves, else when it next starts (it resumes where it stopped)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from local import backend, server


def _starts_its_own_backend(data: Path) -> bool:
    """Point the environment at make serve's backend when it serves from `data`; True when there
    is neither that nor the user's own (AWS_ENDPOINT_URL): the import starts one on `data`."""
    serving = backend.running(data)
    os.environ.update(serving or {})
    return serving is None and "AWS_ENDPOINT_URL" not in os.environ


def main(argv: list[str] | None = None) -> int:
    data = server.data_folder()
    publishes_later = _starts_its_own_backend(data)
    kind = os.environ.get("BACKEND", backend.DYNAMODB_LOCAL)
    if kind == backend.MOTO and "AWS_ENDPOINT_URL" not in os.environ:
        print("BACKEND=moto keeps its data inside the server's process: nothing else can import into it")
        return 2
    with server.start(backend_kind=kind, data=data, publish_events=False):
        from tools.evershop_import.__main__ import main as import_evershop  # noqa: PLC0415 - after the layer's set-up

        done = import_evershop(argv)
    if publishes_later:
        print("make serve publishes the import's events when it next starts.")
    return done


if __name__ == "__main__":
    sys.exit(main())
