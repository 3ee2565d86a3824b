"""`make bench-import`: the EverShop import's rate. Makes IMPORT_ROWS (10,000) EverShop-shaped
customers as a CSV export (a tenth in a second group, a few disabled, 0 to 2 addresses, hashes
shaped as bcryptjs writes them: the importer never hashes), imports them into the local backend
as `make import-evershop` does (DynamoDB Local, in memory here; no outbox in the importer's
process), then again (everything unchanged); then once more into a fresh engine with the outbox
publishing the import's events in the same process, as a running `make serve` would beside it.
Writes the "Import" section of BENCHMARKS.md and fails if the storage invariants break.
"""

from __future__ import annotations

import csv
import os
import random
import string
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from bench import report  # noqa: E402
from local import server  # noqa: E402

ROWS = int(os.environ.get("IMPORT_ROWS", "10000"))
SECTION = "## Import"
TARGET = 300  # customers per second, the floor on this machine
HASH_CHARS = "./" + string.ascii_letters + string.digits
STAMP = "2026-11-30 02:00:57.389683+00"


def _fake_hash(rng: random.Random) -> str:
    return "$2a$10$" + "".join(rng.choice(HASH_CHARS) for _ in range(53))


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def make_export(folder: Path, count: int) -> None:
    """An EverShop CSV export of `count` customers (ids with gaps), two groups, their addresses."""
    rng = random.Random(15)
    groups = [[1, uuid.uuid4(), "Default", STAMP, STAMP], [2, uuid.uuid4(), "Wholesale", STAMP, STAMP]]
    customers, addresses = [], []
    for number in range(count):
        customer_id = number + 1 + number // 50  # a gap every 50: customers deleted in EverShop
        group = 2 if number % 10 == 0 else 1
        status = 0 if number % 97 == 0 else 1
        email = f"Customer.{number}@shop{number % 7}.example.com"
        name = f"Customer {number}"
        customers.append([customer_id, uuid.uuid4(), status, group, email, _fake_hash(rng), name, STAMP, STAMP, "{}"])
        for book_index in range(number % 3):
            address_id = len(addresses) + 1
            line = [address_id, uuid.uuid4(), customer_id, name, "+155500000", f"{number} Main Street", ""]
            addresses.append(
                [*line, "90000", "Springfield", "US-CA", "US", STAMP, STAMP, "t" if book_index == 0 else "f"]
            )
    _write(
        folder / "customer_group.csv", ["customer_group_id", "uuid", "group_name", "created_at", "updated_at"], groups
    )
    columns = ["customer_id", "uuid", "status", "group_id", "email", "password", "full_name", "created_at"]
    _write(folder / "customer.csv", [*columns, "updated_at", "meta_data"], customers)
    columns = ["customer_address_id", "uuid", "customer_id", "full_name", "telephone", "address_1", "address_2"]
    columns += ["postcode", "city", "province", "country", "created_at", "updated_at", "is_default"]
    _write(folder / "customer_address.csv", columns, addresses)


def _timed_import(folder: Path) -> tuple[float, dict[str, int]]:
    from customer_api.core.settings import settings  # noqa: PLC0415 - after the server's environment
    from tools.evershop_import.run import run  # noqa: PLC0415
    from tools.evershop_import.sources import CsvFolder  # noqa: PLC0415

    started = time.perf_counter()
    counts = run(CsvFolder(folder), settings().customers_table).counts()
    return time.perf_counter() - started, counts


def _counting_transactions() -> Counter[str]:
    """From now on, the importer's committed transactions, their items and the customers in them."""
    from customer_api.store import keys  # noqa: PLC0415 - after the server's environment
    from tools.evershop_import import target  # noqa: PLC0415

    counted: Counter[str] = Counter()
    lock, transact = threading.Lock(), target.transact

    def counting(client: Any, items: list[dict[str, Any]]) -> list[str] | None:
        codes = transact(client, items)
        if codes is None:
            puts = [item["Put"]["Item"]["pk"]["S"] for item in items if "Put" in item]
            with lock:
                counted.update(transactions=1, items=len(items))
                counted["customers"] += sum(pk.startswith(keys.CUSTOMER_PREFIX) for pk in puts)
        return codes

    target.transact = counting
    return counted


def _bare_transactions(count: int, writers: int, size: int) -> float:
    """Transactions per second of `count` bare puts of `size` items each (no reads, no conditions,
    no addresses, no group counts) on the same engine with as many writers: the ceiling the
    import works under."""
    from customer_api.core.settings import settings  # noqa: PLC0415 - after the server's environment
    from tools.evershop_import.target import client_for  # noqa: PLC0415

    client, table = client_for(writers), settings().customers_table

    def put(_: int) -> None:
        pk = uuid.uuid4().hex
        items = [{"Put": {"TableName": table, "Item": {"pk": {"S": f"BARE#{pk}#{side}"}}}} for side in range(size)]
        client.transact_write_items(TransactItems=items)

    started = time.perf_counter()
    with ThreadPoolExecutor(writers) as pool:
        list(pool.map(put, range(count)))
    return count / (time.perf_counter() - started)


