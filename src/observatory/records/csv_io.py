"""CSV import and export of the actions log and the access register.

An import is checked completely before anything is written, then written in one transaction: every
bad cell is reported at once, each as row, column, what was expected and the fix (one InputError
naming the file, exit 2), and the database is left as it was. Rows are numbered as a spreadsheet shows them (the header is
row 1). A row with an `id` that exists changes that record; a row without one adds a record.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..errors import ObservatoryError
from ..sources.tabular import Row, Table, read_table
from . import actions, csv_safe, inputs, register

ACTION_COLUMNS = ("id", "meeting_body", "meeting_date", "meeting_title", "agenda_item", "resolution",
                  "owner", "due_date", "status", "overdue", "illustrative", "illustrative_note")
ACTION_REQUIRED = ("meeting_body", "meeting_date", "resolution", "status")
REGISTER_COLUMNS = ("id", "organisation", "org_code", "provider_type", "parts", "basis", "status",
                    "status_date", "illustrative")
REGISTER_REQUIRED = ("organisation", "provider_type", "status", "status_date")


# --- export --------------------------------------------------------------------------------

def actions_csv(session: Session, today: date | None = None) -> str:
    buf = io.StringIO()
    w = csv_safe.writer(buf)
    w.writerow(ACTION_COLUMNS)
    for a in actions.list_actions(session, today):
        m = a["meeting"]
        w.writerow([a["id"], m["body"], m["date"], m["title"], a["agenda_item"], a["resolution"], a["owner"],
                    a["due_date"] or "", a["status"], "yes" if a["overdue"] else "no",
                    "yes" if a["illustrative"] else "no", a["illustrative_note"]])
    return buf.getvalue()


def register_csv(session: Session) -> str:
    buf = io.StringIO()
    w = csv_safe.writer(buf)
    w.writerow(REGISTER_COLUMNS)
    for e in register.list_entries(session):
        w.writerow([e["id"], e["organisation"], e["org_code"], e["provider_type"], e["parts"], e["basis"],
                    e["status"], e["status_date"], "yes" if e["illustrative"] else "no"])
    return buf.getvalue()


# --- reading -------------------------------------------------------------------------------

def read_import(path: Path, columns: tuple[str, ...], required: tuple[str, ...]) -> Table:
    """An import file's rows (sources.tabular): only the export's columns, `required` among them.
    The caller checks every row, then calls done(), which lists every bad cell at once."""
    table = read_table(path, required=required, optional=[c for c in columns if c not in required],
                       only_known=True, expected=f"the columns {', '.join(columns)}",
                       fix="Start from a file made by the matching export command.")
    return restored(table)


def restored(table: Table) -> Table:
    """The table with each cell as it was before an export made it safe for spreadsheets
    (records.csv_safe): a value exported as '=SUM(A1) is imported as =SUM(A1)."""
    cells = [(row.number, [csv_safe.restore(row[c]) for c in table.header]) for row in table]
    return Table(table.file, table.header, cells, table.problems, table.optional)


def record_id(row: Row, exists: Callable[[int], bool]) -> int | None:
    """The id of the record a row changes, or None for a new record (or a bad id, noted)."""
    value = row.text("id")
    if not value:
        return None
    if not value.isdigit():
        row.bad("id", f'"{value}" is not a record number.', "a whole number, or empty for a new record",
                "Fix the cell, or empty it to add the row as a new record.")
        return None
    if not exists(int(value)):
        row.bad("id", f"there is no record {value}.", "the id of an existing record, or empty",
                "Empty the cell to add the row as a new record.")
        return None
    return int(value)


def checked_text(row: Row, column: str, required: bool = False) -> str:
    """A text cell, noted as bad when it is too long for its field or holds a control character
    (records.inputs: the same limits as the web forms and the API)."""
    value = row.text(column, required)
    problem = inputs.text_problem(column, value)
    if problem:
        limit = inputs.LIMITS.get(column)
        row.bad(column, problem, f"text{f' of at most {limit:,} characters' if limit else ''}, without control "
                "characters", "Fix the cell.")
    return value


