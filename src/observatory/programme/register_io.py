"""The site register to and from CSV, and out to GeoJSON.

One row per site. A site's status history is lossless in one row because a site passes each
status at most once, in a fixed order (programme.status): the columns planned ... lit hold the
date it reached each (empty if it skipped or has not reached it), withdrawn and withdrawn_reason
the withdrawal. So export -> import -> export gives the same bytes.

An import is checked completely before anything is written, then written in the caller's one
transaction: every bad cell is reported at once (sources.tabular), each by row (as a spreadsheet
numbers it, the header being row 1), column, what was expected and the fix, in one InputError
naming the file, and the database is left as it was.
A row whose id exists changes that site and may add later statuses; the history already recorded
is never changed or removed (a different date for a recorded status is refused).

District and ward are derived from the site's position (the nearest postcode of the store, see
premises.Premises.locate) whenever a store is at hand and has a postcode within 2 km; otherwise
(no store, or a site beyond the postcode lookup's areas, such as Todmorden's OL postcodes in the
demo) they are read as the file gives them.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer
from sqlalchemy.orm import Session

from ..errors import InputError
from ..records import csv_safe
from ..records.csv_io import read_import
from ..sources.tabular import Row
from . import models
from .premises import Premises, normalise_postcode
from .reach import to_bng
from .status import ORDER, WITHDRAWN, Change, check_next

STATUS_COLUMNS = {s: s.replace(" ", "_") for s in (*ORDER, WITHDRAWN)}
COLUMNS = ("id", "name", "kind", "lat", "lon", "easting", "northing", "postcode", "district_code", "ward_code",
           "supplier", "funding_stream", "notes", "illustrative", *STATUS_COLUMNS.values(), "withdrawn_reason")
REQUIRED = ("id", "name", "kind", "planned")
_TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
OSM_ATTRIBUTION = "Site locations (c) OpenStreetMap contributors, ODbL 1.0"


def _num(value: float | None, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"


# --- export --------------------------------------------------------------------------------

def _status_cells(site: dict[str, Any]) -> list[str]:
    dates = {c["status"]: c["date"] for c in site["history"]}
    reason = next((c["reason"] for c in site["history"] if c["status"] == WITHDRAWN), "")
    return [dates.get(s, "") for s in STATUS_COLUMNS] + [reason]


def export_csv(session: Session) -> str:
    buf = io.StringIO()
    w = csv_safe.writer(buf)
    w.writerow(COLUMNS)
    for s in models.list_sites(session):
        w.writerow([s["id"], s["name"], s["kind"], _num(s["lat"], 6), _num(s["lon"], 6), _num(s["easting"], 1),
                    _num(s["northing"], 1), s["postcode"], s["district_code"], s["ward_code"], s["supplier"],
                    s["funding_stream"], s["notes"], "yes" if s["illustrative"] else "no", *_status_cells(s)])
    return buf.getvalue()


def export_geojson(session: Session) -> str:
    """Sites as GeoJSON points (WGS84, RFC 7946), with status and history as properties."""
    features = []
    illustrative = False
    for s in models.list_sites(session):
        illustrative |= s["illustrative"]
        geometry = None if s["lat"] is None else {"type": "Point", "coordinates": [round(s["lon"], 6), round(s["lat"], 6)]}
        props = {k: s[k] for k in ("id", "name", "kind", "status", "status_date", "postcode", "district_code",
                                   "ward_code", "supplier", "funding_stream", "notes", "illustrative", "history")}
        features.append({"type": "Feature", "id": s["id"], "geometry": geometry, "properties": props})
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if illustrative:
        collection["illustrative"] = True
        # the demo's site names carry the demo's name (demo.identity); the register itself may not
        # import the demo (the import contracts), so the notice says what the marking means
        collection["notice"] = ("Illustrative register: the sites' statuses and dates were made up by the project's "
                                "seeded example script, not recorded by a council. " + OSM_ATTRIBUTION + ".")
    return json.dumps(collection, ensure_ascii=False, indent=1) + "\n"


# --- import --------------------------------------------------------------------------------

_SWAPPED = "Check the cell: latitude and longitude may be swapped, or the wrong column used."
_COORDINATES = (("lat", 49.0, 61.0, "a latitude in degrees between 49 and 61 (WGS84)"),
                ("lon", -9.0, 3.0, "a longitude in degrees between -9 and 3 (WGS84)"),
                ("easting", 0.0, 700000.0, "an easting in metres (British National Grid), 0 to 700000"),
                ("northing", 0.0, 1300000.0, "a northing in metres (British National Grid), 0 to 1300000"))


def _location(row: Row, premises: Premises | None) -> dict[str, Any] | None:
    """The site's place from its cells; None (each bad cell noted) when they do not give one."""
    before = row.table.problems.on_row(row.number)
    lat, lon, east, north = (row.numeric(column, expected=expected, lo=lo, hi=hi, outside="is outside Great Britain",
                                         outside_fix=_SWAPPED) for column, lo, hi, expected in _COORDINATES)
    for a, b in (("lat", "lon"), ("easting", "northing")):
        if (row.text(a) == "") != (row.text(b) == ""):
            missing = b if row.text(a) else a
            row.bad(missing, "the cell is empty but its pair is filled.", f"both {a} and {b}, or neither",
                    f"Fill in {missing}, or empty both.")
    if row.table.problems.on_row(row.number) > before:
        return None
    postcode = normalise_postcode(row.text("postcode")) if row.text("postcode") else ""
    if lat is None and east is not None:
        x, y = _TO_WGS84.transform(east, north)
        lon, lat = round(float(x), 6), round(float(y), 6)
    if lat is None and postcode:
        point = premises.point_of(postcode) if premises is not None else None
        if point is None:
            row.bad("postcode", f'"{postcode}" is not a postcode of this workspace.',
                    "a postcode in the workspace's postcode lookup, or coordinates",
                    "Check the postcode, or give lat and lon.")
            return None
        east, north = float(point[0]), float(point[1])
        x, y = _TO_WGS84.transform(east, north)
        lon, lat = round(float(x), 6), round(float(y), 6)
    if lat is None:
        row.bad("lat", "the site has no location.", "lat and lon, easting and northing, or a postcode",
                "Give the site's coordinates or postcode.")
        return None
    if east is None:
        east, north = (round(float(v), 1) for v in to_bng(lon, lat)[0])
    place = {"district_code": row.text("district_code"), "ward_code": row.text("ward_code")}
    if premises is not None:
        found = premises.locate(np.array([[east, north]]))[0]
        if found["district_code"]:  # else (no postcode of the lookup within 2 km) as the file gives them
            place = {"district_code": found["district_code"], "ward_code": found["ward_code"]}
    return {"lat": lat, "lon": lon, "easting": east, "northing": north, "postcode": postcode, **place}


