"""Races made deterministic: a competing request slips in between a handler's read and its write
(a botocore hook on the layer's DynamoDB client runs it just before the write is sent)."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from typing import Any

from customer_api.store import client
from tests.support.api import Reply

_ids = itertools.count()


class Competitor:
    """Runs `request` once, just before the layer's next `operation` call reaches DynamoDB."""

    def __init__(self, operation: str, request: Callable[[], Reply]) -> None:
        self.request = request
        self.reply: Reply | None = None
        self._fired = False
        self._event, self._id = f"before-call.dynamodb.{operation}", f"competitor-{next(_ids)}"
        client.dynamodb().meta.events.register(self._event, self._before_call, unique_id=self._id)

    def _before_call(self, **_: Any) -> None:
        if self._fired:  # the competing request's own calls pass through
            return
        self._fired = True
        self.reply = self.request()

    def withdraw(self) -> None:
        client.dynamodb().meta.events.unregister(self._event, unique_id=self._id)

    @property
    def won(self) -> Reply:
        assert self.reply is not None, "the competing request never ran"
        return self.reply


@contextlib.contextmanager
def competing(operation: str, request: Callable[[], Reply]) -> Iterator[Competitor]:
    """A Competitor for the requests made inside the block, withdrawn after it."""
    rival = Competitor(operation, request)
    try:
        yield rival
    finally:
        rival.withdraw()
