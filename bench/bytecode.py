"""`make bench-bytecode`: what the layer's bytecode saves every cold start.

On Lambda the layer is unpacked into /opt, which is read-only: a module without a usable `.pyc`
is compiled from source at every import of every cold start, and the compiled code is thrown
away. SAM's python3.13 builder unpacks wheels without compiling them, so a layer it built has no
`.pyc` at all; shared/Makefile compiles every module, never to be checked against its source
(the zip SAM uploads dates every file 1980).

This builds the layer with shared/Makefile (this machine's wheels instead of arm64's), dates
every file 1980 as the uploaded zip does, and makes a second copy without the bytecode: the
layer as SAM's own builder made it. Then, round by round, fresh processes (`python -I -S -B`:
the layer alone on the path, nothing written) time the import floor (`import boto3` and the
DynamoDB client, from the layer as on Lambda, where the layer's boto3 shadows the runtime's) and
each function's import (its `app` module, Lambda's init), against each copy in turn.

The same processes time the import floor followed by pydantic's BaseModel, by Powertools' HTTP
API resolver, and by both, and nothing of this service: what the base libraries alone leave of
the 1.25x import target.

Writes BENCHMARKS.md's "Layer bytecode" section. Knob: BYTECODE_ROUNDS (5).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from bench import report  # noqa: E402
from bench.stats import median, ratio  # noqa: E402
from local import template  # noqa: E402

ROUNDS = int(os.environ.get("BYTECODE_ROUNDS", "5"))
SECTION = "## Layer bytecode"
FLOOR = "import floor"
COMPILED, SOURCE = "compiled", "source only"
ZIP_EPOCH = 315532800  # 1980-01-01T00:00:00Z: the date SAM's zip gives every file

# The libraries every function imports, each over the import floor alone: what they take of a
# function's budget before any code of this service runs.
PYDANTIC, IMPORT_PYDANTIC = f"{FLOOR} + pydantic's BaseModel", "from pydantic import BaseModel"
RESOLVER = f"{FLOOR} + Powertools' HTTP API resolver"
IMPORT_RESOLVER = "from aws_lambda_powertools.event_handler import APIGatewayHttpResolver"
BOTH = f"{FLOOR} + both"
LIBRARIES = {
    FLOOR: "",
    PYDANTIC: IMPORT_PYDANTIC,
    RESOLVER: IMPORT_RESOLVER,
    BOTH: f"{IMPORT_PYDANTIC}\n{IMPORT_RESOLVER}",
}

# The child: the code folder (if any) and the layer on the path (nothing else: -I -S), then the
# function's import, or the import floor and the statement given.
_CHILD = """
import sys, time
code, layer, statement = sys.argv[1:4]
sys.path[:0] = [code, layer] if code else [layer]
started = time.perf_counter()
if code:
    import app
else:
    import boto3
    boto3.client("dynamodb")
    exec(statement)
print((time.perf_counter() - started) * 1000)
"""


def build_layer(into: Path) -> Path:
    """The layer as shared/Makefile builds it, with this machine's wheels; its `python` folder."""
    variables = [f"ARTIFACTS_DIR={into}", "LAYER_PLATFORMS=", f"PYTHON={sys.executable}"]
    make = ["make", "-s", "-C", str(ROOT / "shared"), "build-SharedLayer", *variables]
    subprocess.run(make, check=True)
    return into / "python"


def date_as_zipped(tree: Path) -> None:
    for path in tree.rglob("*"):
        os.utime(path, (ZIP_EPOCH, ZIP_EPOCH), follow_symlinks=False)


def without_bytecode(layer: Path, into: Path) -> Path:
    """A copy of the layer (its dates kept) without its `__pycache__` folders."""
    return Path(shutil.copytree(layer, into, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")))


def import_ms(code_dir: str, layer: Path, environment: dict[str, str], statement: str = "") -> float:
    env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "us-east-1", **environment}
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", _CHILD, code_dir, str(layer), statement],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the import of {code_dir or FLOOR} failed:\n{done.stderr}")
    return float(done.stdout)


def measure(layers: dict[str, Path]) -> dict[str, dict[str, list[float]]]:
    """Milliseconds by import (the floor, then each function) and by layer, ROUNDS each."""
    plan: list[tuple[str, str, dict[str, str], str]]
    plan = [(name, "", {}, statement) for name, statement in LIBRARIES.items()]
    plan += [(f.name, str(f.code_uri), f.environment, "") for f in template.functions()]
    times: dict[str, dict[str, list[float]]] = {name: {kind: [] for kind in layers} for name, *_ in plan}
    for round_ in range(ROUNDS):
        print(f"bytecode round {round_ + 1}/{ROUNDS}", file=sys.stderr)
        for name, code_dir, environment, statement in plan:
            for kind, layer in layers.items():
                times[name][kind].append(import_ms(code_dir, layer, environment, statement))
    return times