def _history(row: Row, today: date) -> list[Change] | None:
    """The site's status changes from its cells; None (each bad cell noted) when they are not a history."""
    before = row.table.problems.on_row(row.number)
    changes = []
    for status, column in STATUS_COLUMNS.items():
        on = row.day(column, required=status == "planned")
        if on is None:
            continue
        if on > today:
            row.bad(column, f"{on} is in the future.", "a date on or before today",
                    "Record a status when it happens; leave the cell empty until then.")
        reason = row.text("withdrawn_reason") if status == WITHDRAWN else ""
        changes.append(Change(status, on, reason))
    if row.text("withdrawn_reason") and not row.text("withdrawn"):
        row.bad("withdrawn", "there is a withdrawn_reason but no withdrawn date.", "the date of withdrawal",
                "Give the date the site was withdrawn, or empty withdrawn_reason.")
    if row.table.problems.on_row(row.number) > before:
        return None
    done: list[Change] = []
    for change in changes:
        try:
            check_next(done, change)
        except InputError as exc:
            column = "withdrawn_reason" if "reason" in exc.problem else STATUS_COLUMNS[change.status]
            row.bad(column, exc.problem, "statuses dated in order: planned <= surveyed <= build in progress "
                    "<= built <= lit, or withdrawn (with a reason) before lit",
                    "Fix the dates so that each status comes on or after the one before.")
            return None
        done.append(change)
    return changes


def _recorded(row: Row, history: list[Change], recorded: list[dict[str, Any]]) -> bool:
    """The file keeps every status the register records, on its date (history is never rewritten)."""
    for old in recorded:
        column = STATUS_COLUMNS[old["status"]]
        given = next((c for c in history if c.status == old["status"]), None)
        if given is None or given.on.isoformat() != old["date"]:
            row.bad(column, f"the register records {old['status']} on {old['date']}; the history is "
                    "never changed or removed.", f"{old['date']}",
                    "Keep the recorded date; correct a mistake with a note, not by rewriting history.")
            return False
    return True


def import_csv(session: Session, actor: str, path: Path, premises: Premises | None = None,
               today: date | None = None) -> dict[str, int]:
    """Check every row (every bad cell is reported at once), then add or change the sites and
    append their new statuses."""
    today = today or date.today()
    table = read_import(path, COLUMNS, REQUIRED)
    parsed = []
    for row in table:
        site_id = row.text("id", True)
        if site_id and not models.SITE_ID.match(site_id):
            row.bad("id", f'"{site_id}" is not a site id.', "capital letters and digits in parts joined by '-', "
                    "e.g. WY-SCH-0001", "Fix the id.")
        fields = {"name": row.text("name", True), "kind": row.choice("kind", models.KINDS),
                  "supplier": row.text("supplier"), "funding_stream": row.text("funding_stream"),
                  "notes": row.text("notes"), "illustrative": row.flag("illustrative")}
        place = _location(row, premises)
        history = _history(row, today)
        if not row.ok or place is None or history is None:
            continue
        fields = {**fields, **place}
        existing = session.get(models.Site, site_id)
        recorded = models.get_site(session, site_id)["history"] if existing is not None else []
        if _recorded(row, history, recorded):
            known = {c["status"] for c in recorded}
            parsed.append((row, site_id, existing is not None, fields, [c for c in history if c.status not in known]))
    table.unique("id", "site", expected="each site once", fix="Merge the rows.")
    table.done()
    added = changed = appended = 0
    for row, site_id, exists, fields, new in parsed:
        if exists:
            models.edit_site(session, actor, site_id, **fields)
            changed += 1
        else:
            models.add_site(session, actor, site_id, **fields)
            added += 1
        for change in new:
            try:
                models.set_status(session, actor, site_id, change.status, change.on, change.reason,
                                  illustrative=fields["illustrative"], today=today, where=str(path))
            except InputError as exc:
                raise row.fail(STATUS_COLUMNS[change.status], exc.problem, "a status that follows the recorded one",
                               "Fix the row.") from None
            appended += 1
    return {"added": added, "changed": changed, "statuses": appended}
