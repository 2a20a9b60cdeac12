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

The figures follow the register without a rebuild: `STEP` is handed to the pipeline by the
application object, and when a status change is committed the stored figures are recomputed from
the built store's premises and the register as it is now (pipeline.derived.refresh), so the map,
the downloads, `observatory figures` and the metric agree with /programme at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ObservatoryError
from ..months import month_end
from ..pipeline.derived import Derived, Rows
from ..records.where import configured, workspace_sqlite
from ..store import Store
from ..store.schema import FACT_COLUMNS
from ..workspace import Workspace

if TYPE_CHECKING:
    from ..pipeline.state import Build

# pandas, the premises model, the records database and the register's tables are imported where
# the figures are computed or the register read: `observatory build` with nothing changed asks
# only for the register's digest, and a workspace without records never needs them.

INDICATOR = "backbone_reach"
SOURCE = "programme-register"
# The records change key a site's write advances: the audit entity of a site (programme.models).
SITE_CHANGES = "programme_site"


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
    # deferred: start-up (see the note at the imports)
    import pandas as pd

    from .premises import PREMISES_INDICATOR, from_frames

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
    oa_points = areas[areas["level"] == "oa"][["code", "lon", "lat"]]
    links = b.links[b.links["parent_level"].isin(["oa", "ward", "lad"])]
    links = links[links["child"].isin(set(postcodes["code"]) | set(oa_points["code"]))]
    names = dict(zip(areas["code"], areas["name"], strict=False))
    return from_frames(postcodes, links, oa[["area_code", "denominator"]], b.ws.region_code, names,
                       release=str(latest["release_id"]), synthetic=bool(oa["synthetic"].any()),
                       oa_points=oa_points)


def digest(sites: list[dict]) -> str:
    """What the figures are derived from: every site, its position and its whole history."""
    return hashlib.sha256(json.dumps(sites, sort_keys=True, default=str).encode()).hexdigest()


def _register(ws: Workspace) -> tuple[list[dict] | None, str, str]:
    """The register's sites (None without a readable register), their digest, and the records
    database's name for the releases table or why there is no register."""
    if not configured(ws):
        return None, "", "no records database, so no programme register: backbone reach not written"
    # deferred: start-up (see the note at the imports)
    from ..records.db import describe_url, open_records
    from . import models

    try:
        records = open_records(ws)
    except ObservatoryError as exc:
        return None, "", f"the records database could not be read ({exc}); backbone reach not written"
    try:
        with records.session() as s:
            sites = models.list_sites(s)
    finally:
        records.dispose()
    where = describe_url(records.url) if "sqlite" not in records.url else "records.sqlite"
    return sites, digest(sites), where