SECTION_TEXT = """{section}

`make bench-import` (bench/import_rate.py): {rows:,} EverShop-shaped customers (a tenth in a
second group, 0 to 2 addresses each, {addresses:,} in all) from a CSV export into the local
backend as `make import-evershop` runs it (DynamoDB Local, in memory; the importer publishes no
event itself: make serve's outbox does, as the stack's stream consumer does on AWS), with the
importer's defaults ({writers} writers, chunks of {chunk}: one batch read per chunk, the new
customers several to a transaction). {machine}. Target: at least {target} customers per second.

| run | customers | seconds | customers/s |
|---|---:|---:|---:|
| first (all imported) | {first_counts} | {first_seconds:.1f} | {first_rate:.0f} |
| second (all unchanged) | {second_counts} | {second_seconds:.1f} | {second_rate:.0f} |
| first, fresh engine, outbox alongside | {rows:,} imported | {alongside_seconds:.1f} | {alongside_rate:.0f} |

The first run wrote {transactions:,} transactions of {per_transaction:.1f} customers
({items_each:.0f} items) on average, {item_rate:,.0f} items per second, and paid for the JVM
warming up. The engine's own ceilings in the same run, measured after the imports (the JVM
warm), with as many writers: {bare:.0f} bare two-item transactions per second (the most an
import of one customer per transaction could reach) and {bare_full:.1f} bare {full}-item ones
({bare_items:,.0f} items per second; no reads, no conditions, no addresses, no group counts).
DynamoDB Local writes to a table one request at a time: the import is bound by the engine's
rate of items. The last row is an import while make serve runs ("outbox alongside"): its
outbox reads the stream and publishes the new customers' events as they come, on the same two
cores. The two cores are shared with whatever else runs on the machine (load average {load:.1f} when
the run ended). The target of {target} per second was {verdict} in this run. One run's
figures: runs on these shared cores differ by up to a third (the README's "How fast" gives
eight).

The storage invariants of the tests held afterwards (the run fails otherwise).
"""


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {result}" for result, count in counts.items() if count)


def _published_alongside(folder: Path) -> float:
    """Seconds of a first import into a fresh engine while the outbox publishes in this process."""
    with server.start(backend_kind="dynamodb-local", publish_events=True):
        seconds, _ = _timed_import(folder)
        return seconds


def main() -> None:
    warnings.filterwarnings("ignore")
    os.environ["LOG_LEVEL"] = "ERROR"
    with tempfile.TemporaryDirectory() as folder, server.start(backend_kind="dynamodb-local", publish_events=False):
        make_export(Path(folder), ROWS)
        counted = _counting_transactions()
        first_seconds, first = _timed_import(Path(folder))
        written = dict(counted)
        second_seconds, second = _timed_import(Path(folder))
        from tests.support.invariants import violations  # noqa: PLC0415 - after the server's environment
        from tools.evershop_import.run import CHUNK, WRITERS  # noqa: PLC0415
        from tools.evershop_import.target import PACK_ITEMS  # noqa: PLC0415

        bare = _bare_transactions(3000, WRITERS, 2)
        bare_full = _bare_transactions(150, WRITERS, PACK_ITEMS)
        broken = violations()
        addresses = len(Path(folder, "customer_address.csv").read_text().splitlines()) - 1
    with tempfile.TemporaryDirectory() as folder:
        make_export(Path(folder), ROWS)
        alongside_seconds = _published_alongside(Path(folder))
    print(f"first: {first} in {first_seconds:.1f} s ({ROWS / first_seconds:.0f}/s), {written}")
    print(f"second: {second} in {second_seconds:.1f} s ({ROWS / second_seconds:.0f}/s)")
    print(f"first, the outbox publishing alongside: {alongside_seconds:.1f} s ({ROWS / alongside_seconds:.0f}/s)")
    print(f"bare transactions: {bare:.0f}/s of 2 items, {bare_full:.1f}/s of {PACK_ITEMS} items")
    if broken:
        raise SystemExit("storage invariants broken:\n" + "\n".join(broken))
    transactions = max(written.get("transactions", 0), 1)
    report.write_section(
        SECTION,
        SECTION_TEXT.format(
            section=SECTION,
            rows=ROWS,
            addresses=addresses,
            writers=WRITERS,
            chunk=CHUNK,
            machine=report.machine(),
            target=TARGET,
            first_counts=_counts(first),
            first_seconds=first_seconds,
            first_rate=ROWS / first_seconds,
            second_counts=_counts(second),
            second_seconds=second_seconds,
            second_rate=ROWS / second_seconds,
            alongside_seconds=alongside_seconds,
            alongside_rate=ROWS / alongside_seconds,
            transactions=written.get("transactions", 0),
            per_transaction=written.get("customers", 0) / transactions,
            items_each=written.get("items", 0) / transactions,
            item_rate=written.get("items", 0) / first_seconds,
            bare=bare,
            bare_full=bare_full,
            full=PACK_ITEMS,
            bare_items=bare_full * PACK_ITEMS,
            load=os.getloadavg()[0],
            verdict="met" if ROWS / first_seconds >= TARGET else "not met",
        ),
    )


if __name__ == "__main__":
    main()
