"""Demo register for the Full Fibre programme: REAL site locations, an ILLUSTRATIVE status history.

The programme connects "around 1,400 council buildings, schools and healthcare buildings". The
sites here are real public buildings of West Yorkshire from OpenStreetMap (the workspace's
data/sites/wy_osm_public_sites_2023.csv: (c) OpenStreetMap contributors, ODbL 1.0, see
data/SOURCES.md): every named town hall, hospital, clinic, GP surgery, library and community
centre, and schools drawn at random (seeded) to make 1,400 in all. Pharmacies, post offices,
colleges and universities are left out (not council or healthcare buildings of the programme).

Which of them are in the programme, and when each was planned, surveyed, built and lit (or
withdrawn, and why), is MADE UP: drawn from a seeded generator (SEED), so running the script twice
gives the same register. Every site and status carries `illustrative = true`, and the pages, API,
store figures and report say so. Suppliers are named "Supplier A/B (illustrative)"; funding
streams are the kinds of fund such programmes use, assigned at random.

Timeline: sites join the plan between April 2019 and June 2026; each then takes 2-6 months to
survey, 2-9 to start building, 3-12 to build and 0-3 to light; about 3% are withdrawn before being
lit, with a reason. Nothing is recorded after AS_OF (30 September 2026).

Run: `observatory sites seed-demo --if-empty` (an empty register only; `make records` does it).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from ..errors import InputError
from ..programme import models
from ..programme.premises import Premises
from ..programme.reach import to_bng
from ..programme.status import Change, check_next
from ..records.audit import record_change
from ..records.users import now
from ..sources import osm_sites
from ..workspace.schema import BUNDLED
from .identity import DEMO_NAME

ACTOR = "demo-seed"
SEED = 20190401
TARGET = 1400
AS_OF = date(2026, 9, 30)
SITES_FILE = Path("data/sites/wy_osm_public_sites_2023.csv")
# OpenStreetMap amenity -> programme kind (amenities not listed are not programme buildings)
KIND_OF = {"townhall": "town hall", "hospital": "hospital", "clinic": "clinic", "doctors": "GP surgery",
           "library": "library", "community_centre": "community centre", "school": "school"}
SUPPLIERS = (f"Supplier A ({DEMO_NAME}, illustrative)", f"Supplier B ({DEMO_NAME}, illustrative)")
FUNDING = ("Local Full Fibre Networks challenge fund", "Council capital programme", "Gigabit voucher scheme")
WITHDRAWAL_REASONS = ("Building closed", "Site sold by the council", "Connected by a commercial network first",
                      "Wayleave refused by the landowner")
PLAN_FROM, PLAN_TO = date(2019, 4, 1), date(2026, 6, 30)


def read_sites(workspace_root: Path) -> pd.DataFrame:
    """The demo's site locations: the workspace's copy, else the bundled demo workspace's (when the
    demo is seeded into another workspace on request)."""
    path = Path(workspace_root) / SITES_FILE
    if not path.exists() and (BUNDLED / SITES_FILE).exists():
        path = BUNDLED / SITES_FILE
    if not path.exists():
        raise InputError(path, "the demo's site locations are not there.",
                         fix="Restore data/sites/wy_osm_public_sites_2023.csv from the repository.")
    df = osm_sites.read_sites(path)  # the one reader of the sites file (empty cells are "")
    df = df[df["amenity_type"].isin(KIND_OF) & (df["name"] != "") & (df["lad_code"] != "")].copy()
    df["kind"] = df["amenity_type"].map(KIND_OF)
    df["osm"] = df["osm_id"].str.replace(".0", "", regex=False)
    df["osm_way"] = df["osm_way_id"].str.replace(".0", "", regex=False)
    return df.sort_values(["kind", "osm", "osm_way", "name"], kind="stable").reset_index(drop=True)


def choose(df: pd.DataFrame, rng: random.Random, target: int = TARGET) -> pd.DataFrame:
    """Every site of the kinds other than school, then schools at random up to the target."""
    others = df[df["kind"] != "school"]
    schools = df[df["kind"] == "school"]
    take = max(0, min(len(schools), target - len(others)))
    picked = sorted(rng.sample(range(len(schools)), take))
    return pd.concat([others, schools.iloc[picked]]).head(target).reset_index(drop=True)


def _after(day: date, rng: random.Random, lo_months: int, hi_months: int) -> date:
    return day + timedelta(days=rng.randint(lo_months * 30, hi_months * 30))


def history_for(rng: random.Random) -> list[Change]:
    """One site's illustrative history up to AS_OF."""
    planned = PLAN_FROM + timedelta(days=rng.randint(0, (PLAN_TO - PLAN_FROM).days))
    steps = [Change("planned", planned)]
    day = planned
    withdraw_at = rng.randint(1, 4) if rng.random() < 0.03 else None
    for i, (status, lo, hi) in enumerate((("surveyed", 2, 6), ("build in progress", 2, 9), ("built", 3, 12),
                                          ("lit", 0, 3)), start=1):
        day = _after(day, rng, lo, hi)
        if withdraw_at == i:
            steps.append(Change("withdrawn", day, rng.choice(WITHDRAWAL_REASONS)))
            break
        steps.append(Change(status, day))
    return [c for c in steps if c.on <= AS_OF]


