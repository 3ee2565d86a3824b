"""The command: import, show progress on a terminal, print a summary, write the JSON report.

    CUSTOMERS_TABLE=<table> PYTHONPATH=shared python -m tools.evershop_import \\
        --from postgresql://user@host:5432/evershop   # or --from path/to/csv-folder
        [--dry-run] [--report FILE] [--writers N]

Run it again at any time: what is imported is left alone, what changed in EverShop since is
updated, and a run that was stopped resumes.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from customer_api.core.settings import settings
from tools.evershop_import.run import WRITERS, Report, run
from tools.evershop_import.sources import SourceUnavailable, open_source
from tools.evershop_import.target import ImportRefused


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.evershop_import",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--from", dest="source", required=True, help="postgresql://... or a CSV export folder")
    parser.add_argument("--dry-run", action="store_true", help="read and compare, write nothing")
    parser.add_argument("--report", type=Path, help="write what happened to this file, as JSON")
    parser.add_argument("--writers", type=int, default=WRITERS, help=f"parallel writers (default {WRITERS})")
    return parser.parse_args(argv)


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """A bar with rate and time left on a terminal; silent otherwise (logs, CI)."""
    if not sys.stderr.isatty():
        yield lambda _: None
        return
    from rich.console import Console  # noqa: PLC0415 - only on a terminal
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn  # noqa: PLC0415

    rate = TextColumn("{task.fields[rate]}")
    columns = (TextColumn("customers"), BarColumn(), MofNCompleteColumn(), rate, TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as bar:
        task = bar.add_task("import", total=total, rate="")

        def advance(done: int) -> None:
            bar.advance(task, done)
            speed = bar.tasks[task].speed  # None until there are two samples
            bar.update(task, rate=f"{speed:.0f}/s" if speed else "")

        yield advance


def summary(report: Report) -> list[str]:
    counts = report.counts()
    verb = "would be " if report.dry_run else ""
    lines = [f"{report.source}: " + ", ".join(f"{count} {verb}{result}" for result, count in counts.items())]
    lines += [f"  skipped, {count}: {reason}" for reason, count in report.skipped_reasons().most_common()]
    groups = ", ".join(f"{count} {result}" for result, count in sorted(report.groups.items()))
    lines.append(f"groups: {groups or 'none'}")
    if report.stand_in_names:
        lines.append(f"names standing in for a missing one (the email's local part): {len(report.stand_in_names)}")
    if report.address_notes:
        lines.append(f"address books adjusted to one default or 20 addresses: {len(report.address_notes)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    try:
        source = open_source(arguments.source)
    except SourceUnavailable as error:
        print(f"cannot read {arguments.source.split('@')[-1]}: {error}", file=sys.stderr)
        return 2
    try:
        with _progress(source.count()) as advance:
            report = run(
                source,
                settings().customers_table,
                dry_run=arguments.dry_run,
                writers=arguments.writers,
                advance=advance,
            )
    except ImportRefused as refused:
        print(f"import stopped: {refused}", file=sys.stderr)
        return 1
    finally:
        source.close()
    print("\n".join(summary(report)))
    if arguments.report:
        arguments.report.write_text(json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
