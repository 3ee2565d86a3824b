"""The EverShop data set as the tests read it: rows, passwords, and the import as a call."""

from __future__ import annotations

import csv
from pathlib import Path

from customer_api.core.settings import settings
from tools.evershop_import.run import Report, run
from tools.evershop_import.sources import open_source

EVERSHOP = Path(__file__).parent / "evershop"


def passwords() -> dict[str, str]:
    """Each EverShop customer's email and the password it logs in with today."""
    with (EVERSHOP / "passwords.csv").open(newline="", encoding="utf-8") as file:
        return {row["email"]: row["password"] for row in csv.DictReader(file)}


def rows(table: str, folder: Path = EVERSHOP) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def changed_copy(folder: Path, edit: dict[str, str], customer_id: str) -> Path:
    """A copy of the CSV export with one customer's columns edited."""
    for name in ("customer_group.csv", "customer_address.csv"):
        (folder / name).write_bytes((EVERSHOP / name).read_bytes())
    customers = rows("customer")
    for row in customers:
        if row["customer_id"] == customer_id:
            row.update(edit)
    with (folder / "customer.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(customers[0]))
        writer.writeheader()
        writer.writerows(customers)
    return folder


def import_from(given: str | Path, *, dry_run: bool = False, writers: int = 1) -> Report:
    """One import into the tests' tables (one writer by default: moto is not thread-safe)."""
    source = open_source(str(given))
    try:
        return run(source, settings().customers_table, dry_run=dry_run, writers=writers)
    finally:
        source.close()
