"""`make bench-reset`: does POST /api/customers/reset-password take the same time whoever the email
belongs to? The contract wants a known, an unknown and a disabled email answered alike, so that
the timing does not tell who is a customer.

The real handler runs in-process (a warm container) against a backend over HTTP: moto for
everything (as bench/world.py sets it up), or AWS's DynamoDB Local for DynamoDB beside the same
moto for KMS and Secrets Manager; each backend in a child process of its own (fresh clients and
caches). Each round asks once for each kind, in a shuffled order, so that drift and load hit
every kind alike:

  known         an enabled customer's email
  known again   another enabled customer's email: the A/A pair, the noise yardstick
  unknown       an email nobody has
  disabled      a disabled customer's email

Every email is asked once (the first request of its hour), so that every kind's request counter
does the same work. Each backend runs twice: as deployed, every answer waiting for the template's
RESET_ANSWER_SECONDS after the request began (what a client sees), and with no wait
(RESET_ANSWER_SECONDS=0: the calls alone, what the wait has to cover). Reported per run: the
median of each kind, the difference of medians against `known` with a bootstrap 95% confidence
interval (rounds resampled, the kinds of a round kept together), and the time of each AWS call
(botocore's before-call and after-call events on the DynamoDB and KMS clients). Verdict per pair:
"equal within noise" when the interval holds 0 or the difference is no larger than the A/A
difference of the same run; otherwise the gap. A benchmark, not a test: it never fails on a
timing.

Writes BENCHMARKS.md's "Password reset timing" section (`make bench` keeps it). Knobs:
RESET_ROUNDS (400; runs with the wait: RESET_WAIT_ROUNDS, 200), RESET_BACKENDS (moto,dynamodb-local).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

import boto3  # noqa: E402

from bench import report  # noqa: E402
from bench.world import moto_aws  # noqa: E402
from local import dynamodb_local, runtime, template  # noqa: E402

ROUNDS = int(os.environ.get("RESET_ROUNDS", "400"))
WAIT_ROUNDS = int(os.environ.get("RESET_WAIT_ROUNDS", "200"))  # each answer takes the wait: fewer
MOTO, DYNAMODB_LOCAL = "moto", "dynamodb-local"
BACKENDS = [name for name in os.environ.get("RESET_BACKENDS", f"{MOTO},{DYNAMODB_LOCAL}").split(",") if name]
KNOWN, AGAIN, UNKNOWN, DISABLED = "known", "known again", "unknown", "disabled"
KINDS = (KNOWN, AGAIN, UNKNOWN, DISABLED)
COMPARED = (UNKNOWN, DISABLED, AGAIN)  # each against KNOWN; AGAIN is the A/A pair
RESAMPLES = 2000
SECTION = "## Password reset timing"
WARM_UP = 5  # requests of each kind before the measured rounds
PATH = "/api/customers/reset-password"


class CallTimer:
    """Each AWS call of a request as (operation, milliseconds), from botocore's own events."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float]] = []
        self._started = 0.0

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-call", self._before, unique_id=f"reset-timing-before-{id(client)}")
        client.meta.events.register("after-call", self._after, unique_id=f"reset-timing-after-{id(client)}")

    def _before(self, **_: Any) -> None:
        self._started = time.perf_counter()

    def _after(self, model: Any, **_: Any) -> None:
        self.calls.append((model.name, (time.perf_counter() - self._started) * 1000))


def _ask(email: str) -> float:
    match = runtime.match("POST", PATH)
    if match is None:
        raise SystemExit("no reset route in template.yaml")
    body = json.dumps({"email": email})
    event = runtime.http_api_event(
        "POST", PATH, route=match.route, headers={"content-type": "application/json"}, body=body
    )
    started = time.perf_counter()
    reply = runtime.invoke(match, event)
    elapsed = (time.perf_counter() - started) * 1000
    if reply["statusCode"] != 200:
        raise SystemExit(f"the reset request failed: {reply}")
    return elapsed


