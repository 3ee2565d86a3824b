"""The one place the service reads the time, so tests can move it."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> float:
    return time.time()


def pause(seconds: float) -> None:
    time.sleep(seconds)


def monotonic() -> float:
    """Seconds on a clock that never jumps: for deadlines within a request, not for dates."""
    return time.monotonic()


def pause_until(moment: float) -> None:
    """Sleep until monotonic() reaches `moment`; at once if it has."""
    remaining = moment - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)


def timestamp(at: float | None = None) -> str:
    """UTC as EverShop shows it: YYYY-MM-DD HH:MM:SS."""
    return datetime.fromtimestamp(now() if at is None else at, UTC).strftime("%Y-%m-%d %H:%M:%S")
