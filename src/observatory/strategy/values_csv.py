"""CSV export and import of entered metric values.

Import checks every row before writing anything (records.csv_io's reader, sources.tabular: every
bad cell at once, each with its row, column, what was expected and the fix), then adds the values
in the caller's transaction, each audited. A row equal to the value already held for that metric
and date is left alone, so an export can be imported again without adding anything. Rows are
numbered as a spreadsheet shows them.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ..records import csv_safe
from ..records.csv_io import read_import
from ..workspace.metrics import MetricsConfig
from . import models

COLUMNS = ("metric_id", "date", "value", "note", "illustrative", "id", "author", "recorded_at")
REQUIRED = ("metric_id", "date", "value")


def export_csv(session: Session) -> str:
    buf = io.StringIO()
    w = csv_safe.writer(buf)
    w.writerow(COLUMNS)
    for v in models.all_values(session):
        w.writerow([v["metric_id"], v["date"], exact(v["value"]), v["note"], "yes" if v["illustrative"] else "no",
                    v["id"], v["author"], v["recorded_at"]])
    return buf.getvalue()


def exact(value: float) -> str:
    """A value written so it reads back the same: 1250, 1234567.891 (never rounded to 6 digits)."""
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)


def import_csv(session: Session, actor: str, path: Path, config: MetricsConfig,
               today: date | None = None) -> dict[str, int]:
    today = today or date.today()
    entered = {m.id for m in config.metrics if m.source.kind == "entered"}
    units = {m.id: m.unit for m in config.metrics if m.source.kind == "entered"}
    others = {m.id: m.source.describe() for m in config.metrics if m.source.kind != "entered"}
    parsed: list[dict[str, Any]] = []
    table = read_import(path, COLUMNS, REQUIRED)
    for row in table:
        metric_id = row.text("metric_id", True)
        if metric_id in others:
            row.bad("metric_id", f"metric '{metric_id}' takes its values from the {others[metric_id]}, "
                    "not from entered values.", "the id of a metric with source kind \"entered\"",
                    "Remove the row.")
        elif metric_id and metric_id not in entered:
            row.bad("metric_id", f"there is no metric '{metric_id}' in {config.file.name}.",
                    f"one of: {', '.join(sorted(entered))}", "Fix the id or add the metric to the file.")
        day = row.day("date", True)
        if day is not None and day > today:
            row.bad("date", f"{day.isoformat()} is in the future.", "the date the value was measured",
                    "Fix the date.")
        value = row.numeric("value", True, expected="a number without units (e.g. 1250 or 72.5)", commas=True)
        unit = units.get(metric_id)
        problem = models.value_problem(unit, value, whole=False) if unit is not None and value is not None else None
        if problem:
            row.bad("value", problem, "a value in the metric's unit", "Fix the value.")
        parsed.append({"metric_id": metric_id, "on": day, "value": value, "note": row.text("note"),
                       "illustrative": row.flag("illustrative")})
    table.done()  # every bad cell at once; nothing is added before
    added = unchanged = 0
    held = {(v["metric_id"], v["date"]): v for m in entered for v in models.values_for(session, m)}
    # every value ever held, superseded ones too: an export's superseded row is history, not a new value
    ever = {(v["metric_id"], v["date"], v["value"], v["note"]) for v in models.all_values(session)}
    for f in parsed:
        same = held.get((f["metric_id"], f["on"].isoformat()))
        if ((same and same["value"] == f["value"] and same["note"] == f["note"])
                or (f["metric_id"], f["on"].isoformat(), f["value"], f["note"]) in ever):
            unchanged += 1
            continue
        models.add_value(session, actor, f["metric_id"], f["value"], f["on"], f["note"], f["illustrative"])
        added += 1
    return {"added": added, "unchanged": unchanged}
