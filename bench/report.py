"""BENCHMARKS.md: the prose, with each concern's table and the figures it quotes filled in."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import platform
import re
import sys
from pathlib import Path

from bench import cold, costs, round_trips, warm, world
from bench.cold import Cold
from bench.warm import Warm
from customer_api.core.settings import settings
from customer_api.store import keys
from local import template

# Written by bench/load.py, bench/import_rate.py, bench/reset_timing.py and bench/bytecode.py.
KEPT_SECTIONS = ("## Load", "## Import", "## Password reset timing", "## Layer bytecode")


@dataclasses.dataclass(frozen=True)
class Results:
    warm: dict[str, Warm]  # by endpoint label
    bcrypt_ms: float  # one hash at the template's cost
    cold: Cold


def machine() -> str:
    model = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def _cold_figures(cold_results: Cold, bcrypt_ms: float) -> dict[str, object]:
    return {
        "rounds": settings().bcrypt_rounds,
        "bcrypt_ms": bcrypt_ms,
        "cold_runs": cold.COLD_RUNS,
        "cold": "\n".join(cold.table(cold_results)),
    }


def write(results: Results) -> None:
    report = (HEADER + COLD_START + REST).format(
        **_cold_figures(results.cold, results.bcrypt_ms),
        machine=machine(),
        warm_runs=warm.WARM_RUNS,
        warm_runs_bcrypt=warm.WARM_RUNS_BCRYPT,
        warm="\n".join(warm.table(results.warm)),
        round_trips="\n".join(round_trips.table({label: result.calls for label, result in results.warm.items()})),
        cost="\n".join(costs.table(results.warm, results.bcrypt_ms)),
        latency=costs.DYNAMODB_LATENCY_MS,
        full_vcpu=costs.FULL_VCPU_MB,
        shards=keys.LIST_SHARDS,
        shop_size=world.SHOP_SIZE,
        per_shard=world.SHOP_SIZE // keys.LIST_SHARDS,
    )
    path = template.ROOT / "BENCHMARKS.md"
    path.write_text(report + _kept_sections(path))
    print("wrote BENCHMARKS.md", file=sys.stderr)


def write_cold(cold_results: Cold, bcrypt_ms: float) -> None:
    """`BENCH_ONLY=cold`: the Cold start section rewritten, the rest of BENCHMARKS.md kept."""
    path = template.ROOT / "BENCHMARKS.md"
    text = path.read_text()
    start = text.index(COLD_START[: COLD_START.index("\n")])
    end = text.index("\n## ", start + 1) + 1
    section = COLD_START.format(**_cold_figures(cold_results, bcrypt_ms))
    path.write_text(text[:start] + section + "\n" + text[end:])
    print("wrote BENCHMARKS.md's Cold start section", file=sys.stderr)


def write_section(title: str, text: str) -> None:
    """Replace (or add, at the end) one section of BENCHMARKS.md, leaving the rest alone: how the
    commands other than `make bench` write theirs (the title must be in KEPT_SECTIONS)."""
    path = template.ROOT / "BENCHMARKS.md"
    old = path.read_text() if path.exists() else "# Benchmarks\n"
    before, _, after = old.partition(f"\n{title}\n")
    rest = re.search(r"^## ", after, flags=re.MULTILINE)
    tail = after[rest.start() :] if rest else ""
    path.write_text(before.rstrip("\n") + "\n\n" + text + ("\n" + tail if tail else ""))


def _kept_sections(path: Path) -> str:
    """The sections other commands write (`make load`: Load, `make bench-import`: Import,
    `make bench-reset`: Password reset timing, `make bench-bytecode`: Layer bytecode), kept as
    they are."""
    text = path.read_text() if path.exists() else ""
    kept = ""
    for title in KEPT_SECTIONS:
        start = text.find(f"\n{title}\n")
        if start >= 0:
            end = text.find("\n## ", start + 1)
            kept += text[start : end if end >= 0 else len(text)].rstrip("\n") + "\n"
    return kept


HEADER = """# Benchmarks

Written by `make bench` (`bench/run.py`); edit the prose in `bench/report.py`, not here.
Numbers are from one run on a shared development machine: read ratios, not absolute
milliseconds.

- Machine: {machine}
- Reproduce: `make bench` (knobs: `BENCH_COLD_RUNS`={cold_runs}, `BENCH_WARM_RUNS`={warm_runs},
  `BENCH_WARM_RUNS_BCRYPT`={warm_runs_bcrypt}).
- AWS is a moto server (`ThreadedMotoServer`) in the bench process, reached over HTTP through
  `AWS_ENDPOINT_URL`; configuration is the template's, bcrypt cost {rounds} (one hash here:
  {bcrypt_ms:.0f} ms).

"""

COLD_START = """## Cold start

Two fresh processes (`python -I`) per function and round, interpreter start excluded from both:

