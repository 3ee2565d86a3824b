"""Cold starts: each function's import and first request in a fresh process (`cold_start.py`),
each next to its floor's fresh process, interleaved round by round so that drift hits them alike.

The floor's process imports boto3 and creates the DynamoDB client (the import floor), then does
the work of the function's first request bare: it fetches the secrets the function reads, then
makes the AWS calls of the endpoint's warm floor (`floors.py`), in their order (DynamoDB's, and
the reset request's KMS Encrypt). That floor runs here, as the warm bench runs it, but with
stand-ins for its clients (`_BareCalls`): the floor's process makes each call with its own bare
client and answers it back. So the floors are written once, and the fresh process pays for the
calls alone. Both processes report the AWS calls they made, and they must be the same."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench import cold_start
from bench.endpoints import COLD_REQUEST, ENDPOINTS, Endpoint, Request
from bench.floors import Floor
from bench.stats import median, ratio
from bench.world import World
from local import template

COLD_RUNS = int(os.environ.get("BENCH_COLD_RUNS", "10"))
IMPORT_TARGET = 1.25  # a function's import, at most this many times the import floor
_CHILD = template.ROOT / "bench" / "cold_start.py"
_LAYER = template.ROOT / "shared"
_READS_A_SECRET = "secretsmanager:GetSecretValue"

# cold_start.py's answer: import_ms, request_ms, calls, peak_rss_mib (a function's: bcrypt_ms, status)
Run = dict[str, Any]


@dataclasses.dataclass
class Pair:
    """One function's cold runs and its floor's, round by round."""

    function: list[Run] = dataclasses.field(default_factory=list)
    floor: list[Run] = dataclasses.field(default_factory=list)


Cold = dict[str, Pair]  # by function name


def secrets_read_by(function: str) -> list[str]:
    """The secrets a function may read (its policy's GetSecretValue resources, named locally by
    logical id): the first request verifies or signs a token with them."""
    resources = [
        statement["Resource"]
        for policy in template.template()["Resources"][function]["Properties"].get("Policies", [])
        for statement in policy.get("Statement", [])
        if _READS_A_SECRET in statement["Action"]
    ]
    return sorted({one["Ref"] for found in resources for one in (found if isinstance(found, list) else [found])})


def _endpoint(request: Callable[[World], Request]) -> Endpoint:
    """The warm bench's endpoint of a cold request: its floor makes the same calls."""
    return next(endpoint for endpoint in ENDPOINTS if endpoint.request is request)


def _command(*arguments: str) -> list[str]:
    return [sys.executable, "-I", "-W", "ignore::UserWarning", str(_CHILD), *arguments]


@contextlib.contextmanager
def _result_file() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as scratch:
        yield Path(scratch) / "result.json"


class _BareCalls:
    """Stands in for one of a Floor's clients while the floor runs: the floor's process makes each
    call with its bare client of the service and answers it back; an error comes back as the client
    would raise it."""

    def __init__(self, child: subprocess.Popen[str], real: Any) -> None:
        self._child = child
        self._service = real.meta.service_model.service_name
        self.exceptions = real.exceptions  # the real client's: the floors catch its classes

    def __getattr__(self, operation: str) -> Callable[..., Any]:
        return functools.partial(self._call, operation)

    def _call(self, operation: str, **parameters: Any) -> Any:
        assert self._child.stdin and self._child.stdout  # noqa: S101 - opened as pipes
        call = {"service": self._service, "operation": operation, "parameters": parameters}
        self._child.stdin.write(cold_start.to_json(call) + "\n")
        self._child.stdin.flush()
        answer = cold_start.from_json(self._child.stdout.readline())
        if "error" in answer:
            raised = self.exceptions.from_code(answer["error"]["Error"]["Code"])
            raise raised(answer["error"], answer["operation"])
        return answer["response"]


@contextlib.contextmanager
def _calls_made_by(floor: Floor, child: subprocess.Popen[str]) -> Iterator[None]:
    real = floor.client, floor.kms
    floor.client, floor.kms = (_BareCalls(child, client) for client in real)
    try:
        yield
    finally:
        floor.client, floor.kms = real


