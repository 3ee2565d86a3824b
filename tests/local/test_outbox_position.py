"""The local outbox's place in the stream, kept in the data folder across restarts."""

from __future__ import annotations

from pathlib import Path

from local.outbox import Position

STREAM = "arn:aws:dynamodb:ddblocal:000000000000:table/CustomersTable/stream/2026-11-30T12:00:00.000"


def saved(file: Path, sequence: str) -> None:
    position = Position(file)
    position.move(STREAM, sequence)
    position.save()


def test_a_saved_position_is_found_again_by_the_next_start(tmp_path: Path) -> None:
    saved(tmp_path / "outbox-position.json", "000000000000000000042")

    assert Position(tmp_path / "outbox-position.json").after(STREAM) == "000000000000000000042"


def test_a_position_moved_but_not_saved_is_not_found_by_the_next_start(tmp_path: Path) -> None:
    """Events published but not shown yet when the server stopped: published again (at least once)."""
    saved(tmp_path / "outbox-position.json", "000000000000000000042")
    position = Position(tmp_path / "outbox-position.json")
    position.move(STREAM, "000000000000000000043")

    assert position.after(STREAM) == "000000000000000000043"  # this run reads on
    assert Position(tmp_path / "outbox-position.json").after(STREAM) == "000000000000000000042"


def test_a_new_stream_of_the_table_is_read_from_its_start(tmp_path: Path) -> None:
    saved(tmp_path / "outbox-position.json", "000000000000000000042")

    assert Position(tmp_path / "outbox-position.json").after(STREAM.replace("12:00", "13:00")) is None


def test_an_unreadable_file_means_the_stream_s_start(tmp_path: Path) -> None:
    (tmp_path / "outbox-position.json").write_text("{not json")

    assert Position(tmp_path / "outbox-position.json").after(STREAM) is None


def test_without_a_file_the_position_lives_in_memory() -> None:
    position = Position(None)
    position.move(STREAM, "7")
    position.save()

    assert position.after(STREAM) == "7"
