"""How long POST /api/customers/reset-password takes for a known customer and for an unknown
email: the contract wants them about equal, so that the timing does not tell who is a customer.

The real handler runs in-process on a moto server reached over HTTP (as bench/world.py sets it
up), with the template's KMS key; the two kinds of request alternate so that drift hits both.
Prints the median and quartiles of each and their difference. Run: .venv/bin/python bench/reset_timing.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

import boto3  # noqa: E402

from bench.world import moto_aws  # noqa: E402
from local import runtime, template  # noqa: E402

ROUNDS = 200


def _ask(email: str) -> float:
    match = runtime.match("POST", "/api/customers/reset-password")
    if match is None:
        raise SystemExit("no reset route in template.yaml")
    event = runtime.http_api_event(
        "POST",
        "/api/customers/reset-password",
        route=match.route,
        headers={"content-type": "application/json"},
        body=json.dumps({"email": email}),
    )
    started = time.perf_counter()
    reply = runtime.invoke(match, event)
    elapsed = (time.perf_counter() - started) * 1000
    if reply["statusCode"] != 200:
        raise SystemExit(f"the reset request failed: {reply}")
    return elapsed


def _known_customer() -> str:
    from customer_api.domain.customers import create_customer  # noqa: PLC0415 - after the environment
    from customer_api.domain.inputs import CustomerCreate  # noqa: PLC0415

    email = f"known-{uuid.uuid4().hex[:8]}@shop.example.com"
    create_customer(CustomerCreate(email=email, password="bench-password-1", full_name="Jane Doe"))
    return email


def main() -> None:
    with moto_aws():
        template.create_keys(boto3.client("kms"))
        # The known email asks every round: lift its hourly limit (the count is made alike).
        os.environ["RESET_MAX_REQUESTS"] = str(ROUNDS + 10)
        known_email = _known_customer()
        _ask(known_email), _ask(f"warm-{uuid.uuid4().hex}@shop.example.com")  # warm both paths
        known, unknown = [], []
        for _ in range(ROUNDS):
            known.append(_ask(known_email))
            unknown.append(_ask(f"nobody-{uuid.uuid4().hex[:12]}@shop.example.com"))
    for name, times in (("known customer", known), ("unknown email", unknown)):
        q1, q2, q3 = statistics.quantiles(times, n=4)
        print(f"{name:>15}: median {q2:6.2f} ms  (quartiles {q1:6.2f} - {q3:6.2f}) over {len(times)} requests")
    print(f"{'difference':>15}: {statistics.median(known) - statistics.median(unknown):+6.2f} ms (known - unknown)")


if __name__ == "__main__":
    main()
