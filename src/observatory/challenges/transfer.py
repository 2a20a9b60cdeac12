"""Bulk export (CSV and GeoJSON) with the columns a public review asks for, and import of reports
collected elsewhere (a paper form, another council's spreadsheet) in the export's columns.

The export leaves personal data out (contact details and evidence) unless `personal` is asked
for, which the views allow an admin only. Every CSV cell is written through records.csv_safe (a
spreadsheet runs no cell), and read back through sources.tabular, the one CSV reader."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..records import csv_safe
from ..records.csv_io import restored
from ..sources.tabular import read_table
from ..store import Store
from . import intake, models

COLUMNS = (
    "reference", "received_on", "postcode", "oa_code", "lsoa_code", "ward_code", "district_code", "lon", "lat",
    "type", "fcc_code", "type_label", "claimed", "found", "published_gigabit", "published_release", "status",
    "sent_to", "sent_on", "due_on", "overdue", "outcome", "outcome_on", "days_to_answer", "evidence_file_given",
    "personal_data_erased", "illustrative",
)
PERSONAL_COLUMNS = ("contact_name", "contact_email", "contact_phone", "evidence_text", "evidence_name")
IMPORT_REQUIRED = ("postcode", "type", "claimed", "found")
IMPORT_OPTIONAL = ("received_on", "evidence_text", "contact_name", "contact_email", "contact_phone", "consent",
                   "reference")


def _cells(r: dict[str, Any], personal: bool) -> list[Any]:
    yes = {True: "yes", False: "no"}
    row = [r["reference"], r["received_on"], r["postcode"], r["oa_code"], r["lsoa_code"], r["ward_code"],
           r["district_code"], r["lon"], r["lat"], r["type"], r["fcc_code"], r["type_label"], r["claimed"], r["found"],
           r["published_gigabit"], r["published_release"], r["status"], r["sent_to"], r["sent_on"] or "",
           r["due_on"] or "", yes[r["overdue"]], r["outcome"] or "", r["outcome_on"] or "",
           "" if r["days_to_answer"] is None else r["days_to_answer"], yes[r["has_evidence_file"]], yes[r["erased"]],
           yes[r["illustrative"]]]
    if personal:
        row += [r.get(c, "") for c in PERSONAL_COLUMNS]
    return ["" if v is None else v for v in row]


def export_csv(rows: list[dict[str, Any]], personal: bool = False) -> str:
    buf = io.StringIO()
    w = csv_safe.writer(buf)
    w.writerow([*COLUMNS, *(PERSONAL_COLUMNS if personal else ())])
    for r in sorted(rows, key=lambda r: r["id"]):
        w.writerow(_cells(r, personal))
    return buf.getvalue()


def export_geojson(rows: list[dict[str, Any]], personal: bool = False) -> str:
    """One point per challenge at its postcode's centre (not the premises: a postcode holds about 15)."""
    columns = [*COLUMNS, *(PERSONAL_COLUMNS if personal else ())]
    features = []
    for r in sorted(rows, key=lambda r: r["id"]):
        props = dict(zip(columns, _cells(r, personal), strict=True))
        geometry = {"type": "Point", "coordinates": [r["lon"], r["lat"]]} if r["lon"] is not None else None
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return json.dumps({"type": "FeatureCollection", "name": "coverage-challenges",
                       "note": "Each point is the centre of the report's postcode, not the premises.",
                       "features": features}, indent=1) + "\n"


def import_csv(session: Session, actor: str, source: Path | bytes, store: Store, max_upload_kb: int,
               today: date | None = None, name: str | None = None) -> dict[str, int]:
    """Add the file's reports as new challenges (all rows checked first: nothing is written if one
    is wrong). Rows whose reference is already in the records are skipped and counted."""
    table = restored(read_table(source, name, required=IMPORT_REQUIRED,
                                optional=[c for c in (*COLUMNS, *PERSONAL_COLUMNS, *IMPORT_OPTIONAL)
                                          if c not in IMPORT_REQUIRED],
                                expected=f"at least the columns {', '.join(IMPORT_REQUIRED)}",
                                fix="Start from a file made by `observatory challenges export`."))
    today = today or date.today()
    existing = {models.reference(i) for i in session.scalars(select(models.Challenge.id))}
    ready, skipped = [], 0
    for row in table:
        ref = row.text("reference")
        if ref and ref in existing:
            skipped += 1
            continue
        form = {c: row.text(c) for c in intake.TEXT}
        form["type"] = row.text("type")
        consent = row.text("consent").lower()
        form["consent"] = "yes" if consent in ("", "yes", "true", "1") else "no"
        checked = intake.check(form, None, store, max_upload_kb, require_evidence=False)
        for column, problem in checked.errors.items():
            row.bad(column if column in table.header else None, problem, None, None)
        received = row.day("received_on") or today
        if received > today:
            row.bad("received_on", "the date is in the future.", "a date on or before today", None)
        if row.ok:
            ready.append((checked, received))
    table.done()
    for checked, received in ready:
        v = checked.values
        models.add(session, actor, place=checked.place or {}, code=v["type"], claimed=v["claimed"], found=v["found"],
                   evidence_text=v["evidence_text"], contact_name=v["contact_name"], contact_email=v["contact_email"],
                   contact_phone=v["contact_phone"], consent=v["consent"], received_on=received)
    return {"added": len(ready), "skipped": skipped}

