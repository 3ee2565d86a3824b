"""The two statistics the tables show."""

from __future__ import annotations

import statistics


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def ratio(value: float, floor: float) -> str:
    return f"{value / floor:.2f}x" if floor else "-"