def register_digest(ws: Workspace) -> str:
    """What the figures depend on in the records database: a digest of the register (every site
    and status change), or "" without one. Part of the build's fingerprint, so a status change
    makes `observatory build` recompute reach instead of finding the store current.

    Reading the register means loading the database library and opening the database, most of an
    unchanged build's second. For the workspace's own SQLite file the digest is remembered beside
    the store with the file's state (size and modification time, and its write-ahead log's), and
    reused while the state is the same. As git does for its index ("racy git"), a state is only
    remembered once it is RACY_S old: a write in the same tick of the file system's clock as the
    one before it, which could leave the state unchanged, then cannot have come after the digest."""
    sqlite = workspace_sqlite(ws)
    if sqlite is None or not sqlite.exists():  # a database elsewhere is read each time; none: ""
        return _register(ws)[1]
    memo = ws.store_path.parent / REGISTER_MEMO
    state = _file_state(sqlite)
    try:
        kept = json.loads(memo.read_text(encoding="utf-8"))
        if kept["state"] == state:
            return kept["digest"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    digest = _register(ws)[1]
    if state and time.time() - max(part[1] for part in state) / 1e9 > RACY_S:
        with contextlib.suppress(OSError):  # no build folder yet, or a read-only one: not kept
            tmp = memo.with_name(f"{memo.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"state": state, "digest": digest}), encoding="utf-8")
            os.replace(tmp, memo)
    return digest


# Beside the store: the register's digest and the SQLite file's state it was read from.
REGISTER_MEMO = ".register-digest.json"
# How old the file's last write must be before its state is trusted to mark the digest (seconds):
# well above any file system's timestamp granularity (ext4 and XFS: a clock tick; FAT: 2 s).
RACY_S = 3.0


def _file_state(sqlite: Path) -> list[list[int]]:
    """Size and modification time of the database file (and its inode: a file copied or restored
    over it is another file) and of its write-ahead log, where SQLite writes each commit first
    (made anew as the database is opened, so its inode is left out); [] when the file is missing."""
    try:
        st = sqlite.stat()
    except FileNotFoundError:
        return []
    state = [[st.st_size, st.st_mtime_ns, st.st_ino]]
    with contextlib.suppress(FileNotFoundError):
        wal = sqlite.with_name(sqlite.name + "-wal").stat()
        state.append([wal.st_size, wal.st_mtime_ns])
    return state


def _figures(ws: Workspace, sites: list[dict], stamp: str, where: str, premises, region_level: str) -> Rows:  # noqa: ANN001
    """The stored figures: reach for every ward, district and the region at the end of every
    quarter of the register's life and on the day of its latest change."""
    # deferred: start-up (see the note at the imports)
    import pandas as pd

    from . import backbone

    lit = [date.fromisoformat(c["date"]) for st in sites for c in st["history"] if c["status"] == "lit"]
    if not lit:
        return Rows(stamp, findings=[_skipped("the programme register has no lit site yet: backbone reach not written")])
    if premises is None or not len(premises.count) or premises.total <= 0:
        # a district-only workspace (no small-area release, no postcodes): nothing to place premises at
        return Rows(stamp, findings=[_skipped("no output-area premises counts or postcodes in this workspace: "
                                              "backbone reach not written")])
    cfg = ws.programme
    cov = backbone.Coverage(premises, backbone.Register.of(sites), cfg.reach_distance_m)
    last = max(date.fromisoformat(c["date"]) for st in sites for c in st["history"])
    synthetic = cov.register.illustrative or premises.synthetic
    frames, releases = [], []
    for day, rows in backbone.reach_series(cov, quarter_ends(min(lit), last)).items():
        month = day.strftime("%Y-%m")
        rid = f"{SOURCE}-{month}"
        tidy = pd.DataFrame([{"area_code": r["code"], "level": region_level if r["level"] == "region" else r["level"],
                              "numerator": r["reached"], "denominator": r["premises"], "value": r["share"]}
                             for r in rows if r["share"] is not None])
        if tidy.empty:
            continue
        frames.append(tidy.assign(release_id=rid, release=month, indicator=INDICATOR, method="modelled",
                                  suppressed=False, synthetic=synthetic)[FACT_COLUMNS])
        releases.append({
            "release_id": rid, "source": SOURCE, "publisher": "Full Fibre programme register (records database)",
            "title": f"Backbone reach: premises within {cfg.reach_distance_m:g} m of a lit programme site, "
                     f"on {day.day} {day:%B %Y}" + (" (illustrative register)" if cov.register.illustrative else ""),
            "as_of": month, "published": None,
            "licence": ("Register: illustrative, site locations © OpenStreetMap contributors, ODbL 1.0"
                        if cov.register.illustrative else "Register: the council's own records")
                       + "; premises counts as their source release",
            "attribution": "(c) OpenStreetMap contributors" if cov.register.illustrative else None,
            "origin": "modelled from the programme register and the premises counts (see the methodology)",
            "file": where, "files_used": json.dumps([premises.release]), "checksum": stamp,
            "vintage": "Wards May 2025", "synthetic": synthetic, "rows": len(tidy),
            "notes": json.dumps([f"premises from {premises.release}, shared equally over each output area's postcodes",
                                 f"distance {cfg.reach_distance_m:g} m, straight line on the British National Grid"]),
        })
    findings = []
    if premises.areas_at_point:
        findings.append(("backbone-reach-area-points", "oa",
                         f"output areas with no postcode in the postcode file: their {premises.at_area_point:,.0f} "
                         "premises placed at the output area's own point", premises.areas_at_point))
    if not frames:
        return Rows(stamp, findings=[_skipped("no premises in reach of any area: backbone reach not written")])
    return Rows(stamp, pd.concat(frames, ignore_index=True), releases, findings)


def _skipped(why: str) -> tuple[str, str, str, int]:
    return ("backbone-reach-skipped", SOURCE, why, 0)


def add_backbone_reach(b: Build) -> None:
    """The build's step: reach written with the other figures, before suppression."""
    # deferred: start-up (see the note at the imports)
    import pandas as pd

    sites, stamp, where = _register(b.ws)
    if sites is None:
        b.finding(*_skipped(where)[:3], 0)
        return
    areas = pd.concat(b.areas, ignore_index=True)
    region_level = next(iter(areas.loc[areas["code"] == b.ws.region_code, "level"]), "ca")
    rows = _figures(b.ws, sites, stamp, where, _premises(b), region_level)
    if not rows.facts.empty:
        b.facts.append(rows.facts)
    b.releases.extend(rows.releases)
    for kind, subject, detail, count in rows.findings:
        b.finding(kind, subject, detail, count)


def rows_from_store(ws: Workspace, store: Store, stamp: str | None) -> Rows | None:
    """The figures again, from a built store and the register as it is now; None when the store
    already holds them for this register (`stamp`)."""
    # deferred: start-up (see the note at the imports)
    from .premises import from_store

    sites, now, where = _register(ws)
    if sites is None:
        return None if not stamp else Rows("", findings=[_skipped(where)])
    if now == stamp:
        return None
    return _figures(ws, sites, now, where, from_store(store), _region_level(store, ws.region_code))


def _region_level(store: Store, code: str) -> str:
    with store.cursor() as cur:
        row = cur.execute("SELECT level FROM areas WHERE code = ?", [code]).fetchone()
    return row[0] if row else "ca"


STEP = Derived(name=INDICATOR, add=add_backbone_reach, depends=register_digest, rows=rows_from_store,
               source=SOURCE, findings=("backbone-reach-skipped", "backbone-reach-area-points"),
               counter=SITE_CHANGES)
