"""The EverShop data set (tests/importer/evershop: made by a real EverShop 2.2.1, see its
README) as a CSV folder and loaded into a real PostgreSQL server that these fixtures start."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.importer.evershop_data import EVERSHOP

TABLES = ("customer_group", "customer", "customer_address")
# Debian's layout (the `postgresql` package); elsewhere the binaries are on PATH.
SERVER_FOLDERS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def _server_binaries() -> Path | None:
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    return next((folder for folder in SERVER_FOLDERS if (folder / "pg_ctl").exists()), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL's server refuses to run as root: as root, run it as the `postgres` user."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _run(command: list[str], *, check: bool = True) -> None:
    subprocess.run(command, check=check, capture_output=True)  # noqa: S603 - our own fixed commands


def _why_no_postgres() -> str | None:
    if _server_binaries() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not found (Debian: apt-get install postgresql)"
    if shutil.which("psql") is None:
        return "psql not found"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser"
    return None


class _Server:
    """A throwaway PostgreSQL cluster in a temporary folder, on a free loopback port."""

    def __init__(self) -> None:
        binaries = _server_binaries()
        assert binaries is not None
        self.folder = Path(tempfile.mkdtemp(prefix="evershop-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        self.port = _free_port()
        self.pg_ctl = str(binaries / "pg_ctl")
        self.psql_binary = shutil.which("psql") or "psql"
        user = "postgres" if os.geteuid() == 0 else getpass.getuser()
        self.url = f"postgresql://{user}@127.0.0.1:{self.port}/postgres"
        _run(_as_server_user([str(binaries / "initdb"), "-D", str(self.data), "-A", "trust", "-U", user]))
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        start = [self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start"]
        _run(_as_server_user(start))

    def psql(self, *arguments: str) -> None:
        _run([self.psql_binary, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url, *arguments])

    def load(self, folder: Path) -> None:
        self.psql("-f", str(folder / "schema.sql"))
        for table in TABLES:
            self.psql("-c", f"\\copy {table} FROM '{folder / (table + '.csv')}' CSV HEADER")

    def stop(self) -> None:
        _run(_as_server_user([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"]), check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def evershop_postgres() -> Iterator[str]:
    """A PostgreSQL server loaded with the EverShop data set: its URL."""
    why = _why_no_postgres()
    if why:
        pytest.skip(f"PostgreSQL tests skipped: {why}")
    server = _Server()
    try:
        server.load(EVERSHOP)
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def evershop_folder() -> Path:
    return EVERSHOP
