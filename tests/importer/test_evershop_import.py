"""tools/evershop_import: a shop's EverShop customers, from its PostgreSQL database or its CSV
export, log in here with their old passwords and keep their ids, uuids, groups and addresses;
running it again changes nothing."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path
from typing import Any

import bcrypt
import pytest

from tests.importer.evershop_data import EVERSHOP, changed_copy, import_from, passwords, rows
from tests.support import Api
from tests.support.invariants import assert_invariants
from tools.evershop_import import __main__ as command

TWIN, TWIN_OF = 121, 82  # two emails differing only in case: the lower id is imported
DELETED = 101  # deleted in EverShop before the export: a gap in the ids
STAMP = "2026-11-30 02:00:57.389683+00"


@pytest.fixture(params=["csv", "postgresql"])
def evershop(request: pytest.FixtureRequest) -> str:
    """Where the data set is read from: the CSV folder, or the PostgreSQL server it was loaded into."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("evershop_postgres"))
    return str(EVERSHOP)


def dashed(uuid: str) -> str:
    return uuid if "-" in uuid else f"{uuid[:8]}-{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:]}"


def log_in(api: Api, email: str, password: str) -> int:
    return api.post("/api/customers/sessions", {"email": email, "password": password}).status


def test_every_customer_logs_in_with_their_evershop_password(api: Api, admin_token: str, evershop: str) -> None:
    import_from(evershop)

    source = {row["email"]: row for row in rows("customer")}
    for email, password in passwords().items():
        row = source[email]
        if int(row["customer_id"]) == TWIN:  # not imported: its email logs in as the other twin
            assert log_in(api, email, password) == 400
        elif row["status"] == "0":  # disabled in EverShop, disabled here: enabled, it logs in
            assert log_in(api, email, password) == 400
            enabled = api.patch(f"/api/customers/{dashed(row['uuid'])}", {"status": 1}, token=admin_token)
            assert enabled.status == 200
            assert log_in(api, email, password) == 200, email
        else:
            assert log_in(api, email, password) == 200, email
    assert_invariants()


def test_ids_uuids_groups_and_addresses_are_kept(api: Api, admin_token: str, evershop: str) -> None:
    import_from(evershop)

    addresses = rows("customer_address")
    for row in rows("customer"):
        reply = api.get(f"/api/customers/{row['uuid'].upper()}", token=admin_token)  # dashed, any case
        if int(row["customer_id"]) == TWIN:
            assert reply.status == 404
            continue
        assert reply.status == 200, reply.body
        kept = reply.data
        assert (kept["customer_id"], kept["uuid"], kept["email"]) == (
            int(row["customer_id"]),
            row["uuid"].replace("-", ""),
            row["email"],
        )
        assert (kept["status"], kept["group_id"]) == (int(row["status"]), int(row["group_id"]))
        assert kept["full_name"] == (row["full_name"] or row["email"].split("@")[0])
        assert kept["created_at"] == row["created_at"][:19]
        book = api.get(f"/api/customers/{dashed(row['uuid'])}/addresses", token=admin_token).data["items"]
        source = [address for address in addresses if address["customer_id"] == row["customer_id"]]
        assert {(a["uuid"], a["is_default"]) for a in book} == {
            (a["uuid"].replace("-", ""), a["is_default"] == "t") for a in source
        }
    groups = api.get("/api/customer-groups", token=admin_token).data["items"]
    assert [(g["group_id"], g["uuid"], g["group_name"]) for g in groups] == [
        (int(g["customer_group_id"]), g["uuid"].replace("-", ""), g["group_name"]) for g in rows("customer_group")
    ]
    assert_invariants()


def test_the_deleted_customer_stays_deleted_and_new_ids_come_after_the_imported_ones(
    api: Api, admin_token: str, evershop: str
) -> None:
    import_from(evershop)

    listed = api.get("/api/customers?limit=100", token=admin_token).data["items"]
    assert DELETED not in {customer["customer_id"] for customer in listed}
    assert len(listed) == len(rows("customer")) - 1  # all but the twin
    created = api.post(
        "/api/customers", {"email": "new@example.com", "password": "secret-123", "full_name": "New"}, token=admin_token
    )
    assert created.data["customer_id"] == TWIN + 1
    assert_invariants()


def test_the_case_twin_is_skipped_and_reported_with_both_ids(aws: None, evershop: str) -> None:
    report = import_from(evershop).as_json()

    assert report["customers"] == {"imported": 39, "updated": 0, "unchanged": 0, "skipped": 1}
    [skipped] = report["skipped"]
    assert (skipped["customer_id"], skipped["twin_of"]) == (TWIN, TWIN_OF)
    assert report["stand_in_names"] == [{"customer_id": 83, "full_name": "toms.andersen2xee69af"}]


def test_a_second_run_changes_nothing_even_after_logins_upgraded_hashes(api: Api, evershop: str) -> None:
    import_from(evershop)
    for email, password in list(passwords().items())[:5]:
        assert log_in(api, email, password) == 200  # re-hashed at the tests' cost

    again = import_from(evershop).as_json()

    assert again["customers"] == {"imported": 0, "updated": 0, "unchanged": 39, "skipped": 1}
    assert again["groups"] == {"unchanged": 2}
    for email, password in list(passwords().items())[:5]:
        assert log_in(api, email, password) == 200
    assert_invariants()


