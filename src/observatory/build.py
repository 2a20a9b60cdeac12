"""The pipeline: a workspace's sources -> one fact store, written atomically.

`run()` reads like the build it performs: read boundaries, place areas in each other, read each
source, roll figures up, mark small cells, record what check should report, then write the store to
a temporary file and rename it over the old one. A failure or a kill at any point before the rename
leaves the previous store as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from . import __version__
from .errors import ConfigError, InputError
from .geography.code_history import PREDECESSORS, RECODED, SUCCESSOR
from .geography.membership import Layers, district_links, extend_upwards
from .indicators.definitions import INDICATORS
from .indicators.rollup import nearest_weights, roll_up, roll_up_weighted
from .levels import NATIONS, UK
from .sources import ofcom, ons
from .sources.boundaries import read_boundaries
from .sources.postcodes import read_postcodes
from .sources.tabular import read_bytes
from .store import SCHEMA
from .workspace import Source, Workspace
from .workspace import load as load_workspace

FACT_COLUMNS = [
    "release_id", "release", "area_code", "level", "indicator", "numerator", "denominator",
    "value", "method", "suppressed", "synthetic",
]
# Map geometry is simplified per level so a whole layer stays small enough to draw in a browser;
# tolerances in degrees (0.0001 deg is about 7 m north-south here).
SIMPLIFY = {"oa": 0.00008, "lsoa": 0.00015, "msoa": 0.0002, "ward": 0.0002, "lad": 0.0008}

Progress = Callable[[str], None]


@dataclass
class Build:
    """Everything the build gathers before it writes the store."""

    ws: Workspace
    areas: list[pd.DataFrame] = field(default_factory=list)
    shapes: list[pd.DataFrame] = field(default_factory=list)
    links: pd.DataFrame | None = None
    facts: list[pd.DataFrame] = field(default_factory=list)
    releases: list[dict] = field(default_factory=list)
    findings: list[tuple[str, str, str, int]] = field(default_factory=list)
    layers: Layers | None = None

    def finding(self, kind: str, subject: str, detail: str, count: int) -> None:
        self.findings.append((kind, subject, detail, int(count)))


STEPS = (
    "Reading boundaries",
    "Placing areas in their parents",
    "Placing postcodes",
    "Reading coverage sources",
    "Rolling figures up",
    "Writing the store",
)


def run(workspace: Workspace | str | Path | None = None, progress: Progress | None = None,
        out: Path | None = None) -> Path:
    """Build the store for a workspace; returns the store's path."""
    ws = workspace if isinstance(workspace, Workspace) else load_workspace(workspace)
    step = progress or (lambda name: None)
    b = Build(ws)
    step(STEPS[0])
    _read_boundaries(b)
    step(STEPS[1])
    _place_areas(b)
    step(STEPS[2])
    _place_postcodes(b)
    step(STEPS[3])
    for source in ws.sources:
        _READERS[source.kind](b, source)
    step(STEPS[4])
    _roll_up(b)
    _suppress(b)
    step(STEPS[5])
    return _write(b, out or ws.store_path)


