"""DynamoDB round trips per request: the handler's, counted on the layer's client, next to its
floor's, counted on the floor's own client. They must be the very same calls in the same order:
that keeps the floor honest."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from bench.endpoints import ENDPOINTS, Endpoint
from bench.floors import Floor
from bench.world import World
from local import runtime
from tools.round_trips import dynamodb_calls


@contextlib.contextmanager
def _calls_on(client: Any) -> Iterator[list[str]]:
    calls: list[str] = []

    def record(model: Any, **_: Any) -> None:
        calls.append(model.name)

    client.meta.events.register("before-call.dynamodb", record, unique_id="floor-calls")
    try:
        yield calls
    finally:
        client.meta.events.unregister("before-call.dynamodb", unique_id="floor-calls")


def counted(
    world: World, endpoint: Endpoint, floor: Floor, handler: runtime.Handler, context: runtime.LambdaContext
) -> list[str]:
    """The calls of one request to a warm handler; SystemExit unless its floor makes the same."""
    _, event = endpoint.request(world).event()
    with dynamodb_calls() as calls:
        reply = handler(event, context)
    endpoint.check(reply)
    action = endpoint.floor(floor)
    with _calls_on(floor.client) as floor_calls:
        action()
    if floor_calls != calls:
        raise SystemExit(f"the floor of {endpoint.label} calls {floor_calls}, the handler {calls}")
    return calls


def table(calls_by_label: Mapping[str, list[str]]) -> list[str]:
    lines = ["| Endpoint | Calls | Count | Minimum | Why the minimum |", "|---|---|---:|---:|---|"]
    for endpoint in ENDPOINTS:
        calls = calls_by_label[endpoint.label]
        lines.append(f"| {endpoint.label} | {', '.join(calls)} | {len(calls)} | {endpoint.minimum} | {endpoint.why} |")
    return lines
