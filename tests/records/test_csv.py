"""CSV import of the actions log and the register: row-level errors, nothing half-imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from observatory.errors import InputError
from observatory.records import actions, csv_io, register

HEADER = "meeting_body,meeting_date,resolution,owner,due_date,status\n"


def _count(records) -> tuple[int, int]:
    with records.session() as s:
        return len(actions.list_actions(s)), len(register.list_entries(s))


def test_actions_import_then_export(records, tmp_path: Path) -> None:
    f = tmp_path / "actions.csv"
    f.write_text(HEADER + "Board,2025-01-15,Circulate the update,Advisor,2025-02-01,done\n"
                 "Board,2025-01-15,\"Report back, on metrics\",Officer,2020-01-01,open\n", encoding="utf-8")
    with records.session() as s:
        assert csv_io.import_actions(s, "ann", f) == {"added": 2, "changed": 0}
    with records.session() as s:
        rows = csv_io.as_rows(csv_io.actions_csv(s))
    assert [r["resolution"] for r in rows] == ["Circulate the update", "Report back, on metrics"]
    # Due 2020-01-01 and still open: overdue. Done on time: not.
    assert [r["overdue"] for r in rows] == ["no", "yes"]


def test_a_bad_date_names_file_row_column_and_imports_nothing(records, tmp_path: Path) -> None:
    f = tmp_path / "actions.csv"
    f.write_text(HEADER + "Board,2025-01-15,Fine row,Advisor,2025-02-01,open\n"
                 "Board,2025-01-15,Bad row,Advisor,31/02/2025,open\n", encoding="utf-8")
    with pytest.raises(InputError) as caught, records.session() as s:
        csv_io.import_actions(s, "ann", f)
    assert str(caught.value) == (
        'actions.csv, row 3, column "due_date": "31/02/2025" is not a date. '
        "Expected a date written YYYY-MM-DD (e.g. 2025-03-31). Fix the cell."
    )
    assert _count(records) == (0, 0)


def test_a_bad_register_status_is_refused(records, tmp_path: Path) -> None:
    f = tmp_path / "register.csv"
    f.write_text("organisation,provider_type,status,status_date\n"
                 "A practice,GP practice,live,2025-01-01\n"
                 "A hospice,hospice,switched on,2025-01-01\n", encoding="utf-8")
    with pytest.raises(InputError, match='row 3, column "status": "switched on" is not allowed. '
                                         'Expected one of: live, onboarding, planned'), records.session() as s:
        csv_io.import_register(s, "ann", f)
    assert _count(records) == (0, 0)


def test_register_answer_counts_by_type(records) -> None:
    from datetime import date

    with records.session() as s:
        for name, kind, status, day in [("P1", "GP practice", "live", date(2025, 1, 1)),
                                        ("P2", "GP practice", "planned", date(2025, 6, 1)),
                                        ("H1", "hospital trust", "live", date(2024, 3, 1))]:
            register.add_entry(s, "ann", organisation=name, provider_type=kind, status=status, status_date=day)
    with records.session() as s:
        answer = register.access_answer(register.list_entries(s))
    # By hand: two live (P1, H1), none onboarding, one planned (P2); GP practices listed first.
    assert answer["counts"] == {"live": 2, "onboarding": 0, "planned": 1}
    assert [(g["provider_type"], g["live"], g["planned"]) for g in answer["groups"]] == [
        ("GP practice", 1, 1), ("hospital trust", 1, 0)]


def test_a_repeated_column_is_refused_not_read_from_its_last_copy(records, tmp_path: Path) -> None:
    # the same reader takes the board's actions, the register, metric values and programme sites
    f = tmp_path / "actions.csv"
    f.write_text(HEADER.rstrip("\n") + ",owner\n" + "Board,2025-01-15,Row,Advisor,2025-02-01,open,Someone else\n",
                 encoding="utf-8")
    with pytest.raises(InputError) as caught, records.session() as s:
        csv_io.import_actions(s, "ann", f)
    assert 'the header "owner" appears twice' in str(caught.value) and "row 1" in str(caught.value)
    assert _count(records) == (0, 0)
