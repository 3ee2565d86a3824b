"""`make bench`: cold start, warm cost, DynamoDB round trips and memory of every function, each
next to the floor measured in the same run; writes BENCHMARKS.md.

AWS is a moto server in this process; the functions' handlers run in fresh processes (cold) and
in this one (warm), against it, with the template's configuration (bcrypt cost included).

    world.py       the moto server, the template's tables and secrets, an admin, customers, sessions
    endpoints.py   one realistic request per endpoint, its floor, its minimum round trips and why
    floors.py      the floors: the same DynamoDB calls made with a bare boto3 client, the same bcrypt
    warm.py        each handler warm, alternating with its floor
    round_trips.py the calls of each request, checked against its floor's
    cold.py        each function's first request in a fresh process (cold_start.py), with the floor's
    costs.py       memory sizes and cost per million requests
    report.py      BENCHMARKS.md: the prose and the tables

`BENCH_ONLY=cold` measures the cold starts alone and rewrites only BENCHMARKS.md's Cold start
section (a few minutes less: no warm runs).
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from bench import cold, floors, report, warm, world  # noqa: E402


def main() -> None:
    only = os.environ.get("BENCH_ONLY", "")
    if only not in ("", "cold"):
        raise SystemExit(f"BENCH_ONLY={only}: only `cold` is known")
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    # The handlers log and emit metrics to stdout, as on Lambda: the cost stays, the noise goes.
    with world.moto_aws(), open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        the_world = world.make_world()
        warm_results = {} if only else warm.measure_all(the_world)
        the_world.remove_other_groups()  # the cold ListGroups lists a shop's few, not the warm runs'
        bcrypt_ms = floors.bcrypt_ms()
        cold_results = cold.measure(the_world)
    if only:
        report.write_cold(cold_results, bcrypt_ms)
    else:
        report.write(report.Results(warm_results, bcrypt_ms, cold_results))


if __name__ == "__main__":
    main()