- **The function's**: its `app` module imported as Lambda does (function code first on the path,
  then the layer): the **import**, Lambda's init. Then one realistic request answered: the
  **first request** (the create or login with valid credentials or a valid admin token, a logout
  of the caller's own session, a read, a first listing page without the listing rows' extra
  customers, a refresh, a group created, renamed or deleted, the groups listed, an address book
  read, an address added, changed or deleted, a password reset asked for, a new password set
  with a reset token). The groups listed are a shop's few: those the warm runs made are deleted
  first, and each round's creates add two. The reset request is measured without the fixed
  moment it answers at (`RESET_ANSWER_SECONDS` is 0 here; the Password reset timing section is
  about that wait); the reset token is one the bench saves as a reset request would. Not
  measured here (nor in the warm tables): the stream's publisher, which no caller waits on; its
  import is in the Layer bytecode section.
- **Its floor's**: `import boto3` and the DynamoDB client, what any function of this API loads
  before its first call: the **import floor**. Then the same work as the function's first request
  done with boto3 alone, the **bare first request**: a Secrets Manager client fetching the
  secret(s) the function reads (those its IAM policy grants), then the AWS calls of the
  endpoint's floor in the warm bench below (`bench/floors.py`), in the same order. That floor runs
  in the bench process; each of its calls is sent to the floor's fresh process, which makes it
  with its own client (the time counted; the reset request's KMS client is made at its call, as
  the function makes its own) and answers it back. Both processes record the AWS calls
  they make (each request's `X-Amz-Target`), and the bench stops if they differ.

bcrypt is left out of both. In the function's process `bcrypt.hashpw` and `bcrypt.checkpw` are
timed apart and that time is taken out of its first request (its own column); the floor's bcrypt
runs in the bench process, outside the timed calls. The two processes alternate, function after
function, round after round, so that drift hits them alike; figures are medians of {cold_runs}
rounds, and each row's ratios are against its own floor's runs. Peak RSS (the highest of the
runs) is the process's `VmHWM` after the request: `getrusage`'s `ru_maxrss` would report this
bench's own peak, which a child inherits across fork and exec. `BENCH_ONLY=cold make bench`
rewrites this section alone.

{cold}

Both pairs compare like with like. The function makes its DynamoDB client at import, when its
resolver is made (`store.connect()`), so that Lambda's init pays for boto3 and the client (and
provisioned concurrency, or a SnapStart snapshot, keeps them) rather than the first request; it
makes its Secrets Manager client on the first request, as the bare one does. The cold total ratio
(import and first request against import floor and bare first request) is the bottom line:
moving work between the import and the first request moves the two other ratios, not this one.

**The 1.25x import target is missed.** Beyond boto3 and its client, every function imports
Powertools' event handler (its package imports every resolver it has, AppSync's and `asyncio`
included, whichever one is used), pydantic (Powertools' validation needs it at import, for each
route's `Body()`), Logger and Metrics, PyJWT, and the layer's records, models and store. The
Layer bytecode section below measures the two libraries alone over the floor, on the layer as
`sam build` makes it: pydantic's `BaseModel` alone, or Powertools' resolver alone, takes about
as much as the whole 1.25x budget (a quarter of the floor), before any code of this service runs;
the layer's own modules add about an eighth of the floor (`python -X importtime`). 1.25x would
mean replacing Powertools' resolver and pydantic on the request path with hand-written routing
and parsing, which this project does not do. The first request, on the other hand, costs about
what its bare floor does: the function's own work (Powertools' routing and validation, whose
model for the route is built on its first use, the JWT check, the JSON answer, a log line, the
metrics flush) is small beside the Secrets Manager client and the calls, and a first request
ratio under 1 is this machine's noise.

What was done to stay near the floors:

- Nothing the request path does not need is imported: the idempotency utility (and its own
  DynamoDB persistence) is imported by the first create that carries an `Idempotency-Key`; the
  request body models (eleven, of which a function validates one or two) are built on first use
  (`defer_build`); Tracer (the X-Ray SDK, ~600 ms) only when tracing is switched on
  (`observability.traced`).
- `PYDANTIC_DISABLE_PLUGINS=true` (template): on its first model pydantic otherwise reads the
  metadata of every installed distribution looking for plugins; this service uses none. The
  saving is larger here (the development environment has over a hundred distributions) than in
  the layer.
- The Secrets Manager client is made from boto3's default session, the one the DynamoDB client
  comes from (`store/secrets.py`). Powertools' default provider opens a session of its own, which
  reads botocore's service catalogue again: ~300 ms of every first request, measured here.
- Emails are checked with a pattern, not `EmailStr`: email-validator costs ~270 ms.
- `cryptography` is not in the layer. PyJWT imports it whenever it is installed (~100 ms) but
  HS256 needs only `hmac`; the development environment has it through moto, so the bench hides
  it from the cold processes as the Lambda runtime would.