def _floor(floor: Floor, endpoint: Endpoint, secrets: list[str]) -> Run:
    action = endpoint.floor(floor)  # prepared here, through the layer and the floor's own client
    with _result_file() as result:
        command = _command("floor", *secrets, str(result))
        with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as child:
            assert child.stdin and child.stdout  # noqa: S101 - opened as pipes
            if child.stdout.readline() != "ready\n":
                raise SystemExit(f"the floor of {endpoint.label} did not start")
            with _calls_made_by(floor, child):
                action()
            child.stdin.close()
        if child.returncode != 0:
            raise SystemExit(f"the floor of {endpoint.label} failed")
        measured: Run = json.loads(result.read_text())
        return measured


def _function(world: World, name: str) -> Run:
    function_name, event = COLD_REQUEST[name](world).event()
    if function_name != name:
        raise SystemExit(f"the cold request of {name} went to {function_name}")
    code_dir = next(f.code_uri for f in template.functions() if f.name == name)
    with _result_file() as result:
        result.with_name("event.json").write_text(json.dumps(event))
        command = _command("function", str(code_dir), str(_LAYER), str(result.with_name("event.json")), str(result))
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        measured: Run = json.loads(result.read_text())
    if measured["status"] != 200:
        raise SystemExit(f"{name} answered {measured['status']} when cold")
    return measured


def _by_service(calls: list[str]) -> tuple[list[str], list[str]]:
    """DynamoDB's calls in their order, the others' (the secrets) in any order."""
    dynamodb = [call for call in calls if call.startswith("DynamoDB_")]
    return dynamodb, sorted(call for call in calls if not call.startswith("DynamoDB_"))


def _check_same_calls(name: str, function: Run, floor: Run) -> None:
    if _by_service(function["calls"]) != _by_service(floor["calls"]):
        raise SystemExit(f"{name} made {function['calls']} when cold, its floor {floor['calls']}")


def measure(world: World) -> Cold:
    floor = Floor(world)
    plan = [(name, _endpoint(request), secrets_read_by(name)) for name, request in COLD_REQUEST.items()]
    cold = {name: Pair() for name, _, _ in plan}
    for round_ in range(COLD_RUNS):
        print(f"cold round {round_ + 1}/{COLD_RUNS}", file=sys.stderr)
        for name, endpoint, secrets in plan:
            pair = cold[name]
            pair.floor.append(_floor(floor, endpoint, secrets))
            pair.function.append(_function(world, name))
            _check_same_calls(name, pair.function[-1], pair.floor[-1])
    return cold


def _median(runs: list[Run], *fields: str) -> float:
    return median([sum(run[field] for field in fields) for run in runs])


def _row(name: str, pair: Pair) -> str:
    imported, import_floor = _median(pair.function, "import_ms"), _median(pair.floor, "import_ms")
    request, request_floor = _median(pair.function, "request_ms"), _median(pair.floor, "request_ms")
    total = _median(pair.function, "import_ms", "request_ms")
    total_floor = _median(pair.floor, "import_ms", "request_ms")
    met = "met" if imported <= IMPORT_TARGET * import_floor else "missed"
    return (
        f"| {name} | {imported:.0f} | {import_floor:.0f} | {ratio(imported, import_floor)} | {met} "
        f"| {request:.0f} | {request_floor:.0f} | {ratio(request, request_floor)} | {ratio(total, total_floor)} "
        f"| {_median(pair.function, 'bcrypt_ms'):.0f} | {max(run['peak_rss_mib'] for run in pair.function):.0f} |"
    )


def table(cold: Cold) -> list[str]:
    floors = [run for pair in cold.values() for run in pair.floor]
    return [
        f"Import floor (a fresh process: `import boto3` + DynamoDB client): **{_median(floors, 'import_ms'):.0f} ms**, "
        f"median of all {len(floors)} floor processes (each row's ratios use its own floor's {COLD_RUNS}); "
        f"peak RSS {_median(floors, 'peak_rss_mib'):.0f} MiB.",
        "",
        "| Function | Import ms | Import floor ms | Import ratio | Target 1.25x | First request ms "
        "| Bare first request ms | First request ratio | Cold total ratio | bcrypt ms (left out) | Peak RSS MiB |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
        *(_row(name, pair) for name, pair in cold.items()),
    ]
