"""Lambda SnapStart (the template's SnapStart parameter): a function's init runs once, when its
version is published; Lambda snapshots the initialized container and resumes every new container
of that version from the snapshot. Whatever init left in memory is then shared by every container
restored from it, so after each restore a container drops what must be its own.

Before the snapshot the clients are made, so that their service models are in the snapshot and
making them again after a restore costs milliseconds. After a restore: the AWS clients (and any
connection in their pools), the cached secrets and the secret refetch guard's times are dropped,
and `random` (the jitter of retries) is seeded anew.

The hooks are registered through the runtime's `snapshot_restore_py`, and only when Lambda
initializes a container for a snapshot (AWS_LAMBDA_INITIALIZATION_TYPE=snap-start); elsewhere
they are never called."""

from __future__ import annotations

import functools
import random

from customer_api import store
from customer_api.core.settings import settings
from customer_api.domain import tokens


def before_snapshot() -> None:
    store.load_clients()


def after_restore() -> None:
    store.forget_cached()
    tokens.refetches.forget()
    random.seed()  # from os.urandom: restored containers must not draw the same jitter


@functools.cache
def register() -> bool:
    """Register the hooks (once) when Lambda initializes for a snapshot; whether they were."""
    if not settings().snap_start:
        return False
    try:
        from snapshot_restore_py import (  # type: ignore[import-not-found]  # noqa: PLC0415 - Lambda's
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:  # only Lambda's managed Python runtimes have it
        return False
    register_before_snapshot(before_snapshot)
    register_after_restore(after_restore)
    return True