def test_what_changed_in_evershop_since_is_updated(api: Api, admin_token: str, tmp_path: Path) -> None:
    import_from(EVERSHOP)
    row = next(row for row in rows("customer") if row["group_id"] == "1" and row["full_name"])
    edit = {"full_name": "Renamed Since", "group_id": "2", "email": "moved." + row["email"]}

    report = import_from(changed_copy(tmp_path, edit, row["customer_id"])).as_json()

    assert report["customers"] == {"imported": 0, "updated": 1, "unchanged": 38, "skipped": 1}
    kept = api.get(f"/api/customers/{dashed(row['uuid'])}", token=admin_token).data
    assert (kept["full_name"], kept["group_id"], kept["email"]) == ("Renamed Since", 2, edit["email"])
    assert log_in(api, edit["email"], passwords()[row["email"]]) == 200
    assert_invariants()


def test_a_customer_changed_here_since_the_import_is_left_alone(api: Api, admin_token: str, tmp_path: Path) -> None:
    import_from(EVERSHOP)
    row = rows("customer")[0]
    changed = api.patch(f"/api/customers/{dashed(row['uuid'])}", {"full_name": "Changed Here"}, token=admin_token)
    assert changed.status == 200

    report = import_from(changed_copy(tmp_path, {"full_name": "Changed There"}, row["customer_id"])).as_json()

    reasons = {entry["customer_id"]: entry["reason"] for entry in report["skipped"]}
    assert "changed through this API" in reasons[int(row["customer_id"])]
    assert api.get(f"/api/customers/{dashed(row['uuid'])}", token=admin_token).data["full_name"] == "Changed Here"


def test_a_dry_run_writes_nothing(api: Api, admin_token: str) -> None:
    report = import_from(EVERSHOP, dry_run=True).as_json()

    assert report["customers"]["imported"] == 39
    assert api.get("/api/customers?limit=100", token=admin_token).data["items"] == []
    assert api.get("/api/customer-groups", token=admin_token).data["items"][0]["group_name"] == "Default"


def test_the_command_prints_a_summary_and_writes_a_report_without_secrets(
    aws: None, tmp_path: Path, capsys: Any
) -> None:
    report_file = tmp_path / "report.json"

    assert command.main(["--from", str(EVERSHOP), "--report", str(report_file), "--writers", "1"]) == 0

    printed = capsys.readouterr().out
    assert "39 imported, 0 updated, 0 unchanged, 1 skipped" in printed
    assert "letter case" in printed
    written = report_file.read_text()
    assert json.loads(written)["customers"]["imported"] == 39
    assert "$2a$" not in written and "$2a$" not in printed
    assert not any(password in written for password in passwords().values())


def test_a_group_id_taken_here_by_another_group_stops_the_import_before_any_customer(
    api: Api, admin_token: str, capsys: Any
) -> None:
    assert api.post("/api/customer-groups", {"group_name": "Ours"}, token=admin_token).data["group_id"] == 2

    assert command.main(["--from", str(EVERSHOP), "--writers", "1"]) == 1

    assert "group 2 exists here as another group" in capsys.readouterr().err
    assert api.get("/api/customers?limit=100", token=admin_token).data["items"] == []


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_and_nowhere_else(aws: None, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    assert command.main(["--from", str(EVERSHOP), "--dry-run", "--writers", "1"]) == 0
    assert capsys.readouterr().err == ""

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert command.main(["--from", str(EVERSHOP), "--dry-run", "--writers", "1"]) == 0

    assert "40/40" in terminal.getvalue()  # every row of the source, skipped ones too


@pytest.mark.parametrize("prefix", ["$2a$", "$2b$", "$2y$"])
def test_every_bcrypt_prefix_logs_in_as_it_is(api: Api, tmp_path: Path, prefix: str) -> None:
    hashed = bcrypt.hashpw(b"old-password-1", bcrypt.gensalt(4)).decode()
    (tmp_path / "customer_group.csv").write_bytes((EVERSHOP / "customer_group.csv").read_bytes())
    (tmp_path / "customer_address.csv").write_text((EVERSHOP / "customer_address.csv").read_text().splitlines()[0])
    columns = "customer_id,uuid,status,group_id,email,password,full_name,created_at,updated_at,meta_data"
    row = f"7,{uuid.uuid4()},1,1,php@example.com,{prefix}{hashed[4:]},Php Shop,{STAMP},{STAMP},{{}}"
    (tmp_path / "customer.csv").write_text(f"{columns}\n{row}\n")

    assert import_from(tmp_path).counts()["imported"] == 1

    assert log_in(api, "php@example.com", "old-password-1") == 200
    assert log_in(api, "php@example.com", "another-password") == 400


def test_an_unreadable_source_is_refused_with_a_reason(aws: None, tmp_path: Path, capsys: Any) -> None:
    assert command.main(["--from", str(tmp_path)]) == 2
    assert "customer_group.csv is missing" in capsys.readouterr().err

    assert command.main(["--from", "postgresql://nobody:secret-pw@127.0.0.1:1/evershop"]) == 2
    refused = capsys.readouterr().err
    assert "cannot read 127.0.0.1:1/evershop" in refused
    assert "secret-pw" not in refused
