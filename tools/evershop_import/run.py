"""One import: groups first, then customers in chunks, a bounded number of chunks in flight on a
thread pool; what happened to each customer, for the summary and the report."""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from customer_api.core.records import email_key
from customer_api.store import keys
from tools.evershop_import.mapping import Planned, Unimportable, plan
from tools.evershop_import.sources import CustomerRow, Source
from tools.evershop_import.target import IMPORTED_NOW, SKIPPED, UNCHANGED, UPDATED, Outcome, Target

# Chunks written at once: transactions are round trips, so threads overlap them. DynamoDB Local
# writes to a table one request at a time (a lock per table): there more writers only queue
# (2, 4 and 8 measured alike); on DynamoDB they add throughput (--writers).
WRITERS = 4
# Customers read in one batch read (BatchGetItem takes at most 100 keys); the new ones are then
# written several to a transaction (target.py's packs: about 37 customers fill one).
CHUNK = 100
RESULTS = (IMPORTED_NOW, UPDATED, UNCHANGED, SKIPPED)


@dataclasses.dataclass
class Report:
    """What a run did: the summary printed at the end and the JSON of --report."""

    source: str
    dry_run: bool
    groups: Counter[str] = dataclasses.field(default_factory=Counter)
    outcomes: list[Outcome] = dataclasses.field(default_factory=list)
    stand_in_names: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    address_notes: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found = Counter(outcome.result for outcome in self.outcomes)
        return {result: found[result] for result in RESULTS}

    def skipped_reasons(self) -> Counter[str]:
        return Counter(outcome.reason for outcome in self.outcomes if outcome.result == SKIPPED)

    def as_json(self) -> dict[str, Any]:
        skipped = [
            {"customer_id": o.customer_id, "reason": o.reason, **({"twin_of": o.twin_of} if o.twin_of else {})}
            for o in sorted(self.outcomes, key=lambda outcome: outcome.customer_id)
            if o.result == SKIPPED
        ]
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "customers": self.counts(),
            "groups": dict(self.groups),
            "skipped": skipped,
            "stand_in_names": sorted(self.stand_in_names, key=lambda entry: entry["customer_id"]),
            "address_notes": sorted(self.address_notes, key=lambda entry: entry["customer_id"]),
        }


def case_twins(emails: Iterable[tuple[int, str]]) -> dict[str, int]:
    """Emails that differ only in letter case: each one's key, and the lowest customer_id using
    it (the one imported)."""
    lowest: dict[str, int] = {}
    twins: set[str] = set()
    for customer_id, email in emails:
        found = email_key(email)
        if found in lowest:
            twins.add(found)
        lowest[found] = min(customer_id, lowest.get(found, customer_id))
    return {found: lowest[found] for found in twins}


def _batches(rows: Iterator[CustomerRow], chunks: int) -> Iterator[list[list[CustomerRow]]]:
    """The rows in chunks of CHUNK, `chunks` chunks at a time."""
    while batch := [chunk for _ in range(chunks) if (chunk := list(itertools.islice(rows, CHUNK)))]:
        yield batch


class _Run:
    def __init__(self, source: Source, target: Target, report: Report, advance: Callable[[int], None]) -> None:
        self.source, self.target, self.report, self.advance = source, target, report, advance
        self.twins = case_twins(source.emails())

    def _planned(self, row: CustomerRow) -> Planned | None:
        """The customer to write, or None when it is skipped (its outcome recorded)."""
        winner = self.twins.get(email_key(row.email), row.customer_id)
        if winner != row.customer_id:
            reason = f"its email differs only in letter case from customer {winner}'s, which is imported"
            self.report.outcomes.append(Outcome(row.customer_id, SKIPPED, reason, twin_of=winner))
            return None
        try:
            planned = plan(row)
        except Unimportable as error:
            self.report.outcomes.append(Outcome(row.customer_id, SKIPPED, str(error)))
            return None
        if planned.stand_in_name:
            self.report.stand_in_names.append({"customer_id": row.customer_id, "full_name": planned.customer.full_name})
        self.report.address_notes.extend({"customer_id": row.customer_id, "note": note} for note in planned.notes)
        return planned

    def _submit(self, pool: ThreadPoolExecutor, chunk: list[CustomerRow]) -> Future[list[Outcome]]:
        plans = [planned for row in chunk if (planned := self._planned(row)) is not None]
        future = pool.submit(self.target.import_customers, plans)
        future.add_done_callback(lambda _: self.advance(len(chunk)))
        return future

    def customers(self, writers: int) -> None:
        in_flight: set[Future[list[Outcome]]] = set()
        with ThreadPoolExecutor(writers) as pool:
            for batch in _batches(self.source.customers(), writers):
                # Above every id of the batch before any of it is written: a create through the
                # API meanwhile (or after a kill) can never take an imported id. Once a batch,
                # not once a chunk: on DynamoDB Local the update waits behind the writers'
                # transactions (writes to a table take turns there).
                self.target.raise_counter(keys.COUNTER, max(row.customer_id for chunk in batch for row in chunk))
                in_flight.update(self._submit(pool, chunk) for chunk in batch)
                while len(in_flight) > writers:  # bounded: the source is read as writes finish
                    done, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                    self._collect(done)
            self._collect(in_flight)

    def _collect(self, done: Iterable[Future[list[Outcome]]]) -> None:
        for future in done:
            self.report.outcomes.extend(future.result())


def run(
    source: Source,
    table: str,
    *,
    dry_run: bool = False,
    writers: int = WRITERS,
    advance: Callable[[int], None] = lambda _: None,
) -> Report:
    """Import every group, then every customer, of `source` into the customers table."""
    report = Report(source.description, dry_run)
    target = Target(table, dry_run=dry_run, writers=writers)
    groups = source.groups()
    report.groups.update(target.import_group(group) for group in groups)
    if groups:
        target.raise_counter(keys.GROUP_COUNTER, max(group.group_id for group in groups))
    _Run(source, target, report, advance).customers(writers)
    return report