def _emails(count: int) -> dict[str, list[str]]:
    """`count` emails of each kind, the customers among them stored (straight through the
    layer's codecs, in batches: the timing is not about creating them)."""
    from customer_api.core.records import Customer  # noqa: PLC0415 - after the environment
    from customer_api.core.settings import settings  # noqa: PLC0415
    from customer_api.store import codecs  # noqa: PLC0415

    emails = {
        kind: [f"{kind.replace(' ', '-')}-{uuid.uuid4().hex[:12]}@shop.example.com" for _ in range(count)]
        for kind in KINDS
    }
    items = []
    for kind in (KNOWN, AGAIN, DISABLED):
        for email in emails[kind]:
            customer = Customer(
                customer_id=len(items) + 1,
                uuid=uuid.uuid4().hex,
                status=0 if kind == DISABLED else 1,
                group_id=1,
                email=email,
                full_name="Jane Doe",
                password_hash="$2b$12$" + "." * 53,  # never checked here
                created_at="2026-01-01 00:00:00",
                updated_at="2026-01-01 00:00:00",
            )
            items += [codecs.customer_item(customer), codecs.claim_item(customer)]
    client, table = boto3.client("dynamodb"), settings().customers_table
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        if client.batch_write_item(RequestItems={table: batch}).get("UnprocessedItems"):
            raise SystemExit("a batch of customers was left unwritten")
    return emails


@contextlib.contextmanager
def _aws(backend: str) -> Iterator[str]:
    """The backend's AWS while the block runs; its description."""
    if backend == MOTO:
        with moto_aws():
            yield "moto server (every service)"
        return
    why_not = dynamodb_local.unavailable()
    if why_not:
        raise SystemExit(f"DynamoDB Local cannot run: {why_not}")
    with dynamodb_local.DynamoDBLocal() as engine, moto_aws(dynamodb_endpoint=engine.endpoint):
        if boto3.client("dynamodb").meta.endpoint_url != engine.endpoint:
            raise SystemExit("the DynamoDB client does not reach DynamoDB Local")
        yield "DynamoDB Local (in memory), moto server for KMS and Secrets Manager"


@dataclasses.dataclass
class Samples:
    times: dict[str, list[float]] = dataclasses.field(default_factory=lambda: {kind: [] for kind in KINDS})
    calls: dict[str, list[list[tuple[str, float]]]] = dataclasses.field(
        default_factory=lambda: {kind: [] for kind in KINDS}
    )


def _measure(emails: dict[str, list[str]], rounds: int) -> Samples:
    from customer_api.store import client, outside  # noqa: PLC0415 - after the environment

    timer, samples, order = CallTimer(), Samples(), list(KINDS)
    timer.attach(client.dynamodb())  # the clients the warm-up made, cached for the container
    timer.attach(outside.kms_client())
    shuffle = random.Random(13).shuffle
    for round_ in range(rounds):
        shuffle(order)
        for kind in order:
            timer.calls = []
            samples.times[kind].append(_ask(emails[kind][round_]))
            samples.calls[kind].append(timer.calls)
    return samples


def deployed_wait() -> str:
    """The reset request's RESET_ANSWER_SECONDS in template.yaml."""
    (function,) = [one for one in template.functions() if one.routes and one.routes[0].path == PATH]
    return function.environment["RESET_ANSWER_SECONDS"]


def measure(backend: str, rounds: int, wait: str) -> dict[str, Any]:
    """One backend's run with the answers' wait (seconds), as JSON-able results."""
    os.environ["LOG_LEVEL"] = "ERROR"
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    with _aws(backend) as description, open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        os.environ["RESET_ANSWER_SECONDS"] = wait  # over the template's, before the settings are read
        template.create_keys(boto3.client("kms"))
        emails = _emails(rounds + WARM_UP)
        for index in range(rounds, rounds + WARM_UP):  # warm every path, then measure
            for kind in KINDS:
                _ask(emails[kind][index])
        samples = _measure(emails, rounds)
    label = f"{backend}, no wait" if float(wait) == 0 else f"{backend}, wait {wait} s"
    return {
        "backend": label,
        "wait": wait,
        "description": description,
        "times": samples.times,
        "calls": _per_call(samples),
    }


