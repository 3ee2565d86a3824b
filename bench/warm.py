"""Warm cost: each endpoint's handler in a warm container (this process), run after run,
alternating with its floor."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import time

from bench import round_trips
from bench.endpoints import ENDPOINTS, Endpoint
from bench.floors import Action, Floor
from bench.stats import median, p95, ratio
from bench.world import World
from local import runtime

WARM_RUNS = int(os.environ.get("BENCH_WARM_RUNS", "100"))
WARM_RUNS_BCRYPT = int(os.environ.get("BENCH_WARM_RUNS_BCRYPT", "20"))  # ~0.35 s each at cost 12


@dataclasses.dataclass
class Warm:
    function: str
    handler_ms: list[float]
    floor_ms: list[float]
    calls: list[str]  # the DynamoDB calls of one request, in order


def _request_ms(world: World, endpoint: Endpoint, handler: runtime.Handler, context: runtime.LambdaContext) -> float:
    _, event = endpoint.request(world).event()
    started = time.perf_counter()
    reply = handler(event, context)
    elapsed = (time.perf_counter() - started) * 1000
    endpoint.check(reply)
    return elapsed


def _action_ms(action: Action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def measure(world: World, endpoint: Endpoint, floor: Floor) -> Warm:
    name, event = endpoint.request(world).event()
    handler = runtime.handler(name)
    context = runtime.LambdaContext(function_name=name)
    handler(event, context)  # the container is warm from here on
    warm = Warm(name, [], [], round_trips.counted(world, endpoint, floor, handler, context))
    for _ in range(WARM_RUNS_BCRYPT if endpoint.bcrypt else WARM_RUNS):
        warm.handler_ms.append(_request_ms(world, endpoint, handler, context))
        warm.floor_ms.append(_action_ms(endpoint.floor(floor)))  # prepared, then timed
    return warm


def measure_all(world: World) -> dict[str, Warm]:
    """Every endpoint, by label."""
    floor = Floor(world)
    measured = {}
    for endpoint in ENDPOINTS:
        print(f"warm {endpoint.label}", file=sys.stderr)
        with world.full_shop() if endpoint.full_shop else contextlib.nullcontext():
            measured[endpoint.label] = measure(world, endpoint, floor)
    return measured


def table(warm: dict[str, Warm]) -> list[str]:
    lines = [
        "| Endpoint | Runs | Median ms | p95 ms | Floor median ms | Floor p95 ms | Overhead ms | Ratio (median) "
        "| Target 1.2x |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for label, result in warm.items():
        handler, floor = median(result.handler_ms), median(result.floor_ms)
        met = "met" if handler <= 1.2 * floor else "missed"
        lines.append(
            f"| {label} | {len(result.handler_ms)} | {handler:.1f} | {p95(result.handler_ms):.1f} | {floor:.1f} "
            f"| {p95(result.floor_ms):.1f} | {handler - floor:.1f} | {ratio(handler, floor)} | {met} |"
        )
    return lines
