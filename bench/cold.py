"""Cold starts: each function's first request in a fresh process (`cold_start.py`), interleaved
round by round with the floor's fresh process, so that drift hits them alike."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.endpoints import COLD_REQUEST
from bench.stats import median, ratio
from bench.world import World
from local import template

COLD_RUNS = int(os.environ.get("BENCH_COLD_RUNS", "10"))
_CHILD = template.ROOT / "bench" / "cold_start.py"
_LAYER = template.ROOT / "shared"

Run = dict[str, Any]  # cold_start.py's answer: import_ms, invoke_ms, peak_rss_mib (and a status)


@dataclasses.dataclass
class Cold:
    floor: list[Run]
    functions: dict[str, list[Run]]  # by function name


def _once(arguments: list[str]) -> Run:
    with tempfile.TemporaryDirectory() as scratch:
        result = Path(scratch) / "result.json"
        command = [sys.executable, "-I", "-W", "ignore::UserWarning", str(_CHILD), *arguments, str(result)]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=os.environ)
        measured: Run = json.loads(result.read_text())
        return measured


def _function(world: World, name: str) -> Run:
    function_name, event = COLD_REQUEST[name](world).event()
    if function_name != name:
        raise SystemExit(f"the cold request of {name} went to {function_name}")
    code_dir = next(f.code_uri for f in template.functions() if f.name == name)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(event, file)
    try:
        measured = _once(["function", str(code_dir), str(_LAYER), file.name])
    finally:
        os.unlink(file.name)
    if measured["status"] != 200:
        raise SystemExit(f"{name} answered {measured['status']} when cold")
    return measured


def measure(world: World) -> Cold:
    cold = Cold([], {name: [] for name in COLD_REQUEST})
    for round_ in range(COLD_RUNS):
        print(f"cold round {round_ + 1}/{COLD_RUNS}", file=sys.stderr)
        cold.floor.append(_once(["floor"]))
        for name, runs in cold.functions.items():
            runs.append(_function(world, name))
    return cold


def table(cold: Cold) -> list[str]:
    floor = median([run["import_ms"] for run in cold.floor])
    lines = [
        f"Floor (fresh process: `import boto3` + DynamoDB client): **{floor:.0f} ms** median of {len(cold.floor)}; "
        f"peak RSS {median([run['peak_rss_mib'] for run in cold.floor]):.0f} MiB.",
        "",
        "| Function | Import ms | First request ms | Cold total ms | Ratio to floor | Target 1.25x | Peak RSS MiB |",
        "|---|---:|---:|---:|---:|---|---:|",
    ]
    for name, runs in cold.functions.items():
        total = median([run["import_ms"] + run["invoke_ms"] for run in runs])
        met = "met" if total <= 1.25 * floor else "missed"
        lines.append(
            f"| {name} | {median([r['import_ms'] for r in runs]):.0f} | {median([r['invoke_ms'] for r in runs]):.0f} "
            f"| {total:.0f} | {ratio(total, floor)} | {met} | {max(r['peak_rss_mib'] for r in runs):.0f} |"
        )
    return lines