SECTION_TEXT = """{section}

`make bench-bytecode` (bench/bytecode.py): each import in a fresh process with the layer alone on
its path and nothing written (`python -I -S -B`), {rounds} rounds, medians in ms. **{compiled}**:
the layer as `sam build` makes it now (shared/Makefile: every module compiled, never checked
against its source). **{source}**: the same layer without its bytecode, as SAM's own python3.13
builder made it before (it unpacks wheels without compiling them). Both dated 1980 as the zip
SAM uploads dates them. On Lambda /opt is read-only, so without bytecode every cold start
compiles every module it imports, and throws the result away. The import floor is `import boto3`
and the DynamoDB client from the layer: the layer's boto3 shadows the runtime's. This machine's
wheels stand in for arm64's; the bytecode is the same. {machine}.

| Import | {compiled} ms | {source} ms | {source} / {compiled} |
|---|---:|---:|---:|
{rows}

Over the {functions} functions, the import without bytecode takes {slowest_saving:.0f} ms more at
most and {median_saving:.0f} ms more at the median: about that much of every cold start of the
functions as they were deployed until now, before Lambda's slower CPUs are counted.

**What the base libraries leave of the 1.25x import target.** The rows "import floor + ..." are
the floor's process importing one thing more, and nothing of this service: pydantic's
`BaseModel` (every model of the service derives from it) or Powertools' resolver for HTTP APIs
(every API function is one), or both. At 1.25x, an API function may import {budget:.0f} ms beyond
the floor's {floor:.0f} ms. pydantic's `BaseModel` alone takes {pydantic:.0f} ms beyond it and the
resolver alone {resolver:.0f} ms. Both together take {both:.0f} ms, {both_ratio} the floor, before
any code of this service runs; the {api} API functions take {functions_low:.0f} to
{functions_high:.0f} ms ({ratio_low} to {ratio_high}).
{verdict}
"""


def _verdict(budget: float, pydantic: float, resolver: float, both: float) -> str:
    over = [name for name, ms in (("pydantic", pydantic), ("Powertools' resolver", resolver)) if ms >= budget]
    if len(over) == 2:
        return (
            "Each alone already takes the whole budget: 1.25x needs both off the import path,\n"
            "whatever this service's own code does."
        )
    if over:
        return (
            f"{over[0]} alone already takes the whole budget: 1.25x needs it off the import path,\n"
            "whatever this service's own code does."
        )
    if both >= budget:
        return "Neither alone takes the whole budget, both together do: 1.25x needs one of them\noff the import path."
    return f"Together they leave {budget - both:.0f} ms of the budget to this service's code."


def section(times: dict[str, dict[str, list[float]]]) -> str:
    medians = {name: {kind: median(runs) for kind, runs in by_kind.items()} for name, by_kind in times.items()}
    rows = [
        f"| {name} | {m[COMPILED]:.0f} | {m[SOURCE]:.0f} | {ratio(m[SOURCE], m[COMPILED])} |"
        for name, m in medians.items()
    ]
    functions = {name: m for name, m in medians.items() if name not in LIBRARIES}
    savings = [m[SOURCE] - m[COMPILED] for m in functions.values()]
    compiled = {name: m[COMPILED] for name, m in medians.items()}
    floor = compiled[FLOOR]
    api = [compiled[f.name] for f in template.functions() if f.routes]  # the stream publisher has none
    low, high = min(api), max(api)
    budget, both = floor * 0.25, compiled[BOTH] - floor
    return SECTION_TEXT.format(
        section=SECTION,
        rounds=ROUNDS,
        compiled=COMPILED,
        source=SOURCE,
        machine=report.machine(),
        rows="\n".join(rows),
        functions=len(savings),
        slowest_saving=max(savings),
        median_saving=median(savings),
        budget=budget,
        floor=floor,
        pydantic=compiled[PYDANTIC] - floor,
        resolver=compiled[RESOLVER] - floor,
        both=both,
        verdict=_verdict(budget, compiled[PYDANTIC] - floor, compiled[RESOLVER] - floor, both),
        both_ratio=ratio(compiled[BOTH], floor),
        api=len(api),
        functions_low=low,
        functions_high=high,
        ratio_low=ratio(low, floor),
        ratio_high=ratio(high, floor),
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        compiled = build_layer(Path(scratch, "built"))
        date_as_zipped(compiled)
        source_only = without_bytecode(compiled, Path(scratch, "source-only"))
        times = measure({COMPILED: compiled, SOURCE: source_only})
    report.write_section(SECTION, section(times))
    print("wrote BENCHMARKS.md's Layer bytecode section", file=sys.stderr)


if __name__ == "__main__":
    main()