- The settings, the resolver and the keys (cached for `SECRET_CACHE_SECONDS`) are made once per
  container; nothing is fetched at import.
- The layer ships its bytecode (shared/Makefile; `make check-deploy` checks it): `/opt` is
  read-only on Lambda, and SAM's own python3.13 builder ships no `.pyc`, so every cold start
  compiled every module it imported, about 0.6 s per function import here (section Layer
  bytecode). These figures import from the development environment, whose packages are compiled.
- SnapStart (template parameter, off by default; README "SnapStart") takes the import out of
  cold starts altogether, for a price.
"""

REST = """
## Warm cost

Each endpoint's handler in a warm container (this process), against the same moto server,
next to its floor: the same DynamoDB calls, in the same order (the bench checks it), made
directly with a boto3 client, plus the same bcrypt work. Handler and floor runs alternate.

{warm}

bcrypt dominates the logins, the create and the password changes, so their ratios sit near 1.
For the others the handler adds a few milliseconds over its floor: routing and pydantic
validation, the JWT check, the JSON answer, a log line and the metrics flush. moto answers
slower than DynamoDB does (a few ms per call here against ~5 ms from Lambda in the region), so
on AWS the same overhead is a somewhat larger share than these ratios show. A "missed" here is
that fixed overhead over a floor of two or three quick calls, and it moves between runs by about
its own size: the two logouts do the same work, and one of them usually passes while the other
misses. Nothing in it grows with the request; the remaining cost is Powertools' routing and
validation, which the project keeps rather than hand-rolls.

## DynamoDB round trips per request

Counted with botocore's `before-call` event on the service's client, in the warm runs above;
`tests/api/test_round_trips.py` pins each sequence so it cannot grow unnoticed.

{round_trips}

Where the count is above the minimum:

- A **first failed login** of an email makes two `UpdateItem`s (the count fails its "window
  running" condition, then a second update opens a window); later failures make one.
- **POST /api/customers/me/password**: the check is counted without reading the window first
  (two `UpdateItem`s while the login's window runs), the customer is read again (so that a
  logout everywhere in between is not written over: a write conditioned on the epoch
  authentication read, as the rename's `UpdateItem` is, would save that read), and the sweep
  and the new session are two transactions, not one.
- **The listing pages** are at their minimum, and it is {shards} `Query` calls: the listing index
  is write-sharded, so every page reads each shard once whatever the filters and the limit. A
  filter that discards most customers reads up to {shards} x (limit + 1) items to answer few
  (the worst page above), but never makes more calls. The three listing rows are measured with
  {shop_size} more customers in the table (about {per_shard} a shard: more than the worst page reads
  from one), added for them alone: moto copies a whole table for every transaction on it, which
  would slow every other row. moto also scans the whole table for every index query, so their
  absolute times say more about moto than about DynamoDB; the floor pays the same.

## Memory sizes and cost per million requests

On Lambda, CPU is proportional to memory up to one full vCPU at {full_vcpu} MB. bcrypt is
single-threaded CPU work, so below {full_vcpu} MB its GB-seconds cost the same at any size
(half the memory, twice the time) while the caller waits longer; above it nothing is gained.
Hence **{full_vcpu} MB for every function that runs bcrypt** (create, update, the logins, both
token logins, the customer's own update and password change, and the reset with a token): a
cost-{rounds} check takes ~{bcrypt_ms:.0f} ms at one vCPU (assuming Graviton is about as fast as
this machine) instead of ~3.5x that at 512 MB, for the same price. The functions without bcrypt
wait on DynamoDB for most of a request, where memory is paid for idle; **1024 MB** for them
halves the CPU-bound cold start of 512 MB (imports are CPU work too) for a few cents per million
warm requests.
Memory itself is no constraint: a cold function peaks near the figure in the cold-start table,
far below any of these sizes.

Estimate per request: CPU time (bcrypt, plus the handler's overhead over its floor measured
above) scaled by {full_vcpu}/memory when below one vCPU, plus {latency:.0f} ms per DynamoDB or KMS
call; the reset request's duration is at least its `RESET_ANSWER_SECONDS` (template.yaml),
since it answers no sooner, and Lambda bills that wait. Prices assumed (AWS us-east-1 list prices
as published in 2025, not re-checked here): Lambda arm64 $0.0000133334 per GB-s and $0.20 per
million requests; HTTP API $1.00 per million requests; DynamoDB on-demand $0.625 per million
write units and $0.125 per million read units (strongly consistent reads 1 unit per item,
transactional reads and writes 2); KMS $0.03 per 10,000 requests (the reset request's Encrypt). Cold starts are
not included: since August 2025 Lambda bills the init phase too, roughly the cold total above
at the chosen memory, once per new container.

{cost}
"""
