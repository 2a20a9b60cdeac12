"""CSV import and export of the actions log and the access register.

An import is checked completely before anything is written, then written in one transaction: a
bad cell is reported as file, row, column, what was expected and the fix (InputError, exit 2),
and the database is left as it was. Rows are numbered as a spreadsheet shows them (the header is
row 1). A row with an `id` that exists changes that record; a row without one adds a record.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..errors import InputError, ObservatoryError
from ..sources.tabular import duplicate_headers
from . import actions, register

ACTION_COLUMNS = ("id", "meeting_body", "meeting_date", "meeting_title", "agenda_item", "resolution",
                  "owner", "due_date", "status", "overdue", "illustrative", "illustrative_note")
ACTION_REQUIRED = ("meeting_body", "meeting_date", "resolution", "status")
REGISTER_COLUMNS = ("id", "organisation", "org_code", "provider_type", "parts", "basis", "status",
                    "status_date", "illustrative")
REGISTER_REQUIRED = ("organisation", "provider_type", "status", "status_date")


# --- export --------------------------------------------------------------------------------

def actions_csv(session: Session, today: date | None = None) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(ACTION_COLUMNS)
    for a in actions.list_actions(session, today):
        m = a["meeting"]
        w.writerow([a["id"], m["body"], m["date"], m["title"], a["agenda_item"], a["resolution"], a["owner"],
                    a["due_date"] or "", a["status"], "yes" if a["overdue"] else "no",
                    "yes" if a["illustrative"] else "no", a["illustrative_note"]])
    return buf.getvalue()


def register_csv(session: Session) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(REGISTER_COLUMNS)
    for e in register.list_entries(session):
        w.writerow([e["id"], e["organisation"], e["org_code"], e["provider_type"], e["parts"], e["basis"],
                    e["status"], e["status_date"], "yes" if e["illustrative"] else "no"])
    return buf.getvalue()


# --- reading cells -------------------------------------------------------------------------

class _Row:
    def __init__(self, file: str, number: int, cells: dict[str, str]) -> None:
        self.file, self.number, self.cells = file, number, cells

    def fail(self, column: str, problem: str, expected: str, fix: str) -> InputError:
        return InputError(self.file, problem, row=self.number, column=column, expected=expected, fix=fix)

    def text(self, column: str, required: bool = False) -> str:
        value = (self.cells.get(column) or "").strip()
        if required and not value:
            raise self.fail(column, "the cell is empty.", "a value", "Fill it in or remove the row.")
        return value

    def day(self, column: str, required: bool = False) -> date | None:
        value = self.text(column, required)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(column, f'"{value}" is not a date.', "a date written YYYY-MM-DD (e.g. 2025-03-31)",
                            "Fix the cell.") from None

    def choice(self, column: str, allowed: tuple[str, ...], required: bool = True) -> str:
        value = self.text(column, required)
        if value and value not in allowed:
            raise self.fail(column, f'"{value}" is not allowed.', f"one of: {', '.join(allowed)}",
                            "Fix the cell.")
        return value

    def flag(self, column: str) -> bool:
        value = self.text(column).lower()
        if value in ("", "no", "false", "0"):
            return False
        if value in ("yes", "true", "1"):
            return True
        raise self.fail(column, f'"{value}" is not yes or no.', "yes or no", "Fix the cell.")

    def ident(self, exists: Callable[[int], bool]) -> int | None:
        value = self.text("id")
        if not value:
            return None
        if not value.isdigit():
            raise self.fail("id", f'"{value}" is not a record number.', "a whole number, or empty for a new record",
                            "Fix the cell, or empty it to add the row as a new record.")
        if not exists(int(value)):
            raise self.fail("id", f"there is no record {value}.", "the id of an existing record, or empty",
                            "Empty the cell to add the row as a new record.")
        return int(value)


def _rows(path: Path, columns: tuple[str, ...], required: tuple[str, ...]) -> list[_Row]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(path, "the file does not exist.", fix="Give the path of a CSV file.") from None
    except UnicodeDecodeError:
        raise InputError(path, "the file is not UTF-8 text.", fix="Save it as CSV UTF-8.") from None
    duplicate_headers(text, path)  # DictReader would let the last of two "value" columns win
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(path, f"the header has no column {', '.join(repr(c) for c in missing)}.", row=1,
                         expected=f"the columns {', '.join(columns)}",
                         fix="Start from a file made by the matching export command.")
    unknown = [h for h in header if h not in columns]
    if unknown:
        raise InputError(path, f"unknown column {', '.join(repr(c) for c in unknown)}.", row=1,
                         expected=f"only the columns {', '.join(columns)}", fix="Rename or remove the column.")
    reader.fieldnames = header
    rows = []
    for number, cells in enumerate(reader, start=2):
        if None in cells:
            raise InputError(path, "the row has more cells than the header.", row=number,
                             expected=f"{len(header)} cells", fix="Quote cells that contain commas.")
        if any((v or "").strip() for v in cells.values()):
            rows.append(_Row(str(path), number, cells))
    return rows


# --- import --------------------------------------------------------------------------------

def import_actions(session: Session, actor: str, path: Path) -> dict[str, int]:
    """Check every row, then add or change the actions (the caller's transaction)."""
    parsed = []
    for row in _rows(path, ACTION_COLUMNS, ACTION_REQUIRED):
        parsed.append((row, {
            "id": row.ident(lambda i: session.get(actions.Action, i) is not None),
            "meeting_body": row.text("meeting_body", True),
            "meeting_date": row.day("meeting_date", True),
            "meeting_title": row.text("meeting_title"),
            "agenda_item": row.text("agenda_item"),
            "resolution": row.text("resolution", True),
            "owner": row.text("owner"),
            "due_date": row.day("due_date"),
            "status": row.choice("status", actions.STATUSES),
            "illustrative": row.flag("illustrative"),
            "illustrative_note": row.text("illustrative_note"),
        }))
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
                a = actions.edit_action(session, actor, f["id"], agenda_item=f["agenda_item"],
                                        resolution=f["resolution"], owner=f["owner"], due_date=f["due_date"],
                                        status=f["status"])
                a.meeting_id, a.illustrative = meeting.id, f["illustrative"]
                a.illustrative_note = f["illustrative_note"]
                changed += 1
        except ObservatoryError as exc:
            raise row.fail("resolution", str(exc), "a valid action", "Fix the row.") from None
    return {"added": added, "changed": changed}


def import_register(session: Session, actor: str, path: Path) -> dict[str, int]:
    parsed = []
    for row in _rows(path, REGISTER_COLUMNS, REGISTER_REQUIRED):
        parsed.append({
            "id": row.ident(lambda i: session.get(register.RegisterEntry, i) is not None),
            "organisation": row.text("organisation", True),
            "org_code": row.text("org_code"),
            "provider_type": row.choice("provider_type", register.PROVIDER_TYPES),
            "parts": row.text("parts"),
            "basis": row.text("basis"),
            "status": row.choice("status", register.ACCESS_STATUSES),
            "status_date": row.day("status_date", True),
            "illustrative": row.flag("illustrative"),
        })
    added = changed = 0
    for f in parsed:
        entry_id = f.pop("id")
        if entry_id is None:
            register.add_entry(session, actor, **f)
            added += 1
        else:
            register.edit_entry(session, actor, entry_id, **f)
            changed += 1
    return {"added": added, "changed": changed}


def as_rows(text: str) -> list[dict[str, Any]]:
    return list(csv.DictReader(io.StringIO(text)))
