"""The site register to and from CSV, and out to GeoJSON.

One row per site. A site's status history is lossless in one row because a site passes each
status at most once, in a fixed order (programme.status): the columns planned ... lit hold the
date it reached each (empty if it skipped or has not reached it), withdrawn and withdrawn_reason
the withdrawal. So export -> import -> export gives the same bytes.

An import is checked completely before anything is written, then written in the caller's one
transaction: a bad cell is an InputError naming the file, row (as a spreadsheet numbers it, the
header being row 1), column, what was expected and the fix, and the database is left as it was.
A row whose id exists changes that site and may add later statuses; the history already recorded
is never changed or removed (a different date for a recorded status is refused).

District and ward are derived from the site's position (the nearest postcode of the store, see
premises.Premises.locate) whenever a store is at hand and has a postcode within 2 km; otherwise
(no store, or a site beyond the postcode lookup's areas, such as Todmorden's OL postcodes in the
demo) they are read as the file gives them.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer
from sqlalchemy.orm import Session

from ..errors import InputError
from ..records.csv_io import _rows
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
    w = csv.writer(buf, lineterminator="\n")
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
        collection["notice"] = ("Illustrative register: statuses and dates were made up by a seeded script "
                                "(observatory.demo.programme_demo). " + OSM_ATTRIBUTION + ".")
    return json.dumps(collection, ensure_ascii=False, indent=1) + "\n"


# --- import --------------------------------------------------------------------------------

def _float(row, column: str, lo: float, hi: float, expected: str) -> float | None:  # noqa: ANN001
    value = row.text(column)
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise row.fail(column, f'"{value}" is not a number.', expected, "Fix the cell.") from None
    if not lo <= number <= hi:
        raise row.fail(column, f"{number} is outside Great Britain.", expected,
                       "Check the cell: latitude and longitude may be swapped, or the wrong column used.")
    return number


def _location(row, premises: Premises | None) -> dict[str, Any]:  # noqa: ANN001
    lat = _float(row, "lat", 49.0, 61.0, "a latitude in degrees between 49 and 61 (WGS84)")
    lon = _float(row, "lon", -9.0, 3.0, "a longitude in degrees between -9 and 3 (WGS84)")
    east = _float(row, "easting", 0.0, 700000.0, "an easting in metres (British National Grid), 0 to 700000")
    north = _float(row, "northing", 0.0, 1300000.0, "a northing in metres (British National Grid), 0 to 1300000")
    postcode = normalise_postcode(row.text("postcode")) if row.text("postcode") else ""
    for a, b in (("lat", "lon"), ("easting", "northing")):
        if (row.text(a) == "") != (row.text(b) == ""):
            missing = b if row.text(a) else a
            raise row.fail(missing, "the cell is empty but its pair is filled.", f"both {a} and {b}, or neither",
                           f"Fill in {missing}, or empty both.")
    if lat is None and east is not None:
        x, y = _TO_WGS84.transform(east, north)
        lon, lat = round(float(x), 6), round(float(y), 6)
    if lat is None and postcode:
        point = premises.point_of(postcode) if premises is not None else None
        if point is None:
            raise row.fail("postcode", f'"{postcode}" is not a postcode of this workspace.',
                           "a postcode in the workspace's postcode lookup, or coordinates",
                           "Check the postcode, or give lat and lon.")
        east, north = float(point[0]), float(point[1])
        x, y = _TO_WGS84.transform(east, north)
        lon, lat = round(float(x), 6), round(float(y), 6)
    if lat is None:
        raise row.fail("lat", "the site has no location.", "lat and lon, easting and northing, or a postcode",
                       "Give the site's coordinates or postcode.")
    if east is None:
        east, north = (round(float(v), 1) for v in to_bng(lon, lat)[0])
    place = {"district_code": row.text("district_code"), "ward_code": row.text("ward_code")}
    if premises is not None:
        found = premises.locate(np.array([[east, north]]))[0]
        if found["district_code"]:  # else (no postcode of the lookup within 2 km) as the file gives them
            place = {"district_code": found["district_code"], "ward_code": found["ward_code"]}
    return {"lat": lat, "lon": lon, "easting": east, "northing": north, "postcode": postcode, **place}


def _history(row, today: date) -> list[Change]:  # noqa: ANN001
    changes = []
    for status, column in STATUS_COLUMNS.items():
        on = row.day(column, required=status == "planned")
        if on is None:
            continue
        if on > today:
            raise row.fail(column, f"{on} is in the future.", "a date on or before today",
                           "Record a status when it happens; leave the cell empty until then.")
        reason = row.text("withdrawn_reason") if status == WITHDRAWN else ""
        changes.append(Change(status, on, reason))
    if row.text("withdrawn_reason") and not row.text("withdrawn"):
        raise row.fail("withdrawn", "there is a withdrawn_reason but no withdrawn date.", "the date of withdrawal",
                       "Give the date the site was withdrawn, or empty withdrawn_reason.")
    done: list[Change] = []
    for change in changes:
        try:
            check_next(done, change)
        except InputError as exc:
            column = "withdrawn_reason" if "reason" in exc.problem else STATUS_COLUMNS[change.status]
            raise row.fail(column, exc.problem, "statuses dated in order: planned <= surveyed <= build in progress "
                           "<= built <= lit, or withdrawn (with a reason) before lit",
                           "Fix the dates so that each status comes on or after the one before.") from None
        done.append(change)
    return changes


def import_csv(session: Session, actor: str, path: Path, premises: Premises | None = None,
               today: date | None = None) -> dict[str, int]:
    """Check every row, then add or change the sites and append their new statuses."""
    today = today or date.today()
    parsed = []
    seen: dict[str, int] = {}
    for row in _rows(path, COLUMNS, REQUIRED):
        site_id = row.text("id", True)
        if not models.SITE_ID.match(site_id):
            raise row.fail("id", f'"{site_id}" is not a site id.', "capital letters and digits in parts joined by '-', "
                           "e.g. WY-SCH-0001", "Fix the id.")
        if site_id in seen:
            raise row.fail("id", f"{site_id} is also on row {seen[site_id]}.", "each site once", "Merge the two rows.")
        seen[site_id] = row.number
        fields = {"name": row.text("name", True), "kind": row.choice("kind", models.KINDS),
                  **_location(row, premises), "supplier": row.text("supplier"),
                  "funding_stream": row.text("funding_stream"), "notes": row.text("notes"),
                  "illustrative": row.flag("illustrative")}
        history = _history(row, today)
        existing = session.get(models.Site, site_id)
        recorded = models.get_site(session, site_id)["history"] if existing is not None else []
        for old in recorded:
            column = STATUS_COLUMNS[old["status"]]
            given = next((c for c in history if c.status == old["status"]), None)
            if given is None or given.on.isoformat() != old["date"]:
                raise row.fail(column, f"the register records {old['status']} on {old['date']}; the history is "
                               "never changed or removed.", f"{old['date']}",
                               "Keep the recorded date; correct a mistake with a note, not by rewriting history.")
        known = {c["status"] for c in recorded}
        parsed.append((row, site_id, existing is not None, fields, [c for c in history if c.status not in known]))
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