def seed(session: Session, workspace_root: Path, premises: Premises | None = None,
         elsewhere: bool = False) -> dict[str, int]:
    """Add the demo register (the caller's transaction). Every history passes the status rules.
    `elsewhere`: in a workspace that is not the demo's, where each site's name also carries the
    demo's name (the name is what every list shows)."""
    rng = random.Random(SEED)
    sites = choose(read_sites(workspace_root), rng)
    xy = to_bng(sites["lon"].to_numpy(), sites["lat"].to_numpy())
    places = premises.locate(xy) if premises is not None else [
        {"district_code": c, "ward_code": ""} for c in sites["lad_code"]]
    numbers: dict[str, int] = {}
    n_status = 0
    for i, site in sites.iterrows():
        code = models.KIND_CODES[site["kind"]]
        numbers[code] = numbers.get(code, 0) + 1
        site_id = f"WY-{code}-{numbers[code]:04d}"
        osm = f"way {site['osm_way']}" if site["osm_way"] else f"node {site['osm']}"
        name = f"{DEMO_NAME}: {site['name']}" if elsewhere else str(site["name"])
        fields = {"name": name[:300], "kind": site["kind"], "lat": round(float(site["lat"]), 6),
                  "lon": round(float(site["lon"]), 6), "easting": round(float(xy[i, 0]), 1),
                  "northing": round(float(xy[i, 1]), 1), "postcode": "",
                  "district_code": places[i]["district_code"] or site["lad_code"], "ward_code": places[i]["ward_code"],
                  "supplier": rng.choice(SUPPLIERS), "funding_stream": rng.choice(FUNDING),
                  "notes": f"{DEMO_NAME}: location from OpenStreetMap {osm}, (c) OpenStreetMap contributors, "
                           "ODbL 1.0; programme membership and status history illustrative.", "illustrative": True}
        session.add(models.Site(id=site_id, created_at=now(), **fields))
        record_change(session, ACTOR, "programme_site", site_id, "create", None, fields)
        done: list[Change] = []
        for change in history_for(rng):
            check_next(done, change, where=f"demo site {site_id}")
            done.append(change)
            row = models.SiteStatus(site_id=site_id, status=change.status, date=change.on, reason=change.reason,
                                    author=ACTOR, recorded_at=now(), illustrative=True)
            session.add(row)
            record_change(session, ACTOR, "programme_site", site_id, "status", None,
                          {"status": change.status, "date": change.on, "reason": change.reason})
            n_status += 1
    session.flush()
    return {"sites": len(sites), "statuses": n_status, "lit": _count_lit(session)}


def _count_lit(session: Session) -> int:
    return sum(1 for s in models.list_sites(session) if s["status"] == "lit")


def has_sites(records) -> bool:  # noqa: ANN001 - records.db.Records
    with records.session() as s:
        return models.count_sites(s) > 0


