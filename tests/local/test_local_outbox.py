"""`make serve` runs the outbox: events printed on the console and, with EVENTS_FILE, appended in
EventBridge's envelope with the reset token in clear; the README's reset walk-through end to end."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from local import server

ROOT = Path(__file__).resolve().parents[2]
README_ADMIN = ("admin@example.com", "admin-pass-123")


@pytest.fixture(scope="module")
def events_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("outbox") / "events.jsonl"


@pytest.fixture(scope="module")
def running(events_file: Path) -> Iterator[server.RunningServer]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EVENTS_FILE", str(events_file))
        with server.start(seed_admin=README_ADMIN) as started:
            yield started


def reset_block() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Forgotten passwords and events\n", 1)[1].split("\n## ", 1)[0]
    (block,) = [block for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL) if "curl" in block]
    return block


def test_the_readme_reset_walk_through_works_end_to_end(
    running: server.RunningServer, events_file: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    script = "set -euo pipefail\n" + reset_block().replace("API=http://127.0.0.1:3000", f"API={running.url}").replace(
        "EVENTS_FILE=events.jsonl", f"EVENTS_FILE={events_file}"
    )
    done = subprocess.run(  # noqa: S603 - our own README, run by bash
        ["bash", "-c", script],  # noqa: S607
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    asked, reset, old_session, old_password, new_login, deleted = [
        json.loads(line) for line in done.stdout.splitlines() if line.strip()
    ]

    assert asked == reset == {"data": {}}
    assert old_session["error"]["status"] == 401
    assert old_password["error"]["message"] == "Invalid email or password"
    assert set(new_login["data"]) == {"token", "sid"}
    assert deleted["data"]["email"] == "ada@example.com"

    lines = [json.loads(line) for line in events_file.read_text().splitlines()]
    assert all(set(line) >= {"id", "source", "detail-type", "time", "detail"} for line in lines)
    (requested,) = [line for line in lines if line["detail-type"] == "customer.password_reset_requested"]
    assert requested["detail"]["token"].startswith(requested["detail"]["customer_uuid"] + ".")
    console = capfd.readouterr().out
    assert "event customer.password_reset_requested " in console
    assert requested["detail"]["token"] not in console  # in clear only in the file
