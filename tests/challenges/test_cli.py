"""`observatory challenges list|show|set-status|export|import|erase` on a workspace whose records
database is SQLite and whose store is the web fixture store (one postcode, LS1 1AA)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from observatory.cli import app
from tests.conftest import copy_workspace
from tests.records.conftest import PASSWORD

runner = CliRunner()


@pytest.fixture
def ws(tmp_path: Path, store_path: Path) -> Path:
    from observatory import workspace
    from observatory.records.db import database_url, open_records
    from observatory.records.migrate import upgrade
    from observatory.records.users import add_user

    root = copy_workspace(tmp_path / "ws")
    (root / "build").mkdir()
    shutil.copy(store_path, root / "build" / "observatory.duckdb")
    url = database_url(workspace.load(root))
    upgrade(url)
    records = open_records(url)
    with records.session() as s:
        for role in ("editor", "admin"):
            add_user(s, "setup", f"{role}1", PASSWORD, role)
    records.dispose()
    return root


def run(*args: str):
    return runner.invoke(app, ["challenges", *args])


def test_import_list_show_and_move_through_the_workflow(ws: Path, tmp_path: Path) -> None:
    paper = tmp_path / "paper.csv"
    paper.write_text("postcode,type,claimed,found,received_on,contact_email\n"
                     "ls1 1aa,speed-not-available,full fibre,36 Mbit/s at most,2026-01-05,cat@example.com\n",
                     encoding="utf-8")
    refused = run("import", str(paper), "-w", str(ws))
    assert refused.exit_code == 2 and "editor role" in refused.output
    done = run("import", str(paper), "-w", str(ws), "--as", "editor1")
    assert done.exit_code == 0, done.output
    assert "1 challenges added" in done.output

    listed = run("list", "-w", str(ws), "--format", "json")
    [row] = json.loads(listed.stdout)
    assert row["reference"] == "CH-00001" and row["postcode"] == "LS1 1AA" and row["status"] == "received"
    assert "cat@example.com" not in listed.stdout
    table = run("list", "-w", str(ws), "--format", "csv")
    assert list(csv.DictReader(io.StringIO(table.stdout)))[0]["overdue"] == "True"  # received in January

    shown = run("show", "CH-00001", "-w", str(ws))
    assert shown.exit_code == 0 and "cat@example.com" not in shown.output and "5 January 2026" in shown.output
    assert run("show", "1", "--personal", "-w", str(ws)).exit_code == 2  # needs an editor
    personal = run("show", "1", "--personal", "-w", str(ws), "--as", "editor1")
    assert "cat@example.com" in personal.output

    early = run("set-status", "CH-00001", "conceded", "-w", str(ws), "--as", "editor1")
    assert early.exit_code == 2 and "only be recorded after the challenge was sent" in early.output
    for args in (("checked",), ("sent", "--to", "Ofcom"), ("upheld", "--note", "Ofcom agreed.")):
        step = run("set-status", "CH-00001", *args, "-w", str(ws), "--as", "editor1")
        assert step.exit_code == 0, step.output
    one = json.loads(run("show", "1", "-w", str(ws), "--format", "json").stdout)
    assert [s["status"] for s in one["steps"]] == ["received", "checked", "sent", "upheld"]
    assert one["outcome"] == "upheld" and one["overdue"] is False


def test_export_with_personal_data_needs_an_admin_and_erase_is_audited(ws: Path, tmp_path: Path) -> None:
    paper = tmp_path / "paper.csv"
    paper.write_text("postcode,type,claimed,found,contact_email\nLS1 1AA,order-refused,full fibre,No,dee@example.com\n",
                     encoding="utf-8")
    assert run("import", str(paper), "-w", str(ws), "--as", "editor1").exit_code == 0
    plain = run("export", "-w", str(ws))
    assert plain.exit_code == 0 and "dee@example.com" not in plain.stdout and "CH-00001" in plain.stdout
    assert run("export", "--personal", "-w", str(ws), "--as", "editor1").exit_code == 2
    out = tmp_path / "all.geojson"
    full = run("export", "--format", "geojson", "--personal", "--out", str(out), "-w", str(ws), "--as", "admin1")
    assert full.exit_code == 0
    assert json.loads(out.read_text())["features"][0]["properties"]["contact_email"] == "dee@example.com"
    dry = run("erase", "--dry-run", "-w", str(ws), "--as", "admin1")
    assert dry.exit_code == 0 and "Would erase the personal data of 0 challenges" in dry.output