def unique_ids(table: Table) -> None:
    """Note an id given on more than one row (each would change the same record: which is meant?)."""
    table.unique("id", "the record id", "each record once in the file",
                  "Keep one row per record: merge the rows, or empty the id of a row meant as a new record.")


# --- import --------------------------------------------------------------------------------

def import_actions(session: Session, actor: str, path: Path) -> dict[str, int]:
    """Check every row, then add or change the actions (the caller's transaction)."""
    table = read_import(path, ACTION_COLUMNS, ACTION_REQUIRED)
    parsed = []
    for row in table:
        parsed.append((row, {
            "id": record_id(row, lambda i: session.get(actions.Action, i) is not None),
            "meeting_body": checked_text(row, "meeting_body", True),
            "meeting_date": row.day("meeting_date", True),
            "meeting_title": checked_text(row, "meeting_title"),
            "agenda_item": checked_text(row, "agenda_item"),
            "resolution": checked_text(row, "resolution", True),
            "owner": checked_text(row, "owner"),
            "due_date": row.day("due_date"),
            "status": row.choice("status", actions.STATUSES),
            "illustrative": row.flag("illustrative"),
            "illustrative_note": checked_text(row, "illustrative_note"),
        }))
    unique_ids(table)
    table.done()  # every bad cell at once; nothing is written before
    added = changed = 0
    for row, f in parsed:
        meeting = actions.find_or_add_meeting(session, actor, f["meeting_body"], f["meeting_date"],
                                              f["meeting_title"], illustrative=f["illustrative"])
        try:
            if f["id"] is None:
                actions.create_action(session, actor, meeting, f["resolution"], agenda_item=f["agenda_item"],
                                      owner=f["owner"], due_date=f["due_date"], status=f["status"],
                                      illustrative=f["illustrative"], illustrative_note=f["illustrative_note"])
                added += 1
            else:
                # Every field in one edit, so its audit row holds the action as it was and as it is now.
                a = actions.edit_action(session, actor, f["id"], editable=actions.IMPORTABLE,
                                        agenda_item=f["agenda_item"], resolution=f["resolution"], owner=f["owner"],
                                        due_date=f["due_date"], status=f["status"], meeting_id=meeting.id,
                                        illustrative=f["illustrative"], illustrative_note=f["illustrative_note"])
                changed += session.is_modified(a)  # a row as the action already is changes nothing
        except ObservatoryError as exc:
            raise row.fail("resolution", str(exc), "a valid action", "Fix the row.") from None
    return {"added": added, "changed": changed}


def import_register(session: Session, actor: str, path: Path) -> dict[str, int]:
    table = read_import(path, REGISTER_COLUMNS, REGISTER_REQUIRED)
    parsed = []
    for row in table:
        parsed.append({
            "id": record_id(row, lambda i: session.get(register.RegisterEntry, i) is not None),
            "organisation": checked_text(row, "organisation", True),
            "org_code": checked_text(row, "org_code"),
            "provider_type": row.choice("provider_type", register.PROVIDER_TYPES),
            "parts": checked_text(row, "parts"),
            "basis": checked_text(row, "basis"),
            "status": row.choice("status", register.ACCESS_STATUSES),
            "status_date": row.day("status_date", True),
            "illustrative": row.flag("illustrative"),
        })
    unique_ids(table)
    table.done()
    added = changed = 0
    for f in parsed:
        entry_id = f.pop("id")
        if entry_id is None:
            register.add_entry(session, actor, **f)
            added += 1
        else:
            e = register.edit_entry(session, actor, entry_id, **f)
            changed += session.is_modified(e)  # a row as the entry already is changes nothing
    return {"added": added, "changed": changed}


def as_rows(text: str) -> list[dict[str, Any]]:
    """An export's rows as dictionaries (its text read back by sources.tabular)."""
    table = restored(read_table(text.encode("utf-8"), "export.csv"))
    return [{column: row[column] for column in table.header} for row in table]
