"""A derived build step: backbone reach (indicator `backbone_reach`, method `modelled`) from the Full Fibre
programme register, for every ward, district and the region, at the end of every quarter of the
register's life and at its latest change.

Reach is modelled, not published: premises are the output areas' premises counts shared over
their postcodes, and a premises is reached when its postcode centroid is within the distance
([programme] reach_distance_m, default 200 m) of a site lit by that date, on the British National
Grid (programme.premises, programme.backbone). The figures are labelled synthetic (illustrative)
when the register is illustrative or the premises counts are.

The register lives in the records database. Without one (or with an empty register) the step
writes nothing and leaves a note for `observatory check`; a records database that needs a
migration is skipped the same way, never failing the build.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pandas as pd

from ..errors import ObservatoryError
from ..pipeline.state import FACT_COLUMNS, Build
from ..records.db import configured, describe_url, open_records
from ..workspace import Workspace
from . import backbone, models
from .premises import PREMISES_INDICATOR, from_frames
from .register_io import export_csv
from .trajectory import month_end

INDICATOR = "backbone_reach"
SOURCE = "programme-register"


def _skip(b: Build, why: str) -> None:
    b.finding("backbone-reach-skipped", SOURCE, why, 0)


def quarter_ends(first: date, last: date) -> list[date]:
    """The last day of each quarter from first's quarter up to before `last`, then `last`."""
    days = []
    y, q = first.year, (first.month - 1) // 3
    while True:
        end = month_end(date(y, 3 * q + 3, 1))
        if end >= last:
            break
        days.append(end)
        y, q = (y + 1, 0) if q == 3 else (y, q + 1)
    return [*days, last]


def _premises(b: Build):  # noqa: ANN202 - programme.premises.Premises | None
    areas = pd.concat(b.areas, ignore_index=True)
    postcodes = areas[areas["level"] == "postcode"][["code", "lon", "lat"]]
    if postcodes.empty or b.links is None:
        return None
    facts = pd.concat(b.facts, ignore_index=True) if b.facts else pd.DataFrame(columns=FACT_COLUMNS)
    oa = facts[(facts["level"] == "oa") & (facts["indicator"] == PREMISES_INDICATOR) & (facts["method"] == "published")]
    if oa.empty:
        return None
    latest = oa.sort_values("release").iloc[-1]
    oa = oa[oa["release_id"] == latest["release_id"]]
    links = b.links[b.links["parent_level"].isin(["oa", "ward", "lad"])]
    links = links[links["child"].isin(set(postcodes["code"]))]
    names = dict(zip(areas["code"], areas["name"], strict=False))
    return from_frames(postcodes, links, oa[["area_code", "denominator"]], b.ws.region_code, names,
                       release=str(latest["release_id"]), synthetic=bool(oa["synthetic"].any()))


def register_digest(ws: Workspace) -> str:
    """What the figures depend on in the records database: a digest of the register as exported
    (every site and status change), or "" without one. Part of the build's fingerprint, so a
    status change makes `observatory build` recompute reach instead of finding the store current."""
    if not configured(ws):
        return ""
    try:
        records = open_records(ws)
    except ObservatoryError:
        return ""
    try:
        with records.session() as s:
            return hashlib.sha256(export_csv(s).encode()).hexdigest()
    finally:
        records.dispose()


def add_backbone_reach(b: Build) -> None:
    if not configured(b.ws):
        _skip(b, "no records database, so no programme register: backbone reach not written")
        return
    try:
        records = open_records(b.ws)
    except ObservatoryError as exc:
        _skip(b, f"the records database could not be read ({exc}); backbone reach not written")
        return
    try:
        with records.session() as s:
            sites = models.list_sites(s)
            digest = hashlib.sha256(export_csv(s).encode()).hexdigest()
    finally:
        records.dispose()
    lit = [date.fromisoformat(c["date"]) for st in sites for c in st["history"] if c["status"] == "lit"]
    if not lit:
        _skip(b, "the programme register has no lit site yet: backbone reach not written")
        return
    premises = _premises(b)
    if premises is None:
        _skip(b, "no output-area premises counts or postcodes in this workspace: backbone reach not written")
        return
    cfg = b.ws.programme
    cov = backbone.Coverage(premises, backbone.Register.of(sites), cfg.reach_distance_m)
    last = max(date.fromisoformat(c["date"]) for st in sites for c in st["history"])
    synthetic = cov.register.illustrative or premises.synthetic
    areas = pd.concat(b.areas, ignore_index=True)
    region_level = next(iter(areas.loc[areas["code"] == b.ws.region_code, "level"]), "ca")
    frames = []
    for day, rows in backbone.reach_series(cov, quarter_ends(min(lit), last)).items():
        month = day.strftime("%Y-%m")
        rid = f"{SOURCE}-{month}"
        tidy = pd.DataFrame([{"area_code": r["code"], "level": region_level if r["level"] == "region" else r["level"],
                              "numerator": r["reached"], "denominator": r["premises"], "value": r["share"]}
                             for r in rows if r["share"] is not None])
        frames.append(tidy.assign(release_id=rid, release=month, indicator=INDICATOR, method="modelled",
                                  suppressed=False, synthetic=synthetic)[FACT_COLUMNS])
        b.releases.append({
            "release_id": rid, "source": SOURCE, "publisher": "Full Fibre programme register (records database)",
            "title": f"Backbone reach: premises within {cfg.reach_distance_m:g} m of a lit programme site, {month}"
                     + (" (illustrative register)" if cov.register.illustrative else ""),
            "as_of": month, "published": None,
            "licence": "Register: the council's records; site locations in the demo (c) OpenStreetMap contributors, "
                       "ODbL 1.0; premises counts as their source release",
            "attribution": "(c) OpenStreetMap contributors" if cov.register.illustrative else None,
            "origin": "modelled from the programme register and the premises counts (see the methodology)",
            "file": describe_url(records.url) if "sqlite" not in records.url else "records.sqlite",
            "files_used": json.dumps([premises.release]), "checksum": digest, "vintage": "Wards May 2025",
            "synthetic": synthetic, "rows": len(tidy),
            "notes": json.dumps([f"premises from {premises.release}, shared equally over each output area's postcodes",
                                 f"distance {cfg.reach_distance_m:g} m, straight line on the British National Grid"]),
        })
    b.facts.extend(frames)
