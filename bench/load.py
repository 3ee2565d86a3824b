"""`make load`: the local server (as `make serve` runs it, on DynamoDB Local, in memory here,
bcrypt at the template's cost) under 1, 8 and 32 concurrent clients (bench/locustfile.py),
for LOAD_SECONDS each; writes the "Load" section of BENCHMARKS.md and fails on any 5xx or
any other unexpected answer.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from bench import report  # noqa: E402
from local import backend, server, template  # noqa: E402

CLIENTS = (1, 8, 32)
SECONDS = int(os.environ.get("LOAD_SECONDS", "30"))
PASSWORD = "load-password-1"
SECTION = "## Load"
ROUTES = ["/api/user/tokens", "/api/customers", "/api/customers/sessions", "/api/customers/{id}"]
ROUTES.append("/api/customers/sessions/{ids}")


def _template_cost() -> str:
    return str(template.template()["Parameters"]["BcryptRounds"]["Default"])


def _admins(count: int) -> list[str]:
    """One admin per client: logins of one email beyond LOGIN_MAX_FAILURES at once are 429s."""
    from customer_api.domain.admins import create_admin  # noqa: PLC0415 - after the server's environment

    emails = [f"load-admin-{n}@shop.example.com" for n in range(count)]
    for email in emails:
        create_admin(email, PASSWORD, "Load Admin")
    return emails


def _run(url: str, clients: int, admins: list[str], folder: Path) -> dict[str, Any]:
    prefix = folder / f"clients{clients}"
    statuses = folder / f"statuses{clients}.json"
    environment = {**os.environ, "LOAD_ADMINS": ",".join(admins[:clients]), "LOAD_PASSWORD": PASSWORD}
    environment["LOAD_STATUSES"] = str(statuses)
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless"]
    command += ["--users", str(clients), "--spawn-rate", str(clients), "--run-time", f"{SECONDS}s", "--host", url]
    command += ["--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"]
    subprocess.run(command, env=environment, check=True, stdout=subprocess.DEVNULL)
    with open(f"{prefix}_stats.csv") as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    with open(f"{prefix}_failures.csv") as failures:
        errors = [f"{row['Occurrences']}x {row['Error']}" for row in csv.DictReader(failures)]
    return {"clients": clients, "rows": rows, "statuses": json.loads(statuses.read_text()), "errors": errors}


def _table(results: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| clients | route | requests | req/s | p50 ms | p95 ms | p99 ms | answers |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for result in results:
        for route in [*ROUTES, "Aggregated"]:
            row = result["rows"].get(route)
            if row is None:
                continue
            counts = [s for s in result["statuses"] if s["route"] == route or route == "Aggregated"]
            answers = _answers(counts)
            lines.append(
                f"| {result['clients']} | `{route}` | {row['Request Count']} | {float(row['Requests/s']):.1f} | "
                f"{row['50%']} | {row['95%']} | {row['99%']} | {answers} |"
            )
    return lines


def _answers(counts: list[dict[str, Any]]) -> str:
    total: dict[int, int] = {}
    for count in counts:
        total[count["status"]] = total.get(count["status"], 0) + count["count"]
    return ", ".join(f"{status}: {n}" for status, n in sorted(total.items()))


def _unexpected(results: list[dict[str, Any]]) -> list[str]:
    return [f"{result['clients']} clients: {error}" for result in results for error in result["errors"]]


def _broken_invariants() -> list[str]:
    """The storage invariants of the tests (tests/support/invariants.py), after the load."""
    from tests.support.invariants import violations  # noqa: PLC0415 - after the server's environment

    return violations()


SECTION_TEXT = """{section}

Written by `make load` (`bench/load.py`, clients in `bench/locustfile.py`); `make bench` keeps
this section. The local server as `make serve` runs it (every function in one process,
requests served concurrently), on DynamoDB Local (in memory) beside an embedded moto for the
signing keys, with bcrypt at the template's cost ({rounds}); the clients (locust) on the same
machine: {machine}. Each client is an admin with a customer of its own: an admin login and a
customer create at start, then, with no pause between requests, customer logins, renames of
the customer by the admin, logouts and admin logins in the ratio 4:3:2:1 (the API has no read
route). {seconds} s per level; latency percentiles in milliseconds as locust rounds them.
Every answer was the expected 200 (the run fails on any other, 5xx above all), and the
storage invariants of the tests held afterwards (the run fails otherwise). The answers column
counts every answer, those that came after locust closed its statistics too.

Read it as capacity of one process on two shared cores, not of Lambda, where each request has
a whole execution environment: here bcrypt ({rounds} rounds, about a quarter second of CPU per
login, create or password check) is the bottleneck, and more clients queue for the same two
cores: at 32 clients each one's start (an admin login and a create) waits behind the others',
so much of that window is start-up, and the few fast routes wait for the same cores.

{table}
"""


def write_section(results: list[dict[str, Any]]) -> None:
    """Replace (or add) the Load section of BENCHMARKS.md, leaving the rest of the file alone."""
    path = template.ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    section = SECTION_TEXT.format(
        section=SECTION,
        rounds=os.environ["BCRYPT_ROUNDS"],
        machine=report.machine(),
        seconds=SECONDS,
        table="\n".join(_table(results)),
    )
    before, _, after = text.partition(f"\n{SECTION}\n")
    rest = re.search(r"^## ", after, flags=re.MULTILINE)
    tail = after[rest.start() :] if rest else ""
    path.write_text(before.rstrip("\n") + "\n\n" + section + ("\n" + tail if tail else ""))


def main() -> None:
    warnings.filterwarnings("ignore")
    # The template's cost, not make serve's fast default.
    os.environ.update({"BCRYPT_ROUNDS": _template_cost(), "LOG_LEVEL": "ERROR"})
    with (
        tempfile.TemporaryDirectory() as folder,
        server.start(backend_kind=backend.DYNAMODB_LOCAL) as running,
    ):
        if "DynamoDB Local" not in running.backend:
            raise SystemExit(f"make load needs DynamoDB Local (java and npm ci): got {running.backend}")
        admins = _admins(max(CLIENTS))
        results = [_run(running.url, clients, admins, Path(folder)) for clients in CLIENTS]
        broken = _broken_invariants()
    print("\n".join(_table(results)))
    unexpected = _unexpected(results)
    if unexpected or broken:
        raise SystemExit("Unexpected answers:\n" + "\n".join(unexpected + broken))
    write_section(results)


if __name__ == "__main__":
    main()