def fingerprint(ws: Workspace) -> str:
    """Changes whenever a source file, the configuration or the observatory's version changes."""
    h = hashlib.sha256(__version__.encode())
    for f in ws.input_files():
        st = f.stat()
        h.update(f"{f}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def is_current(ws: Workspace) -> bool:
    if not ws.store_path.exists():
        return False
    try:
        con = duckdb.connect(str(ws.store_path), read_only=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        finally:
            con.close()
    except duckdb.Error:
        return False
    return bool(row) and row[0] == fingerprint(ws)


def ensure_built(workspace: Workspace | str | Path | None = None, progress: Progress | None = None) -> Path:
    """The store's path, building it first if it is missing or older than its sources."""
    ws = workspace if isinstance(workspace, Workspace) else load_workspace(workspace)
    if not is_current(ws):
        run(ws, progress)
    return ws.store_path


# -- boundaries and membership -------------------------------------------------------------------
def _read_boundaries(b: Build) -> None:
    layers = {}
    for level, spec in b.ws.boundaries.items():
        layer = read_boundaries(spec)
        layers[level] = layer
        if layer.repaired:
            b.finding("geometry-repaired", spec.file.name,
                      f"{level} polygons that were invalid (self-intersecting after generalisation) "
                      "and were repaired with make_valid", layer.repaired)
        if layer.reprojected_from:
            b.finding("reprojected", spec.file.name, f"reprojected from {layer.reprojected_from} to EPSG:4326", 1)
        points = shapely.point_on_surface(layer.geometry)
        b.areas.append(pd.DataFrame({
            "code": layer.codes, "name": layer.names, "level": level, "vintage": layer.vintage,
            "lon": shapely.get_x(points), "lat": shapely.get_y(points),
            "geometry": shapely.to_wkb(layer.geometry),
        }))
        simple = shapely.coverage_simplify(layer.geometry, SIMPLIFY[level]) if level != "lad" else \
            shapely.simplify(layer.geometry, SIMPLIFY[level], preserve_topology=True)
        b.shapes.append(pd.DataFrame({"code": layer.codes, "level": level,
                                      "geometry": shapely.to_wkb(simple)}))
    b.layers = Layers(layers)


def _place_areas(b: Build) -> None:
    ws = b.ws
    lads = list(b.layers.layers["lad"].codes)
    links = b.layers.best_fit_links()
    upper = district_links(lads, ws.region_code, ws.districts)
    b.links = pd.concat([extend_upwards(links, upper), upper], ignore_index=True)
    fixed = [(ws.region_code, ws.region_name, "ca", "CA 2025")] if ws.region_code else []
    fixed += [(code, name, "nation", "") for code, name in NATIONS.values()] + [(*UK, "uk", "")]
    region = b.layers.layers["lad"]
    in_region = np.isin(region.codes, ws.districts)
    ca_shape = shapely.union_all(region.geometry[in_region]) if in_region.any() else None
    b.areas.append(pd.DataFrame({
        "code": [f[0] for f in fixed], "name": [f[1] for f in fixed], "level": [f[2] for f in fixed],
        "vintage": [f[3] for f in fixed], "lon": np.nan, "lat": np.nan,
        "geometry": [shapely.to_wkb(ca_shape) if ca_shape is not None and f[2] == "ca" else None for f in fixed],
    }))
    unknown = set(ws.districts) - set(lads)
    if unknown:
        raise ConfigError(
            f"{ws.config_path}: [workspace].districts names {sorted(unknown)[0]}, which is not a district in "
            f"{ws.boundaries['lad'].file.name}. Fix the code, or use district boundaries that hold it."
        )
    for level in ("oa", "lsoa", "msoa", "ward"):
        if level not in b.layers.layers:
            continue
        layer = b.layers.layers[level]
        placed = links[(links["parent_level"] == "lad")]
        outside = len(layer.codes) - _isin(placed["child"], layer.codes).sum()
        if outside:
            b.finding("unplaced-area", level, f"{level} areas whose representative point lies in no district", outside)
        b.finding("vintage", level,
                  f"{layer.vintage} areas placed in LAD 2025 districts by best fit of a representative point",
                  len(layer.codes))


def _place_postcodes(b: Build) -> None:
    if b.ws.postcodes is None:
        return
    pcs = read_postcodes(read_bytes(b.ws.postcodes), b.ws.postcodes.name)
    links = b.layers.point_links(pcs["postcode"].to_numpy(), pcs["lon"].to_numpy(), pcs["lat"].to_numpy())
    in_region = links[(links["parent_level"] == "lad") & _isin(links["parent"], b.ws.districts)]["child"]
    keep = _isin(pcs["postcode"], in_region)
    unlocated = int(pcs["lat"].isna().sum())
    b.finding("unlocated-postcode", b.ws.postcodes.name,
              "postcodes with no coordinates in the lookup (NSPL gives them no grid reference)", unlocated)
    b.finding("postcode-outside-region", b.ws.postcodes.name,
              "postcodes whose centroid lies outside the region's districts (left out)",
              int((~keep & pcs["lat"].notna()).sum()))
    links = links[_isin(links["child"], pcs["postcode"][keep])]
    upper = b.links[_isin(b.links["child"], b.ws.districts)]
    b.links = pd.concat([b.links, extend_upwards(links, upper)], ignore_index=True)
    kept = pcs[keep]
    b.areas.append(pd.DataFrame({
        "code": kept["postcode"], "name": kept["postcode"], "level": "postcode", "vintage": "NSPL May 2025",
        "lon": kept["lon"], "lat": kept["lat"], "geometry": None,
    }))


# -- sources -------------------------------------------------------------------------------------
def _isin(values: pd.Series, allowed) -> np.ndarray:
    """Series.isin, via Arrow: pandas' own isin on Arrow-backed strings is ~10x slower here."""
    allowed = pa.array(list(allowed) if isinstance(allowed, set) else pd.Series(allowed).astype(str))
    return pc.is_in(pa.array(values.astype(str)), value_set=allowed).to_numpy(zero_copy_only=False)


def _checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _release(b: Build, source: Source, release_id: str, as_of: str | None, rows: int,
             files_used: list[str] | None = None, vintage: str | None = None) -> None:
    b.releases.append({
        "release_id": release_id, "source": source.key, "publisher": source.publisher,
        "title": source.title, "as_of": as_of, "published": source.published,
        "licence": source.licence, "attribution": source.attribution, "origin": source.origin,
        "file": str(source.file.relative_to(b.ws.root)) if source.file.is_relative_to(b.ws.root) else str(source.file),
        "files_used": json.dumps(files_used or [source.file.name]), "checksum": _checksum(source.file),
        "vintage": vintage or source.vintage, "synthetic": source.synthetic, "rows": rows,
    })


def _add_facts(b: Build, tidy: pd.DataFrame, release_id: str, release: str, level: str,
               synthetic: bool, method: str = "published") -> None:
    b.facts.append(tidy.assign(release_id=release_id, release=release, level=level, method=method,
                               suppressed=False, synthetic=synthetic)[FACT_COLUMNS])


def _district_codes(b: Build, tidy: pd.DataFrame, name: str) -> pd.DataFrame:
    """Apply the workspace's code changes; refuse codes that are not districts at all."""
    tidy = _recode(b, tidy)
    known = set(b.layers.layers["lad"].codes)
    unknown = ~_isin(tidy["area_code"], known)
    if unknown.any():
        i = int(np.argmax(unknown))
        code = tidy["area_code"].iloc[i]
        raise InputError(
            name, f'"{code}" is not a district in the workspace\'s district boundaries.',
            row=int(tidy["row"].iloc[i]),
            column="laua", expected="a LAD 2025 code such as E08000035",
            fix="Fix the code, or map an old code to its successor in [code_changes] of observatory.toml.",
        )
    return tidy


def _read_laua(b: Build, source: Source) -> None:
    name = source.file.name
    tidy = _district_codes(b, ofcom.read_laua(read_bytes(source.file), name), name)
    rid = source.key
    _release(b, source, rid, source.as_of, int(len(tidy) / len(ofcom.COUNTED)), vintage="LAD 2025")
    _add_facts(b, tidy, rid, source.as_of, "lad", source.synthetic)


def _read_takeup(b: Build, source: Source) -> None:
    name = source.file.name
    tidy = _district_codes(b, ofcom.read_takeup(read_bytes(source.file), name), name)
    _release(b, source, source.key, source.as_of, int(len(tidy) / 2), vintage="LAD 2025")
    _add_facts(b, tidy, source.key, source.as_of, "lad", source.synthetic)


def _recode(b: Build, tidy: pd.DataFrame) -> pd.DataFrame:
    """Old district codes to current ones (ONS Code History, plus the workspace's own changes)."""
    return tidy.assign(area_code=tidy["area_code"].replace({**RECODED, **b.ws.code_changes}))


def _read_ons_series(b: Build, source: Source) -> None:
    name = source.file.name
    districts, upper = ons.read_gigabit_series(read_bytes(source.file), name)
    recoded = _recode(b, districts)
    # ONS lists a recoded district under both codes for a while: keep the row under the current code.
    current_first = recoded.assign(_old=recoded["area_code"] != districts["area_code"]).sort_values(
        ["_old", "row"], kind="stable")
    districts = current_first.drop_duplicates(["area_code", "release"]).drop(columns="_old").sort_values("row")
    if len(districts) < len(recoded):
        b.finding("recoded-duplicate", name, "rows under a district's old code left out: the same "
                  "district and period is given under its current code", len(recoded) - len(districts))
    if len(upper):
        b.finding("upper-tier-skipped", name,
                  "county rows left out: upper-tier areas overlap the districts inside them", len(upper))
    known = set(b.layers.layers["lad"].codes)
    retired = districts[~_isin(districts["area_code"], known)].drop_duplicates("area_code")
    if len(retired):
        # Districts abolished before LAD 2025 (the 2023 Cumbria, North Yorkshire and Somerset
        # reorganisations): kept as areas of their own vintage, listed by check.
        b.areas.append(pd.DataFrame({
            "code": retired["area_code"], "name": retired["area_name"], "level": "lad",
            "vintage": "LAD (abolished before 2025)", "lon": np.nan, "lat": np.nan, "geometry": None,
        }))
        b.finding("vintage", name, "district codes in the series that are not LAD 2025 districts "
                  "(abolished); shown as published", len(retired))
        nations = district_links(list(retired["area_code"]), None, ())
        b.links = pd.concat([b.links, nations[_isin(nations["child"], retired["area_code"])]], ignore_index=True)
    for month, part in districts.groupby("release", sort=True):
        rid = f"{source.key}-{month}"
        _release(b, source, rid, month, len(part), vintage="LAD (as published)")
        _add_facts(b, part.drop(columns="release"), rid, month, "lad", source.synthetic)


def _read_small_areas(b: Build, source: Source) -> None:
    release = ofcom.read_small_area_zip(source.file)
    as_of = source.as_of or release.month
    files = release.files_used
    if release.files_superseded:
        b.finding("revision-superseded", source.file.name,
                  "older revisions in the ZIP not read: " + ", ".join(release.files_superseded),
                  len(release.files_superseded))
    if release.oa is not None:
        oa = release.oa
        known = set(b.layers.layers["oa"].codes) if "oa" in b.layers.layers else set()
        present = _isin(oa["area_code"], known)
        codes_in_file = set(oa["area_code"])
        covered = len(known & codes_in_file)
        if known and covered < 0.5 * len(known):
            raise InputError(
                source.file.name,
                f"only {covered} of the {len(known)} output areas in the boundaries have a row in the "
                "output-area file: its codes are another vintage than the boundaries.",
                column="output_area", expected=f"output-area codes of vintage {source.vintage}",
                fix="Set vintage in [[sources]] to the release's vintage and use boundaries of the same vintage.",
            )
        if len(known - codes_in_file):
            b.finding("vintage", source.file.name, "output areas in the boundaries with no row in the release",
                      len(known - codes_in_file))
        _add_facts(b, oa[present], source.key, as_of, "oa", source.synthetic)
    if release.postcodes is not None:
        pcs = release.postcodes
        in_region = _isin(pcs["area_code"], b.links["child"])
        not_in_lookup = pcs.loc[~in_region, "area_code"].nunique()
        b.finding("postcode-not-placed", source.file.name,
                  "postcodes in the release not placed in the region (outside it, or unlocated in the lookup)",
                  not_in_lookup)
        _add_facts(b, pcs[in_region], source.key, as_of, "postcode", source.synthetic)
    _release(b, source, source.key, as_of, sum(len(f) for f in b.facts[-2:]), files, vintage=source.vintage)


_READERS = {
    "ofcom-laua-coverage": _read_laua,
    "ofcom-full-fibre-takeup": _read_takeup,
    "ons-gigabit-series": _read_ons_series,
    "ofcom-small-area-zip": _read_small_areas,
}


# -- roll-ups and suppression -------------------------------------------------------------------
def _roll_up(b: Build) -> None:
    facts = pd.concat(b.facts, ignore_index=True)
    links = b.links
    published = facts[facts["method"] == "published"]
    # Small areas: output-area counts up to LSOA, MSOA, ward and district (never postcodes: they
    # carry percentages only).
    oa = published[published["level"] == "oa"]
    if len(oa):
        oa_links = links[_isin(links["child"], oa["area_code"]) & _isin(links["parent_level"], ["lsoa", "msoa", "ward", "lad"])]
        for rid, part in oa.groupby("release_id"):
            _add_rolled(b, roll_up(part, oa_links), rid)
    # Districts up to the combined authority, nations and the UK, from the districts' own figures.
    lad = published[published["level"] == "lad"]
    lad_links = links[_isin(links["child"], lad["area_code"]) & _isin(links["parent_level"], ["ca", "nation", "uk"])]
    counted = lad.dropna(subset=["numerator", "denominator"])
    for rid, part in counted.groupby("release_id"):
        _add_rolled(b, roll_up(part, lad_links), rid)
    # Percentages without counts: weight by the nearest release's counts.
    pct_only = lad[lad["numerator"].isna()]
    all_premises = counted[counted["indicator"] == "sfbb"][["area_code", "release", "denominator"]]
    weights_by_denominator = {
        # take-up of full-fibre coverage is over premises with full fibre available
        "full_fibre_takeup": counted[counted["indicator"] == "full_fibre"][["area_code", "release", "numerator"]]
        .rename(columns={"numerator": "weight"}),
    }
    for ind, part in pct_only.groupby("indicator"):
        w = weights_by_denominator.get(ind, all_premises.rename(columns={"denominator": "weight"}))
        with_w = nearest_weights(part, _with_predecessor_weights(w))
        for rid, rpart in with_w.groupby("release_id"):
            rpart = _without_superseded(b, rpart, rid)
            rolled, missing = roll_up_weighted(rpart, lad_links)
            _add_rolled(b, rolled, rid)
            if len(missing):
                b.finding("no-weight", rid,
                          f"districts with {ind} but no premises count in any release, left out of parents",
                          missing["child"].nunique())
            approximated = rpart["area_code"].isin(SUCCESSOR).sum()
            if approximated:
                b.finding("approximated-weight", rid,
                          f"abolished districts in the {ind} parents, each weighted by an equal share of "
                          "its successor's premises count (their own counts were never published)",
                          approximated)


def _with_predecessor_weights(weights: pd.DataFrame) -> pd.DataFrame:
    """Weights for districts abolished in 2023: an equal share of their successor's count.

    Ofcom never published premises counts for them on their own; an equal share keeps the
    successor's total right and errs only in the split between predecessors.
    """
    rows = []
    for old, new in SUCCESSOR.items():
        successor = weights[weights["area_code"] == new]
        rows.append(successor.assign(area_code=old, weight=successor["weight"] / len(PREDECESSORS[new])))
    return pd.concat([weights, *rows], ignore_index=True)


def _without_superseded(b: Build, part: pd.DataFrame, release_id: str) -> pd.DataFrame:
    """A release that gives both abolished districts and their successor counts only the successor."""
    present = set(part["area_code"])
    superseded = part["area_code"].map(lambda c: SUCCESSOR.get(c) in present)
    if superseded.any():
        b.finding("superseded-district", release_id, "abolished districts given beside their successor: "
                  "shown as published, left out of parents so no premises count twice", int(superseded.sum()))
    return part[~superseded.to_numpy()]


def _add_rolled(b: Build, rolled: pd.DataFrame, release_id: str) -> None:
    if rolled.empty:
        return
    b.facts.append(rolled.assign(release_id=release_id, suppressed=False)[FACT_COLUMNS])


def _suppress(b: Build) -> None:
    threshold = b.ws.suppress_below
    facts = pd.concat(b.facts, ignore_index=True)
    small = facts["denominator"].notna() & (facts["denominator"] < threshold)
    facts["suppressed"] = small
    b.facts = [facts]
    if small.any():
        for level, n in facts[small].groupby("level")["area_code"].nunique().items():
            b.finding("suppressed", level,
                      f"areas with fewer than {threshold} premises: figures suppressed, still counted in parents", n)


# -- writing -------------------------------------------------------------------------------------
def _write(b: Build, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(f".{out.name}.*.tmp*"):  # and its .wal
        stale.unlink(missing_ok=True)  # left by a build that was killed
    tmp = out.parent / f".{out.name}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        con.execute(SCHEMA)
        areas = pd.concat(b.areas, ignore_index=True).drop_duplicates("code")
        _insert(con, "areas", areas)
        _insert(con, "shapes", pd.concat(b.shapes, ignore_index=True))
        links = b.links.drop_duplicates(["child", "parent"])
        # Stored sorted by the column readers filter on, so DuckDB's per-row-group min/max
        # (zone maps) skip most of the table for one area's figures or parents.
        _insert(con, "membership", links, order="child, parent_level")
        _insert(con, "facts", pd.concat(b.facts, ignore_index=True), order="area_code, indicator, release")
        _insert(con, "releases", pd.DataFrame(b.releases))
        _insert(con, "indicators", pd.DataFrame([{
            "id": i.id, "label": i.label, "unit": i.unit, "definition": i.definition,
            "citation": i.citation, "threshold": i.threshold, "direction": i.direction,
            "finest_level": i.finest_level, "has_counts": i.has_counts,
        } for i in INDICATORS.values()]))
        _insert(con, "findings", pd.DataFrame(b.findings, columns=["kind", "subject", "detail", "count"]))
        meta = {"fingerprint": fingerprint(b.ws), "workspace": b.ws.name, "built": time.strftime("%Y-%m-%dT%H:%M:%S"),
                "version": __version__, "region_code": b.ws.region_code, "suppress_below": str(b.ws.suppress_below)}
        _insert(con, "meta", pd.DataFrame({"key": list(meta), "value": list(meta.values())}))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(tmp, out)  # atomic on POSIX: readers see the old store or the new, never half
    return out


def _insert(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame, order: str | None = None) -> None:
    cols = [c[0] for c in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
    frame = df[[c for c in cols if c in df.columns]]
    con.register("_frame", frame)
    order_by = f" ORDER BY {order}" if order else ""
    con.execute(f"INSERT INTO {table} ({', '.join(frame.columns)}) SELECT * FROM _frame{order_by}")
    con.unregister("_frame")