def _calls_of(times: list[float], made: list[list[tuple[str, float]]]) -> dict[str, Any]:
    """One kind's usual sequence of calls, the median of each, and of the time outside them
    (requests that made another sequence, a lost race retried, are left out of these)."""
    sequences = [tuple(name for name, _ in calls) for calls in made]
    usual = max(set(sequences), key=sequences.count)
    chosen = [index for index, sequence in enumerate(sequences) if sequence == usual]
    outside = [times[index] - sum(ms for _, ms in made[index]) for index in chosen]
    return {
        "sequence": list(usual),
        "usual": len(chosen),
        "medians": [statistics.median(made[index][position][1] for index in chosen) for position in range(len(usual))],
        "outside": statistics.median(outside),
    }


def _per_call(samples: Samples) -> dict[str, dict[str, Any]]:
    return {kind: _calls_of(samples.times[kind], samples.calls[kind]) for kind in KINDS}


def bootstrap_ci(first: list[float], second: list[float], seed: int = 7) -> tuple[float, float]:
    """95% interval of median(first) - median(second), rounds resampled with replacement (the
    two samples of a round stay together)."""
    rng, count = random.Random(seed), len(first)
    differences = []
    for _ in range(RESAMPLES):
        picks = rng.choices(range(count), k=count)
        differences.append(statistics.median(first[i] for i in picks) - statistics.median(second[i] for i in picks))
    differences.sort()
    return differences[int(0.025 * RESAMPLES)], differences[int(0.975 * RESAMPLES) - 1]


@dataclasses.dataclass(frozen=True)
class Comparison:
    other: str
    known_ms: float
    other_ms: float
    low: float
    high: float

    @property
    def difference(self) -> float:
        return self.known_ms - self.other_ms

    def verdict(self, yardstick: float) -> str:
        if self.other == AGAIN:
            return "the noise yardstick"
        if self.low <= 0 <= self.high or abs(self.difference) <= abs(yardstick):
            return "equal within noise"
        return f"not equal: a gap of {self.difference:+.2f} ms"


def compare(times: dict[str, list[float]]) -> list[Comparison]:
    known = times[KNOWN]
    return [
        Comparison(other, statistics.median(known), statistics.median(times[other]), *bootstrap_ci(known, times[other]))
        for other in COMPARED
    ]


def _lines(result: dict[str, Any]) -> list[str]:
    """The console report of one backend."""
    times, comparisons = result["times"], compare(result["times"])
    yardstick = comparisons[-1].difference
    lines = [f"{result['backend']}: {result['description']}, {len(times[KNOWN])} rounds"]
    for kind in KINDS:
        q1, q2, q3 = statistics.quantiles(times[kind], n=4)
        lines.append(f"  {kind:>12}: median {q2:6.2f} ms  (quartiles {q1:6.2f} - {q3:6.2f})")
    for c in comparisons:
        lines.append(
            f"  known - {c.other:<11}: {c.difference:+6.2f} ms  (95% CI {c.low:+.2f} .. {c.high:+.2f})"
            f"  -> {c.verdict(yardstick)}"
        )
    for kind in KINDS:
        calls = result["calls"][kind]
        each = ", ".join(f"{name} {ms:.2f}" for name, ms in zip(calls["sequence"], calls["medians"], strict=True))
        lines.append(f"  {kind:>12} calls (ms): {each}; outside them {calls['outside']:.2f}")
    return lines


