"""`make import-evershop FROM=...`: the EverShop import (tools/evershop_import) into the backend
of `make serve`, whether it runs or not: its DynamoDB Local while it serves (found through the
data folder, as `make invoke` finds it), else DynamoDB Local started on the same data folder for
the import. Arguments after FROM as the importer takes them (--dry-run, --report FILE)."""

from __future__ import annotations

import os
import sys

from local import backend, server


def main(argv: list[str] | None = None) -> int:
    data = server.data_folder()
    os.environ.update(backend.running(data) or {})  # make serve's backend, when it runs
    kind = os.environ.get("BACKEND", backend.DYNAMODB_LOCAL)
    if kind == backend.MOTO and "AWS_ENDPOINT_URL" not in os.environ:
        print("BACKEND=moto keeps its data inside the server's process: nothing else can import into it")
        return 2
    with server.start(backend_kind=kind, data=data):
        from tools.evershop_import.__main__ import main as import_evershop  # noqa: PLC0415 - after the layer's set-up

        return import_evershop(argv)


if __name__ == "__main__":
    sys.exit(main())