SECTION_TEXT = """{section}

Written by `make bench-reset` (`bench/reset_timing.py`); `make bench` keeps this section.
POST /api/customers/reset-password for a known, an unknown and a disabled email, and for a
second known email (the A/A pair: how far two samples of the same kind land apart in the same
run). The handler runs warm in the bench process, each backend twice: as deployed, every answer
waiting for the template's `RESET_ANSWER_SECONDS` ({wait} s) after the request began ({wait_rounds}
rounds), and with no wait, the calls alone ({rounds} rounds). Each round asks once for each kind
in a shuffled order, every email asked once (the first request of its hour). {machine};
load average {load:.1f} when the run ended (two cores shared with other work: the interleaving
keeps it fair, not quiet). The difference is known minus the other, with a bootstrap 95%
confidence interval (rounds resampled); "equal within noise" when the interval holds 0 or the
difference is no larger than the A/A difference.

| backend | known vs | medians (ms) | difference (ms) | 95% CI (ms) | verdict |
|---|---|---:|---:|---:|---|
{table}

The three make the same calls by construction (`tests/api/test_round_trips.py` pins them
identical, with their HTTP statuses): the request counter's `UpdateItem`, the email's claim and
a customer (`GetItem` x 2, each for the few attributes the request needs, so that a hit answers
little more than a miss; for an unknown email a made-up customer), the KMS `Encrypt`, then one
committed `UpdateItem` of the same attributes with nothing coming back: on the customer's item
for an enabled customer (its stream record makes the event), on a `NOBODY#<email>` item of the
sessions table otherwise (no stream there: no event). The median of each call in the same runs
(the per-call medians do not add up to the request's median):

| backend | kind | calls (ms) | outside the calls (ms) |
|---|---|---|---:|
{calls}

What the calls cannot equalise is the engine's own work, and that is what the wait is for:
DynamoDB Local maintains the customers table's stream and listing index inside the write, so a
customer's last `UpdateItem` above can take up to about a millisecond longer than nobody's on
the sessions table (an identical update of an identical item, measured apart, cost about 0.4 ms
more on a table with a stream and 0.2 ms more with the index than on a plain table); DynamoDB
fills streams and global secondary indexes asynchronously, outside the request. Before this
design a write for nobody was a `PutItem` refused by its condition and the reads came back
whole: this bench measured the known email 3.9 ms slower on moto (moto serializing a whole
customer for each hit) and the refused write about 0.6 ms quicker than a committed one on
DynamoDB Local. On AWS a found item is bigger than a miss too. The wait makes every answer take
the same time while the calls take less than it (here 15 to 70 ms of its 250); a request slower
than the wait (a cold start, a DynamoDB retry) answers when it is done, and that late answer can
still differ. With the wait, each request starts after a quarter second idle, so its calls run
slower (caches and threads gone cold) and the answers spread wider (quartiles about 15 ms apart,
against 5 without): those runs resolve a difference of about 2 to 3 ms, not finer; the runs
without it show what is left of the calls' difference underneath.
"""


def section(results: list[dict[str, Any]]) -> str:
    rows, calls = [], []
    for result in results:
        comparisons = compare(result["times"])
        yardstick = comparisons[-1].difference
        for c in comparisons:
            rows.append(
                f"| {result['backend']} | {c.other} | {c.known_ms:.2f} / {c.other_ms:.2f} | {c.difference:+.2f} "
                f"| {c.low:+.2f} .. {c.high:+.2f} | {c.verdict(yardstick)} |"
            )
        for kind in (KNOWN, UNKNOWN, DISABLED):
            made = result["calls"][kind]
            each = ", ".join(f"{name} {ms:.1f}" for name, ms in zip(made["sequence"], made["medians"], strict=True))
            calls.append(f"| {result['backend']} | {kind} | {each} | {made['outside']:.1f} |")
    rounds = {float(result["wait"]) > 0: len(result["times"][KNOWN]) for result in results}
    return SECTION_TEXT.format(
        section=SECTION,
        wait=deployed_wait(),
        wait_rounds=rounds.get(True, 0),
        rounds=rounds.get(False, 0),
        machine=report.machine(),
        load=os.getloadavg()[0],
        table="\n".join(rows),
        calls="\n".join(calls),
    )


def _child(backend: str, wait: str) -> dict[str, Any]:
    """One backend measured in a process of its own."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        command = [sys.executable, __file__, "--backend", backend, "--wait", wait, "--out", str(out)]
        subprocess.run(command, check=True)
        loaded: dict[str, Any] = json.loads(out.read_text())
        return loaded


def main(argv: list[str]) -> None:
    if argv[:1] == ["--backend"]:  # the child: one backend and wait, results to a file
        backend, wait, out = argv[1], argv[3], argv[5]
        Path(out).write_text(json.dumps(measure(backend, WAIT_ROUNDS if float(wait) else ROUNDS, wait)))
        return
    results = []
    for backend in BACKENDS:
        for wait in (deployed_wait(), "0"):
            results.append(_child(backend, wait))
            print("\n".join(_lines(results[-1])), flush=True)
    print(f"load average: {', '.join(f'{load:.2f}' for load in os.getloadavg())}")
    report.write_section(SECTION, section(results))


if __name__ == "__main__":
    main(sys.argv[1:])
