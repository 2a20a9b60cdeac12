"""Support hubs (libraries, community centres, a council's neighbourhood-network schemes and
100% Digital partners) and how far each area's residents are from the nearest one.

Distances are straight lines on the British National Grid (EPSG:27700, metres; Ordnance Survey's
projection for Great Britain, scale error well under 0.1% here), not travel time: a river, a
motorway or a bus route can make a near hub far.

An area's centre is population-weighted as far as the open data allows: an LSOA's centre is the
mean of its postcode centroids (ONS NSPL; a postcode holds about 15 addresses, so postcodes stand in
for households), or its representative point where it has no postcode. A ward's or district's
centre is the mean of its LSOAs' centres weighted by their usual residents (Census 2021).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer
from scipy.spatial import cKDTree

from ..errors import InputError, NotFoundError
from ..sources.osm_sites import read_sites
from ..sources.tabular import Row, read_table
from ..store import Store
from ..workspace.inclusion import InclusionConfig
from .aggregate import LevelData

_TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
_TO_WGS = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
COUNCIL_COLUMNS = ("name", "kind", "postcode", "lon", "lat", "easting", "northing", "services")
PLURAL = {"library": "libraries", "community_centre": "community centres"}
OSM = "OpenStreetMap contributors (ODbL 1.0), 2023 snapshot"


@dataclass
class Hub:
    name: str
    kind: str
    source: str
    lon: float
    lat: float
    x: float
    y: float
    services: str = ""
    district: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "source": self.source, "lon": round(self.lon, 6),
                "lat": round(self.lat, 6), "easting": round(self.x), "northing": round(self.y),
                "services": self.services, "district": self.district}


@dataclass
class Reach:
    """Per area of a level: its centre, the nearest hub and the hubs within the distance."""

    x: np.ndarray
    y: np.ndarray
    nearest: np.ndarray  # index into hubs (-1 if none)
    distance_m: np.ndarray
    within: list[list[int]]
    centre_method: np.ndarray  # "postcodes" | "representative point" | "residents-weighted LSOA centres"
    # wards and districts: the share of residents whose LSOA centre has a hub within reach
    residents_in_reach: np.ndarray | None = None


@dataclass
class HubSet:
    hubs: list[Hub]
    distance_m: float
    sources: list[str]
    notes: list[str] = field(default_factory=list)
    reach: dict[str, Reach] = field(default_factory=dict)

    @property
    def xy(self) -> np.ndarray:
        return np.array([[h.x, h.y] for h in self.hubs]).reshape(-1, 2)


def to_bng(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    x, y = _TO_BNG.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.atleast_1d(x), np.atleast_1d(y)


def load_sites(cfg: InclusionConfig) -> list[Hub]:
    """Libraries and community centres (or the configured kinds) from the OpenStreetMap sites file."""
    if cfg.sites is None:
        return []
    sites = read_sites(cfg.sites)
    hubs = []
    for r in sites[sites["amenity_type"].isin(cfg.hub_kinds)].to_dict("records"):
        kind = r["amenity_type"].replace("_", " ")
        hubs.append(Hub(r["name"] or f"Unnamed {kind}", kind, OSM, float(r["lon"]), float(r["lat"]), 0.0, 0.0,
                        district=r["lad_code"]))
    return hubs


COUNCIL_EXPECTED = "columns name, kind, then postcode, or lon and lat, or easting and northing; optionally services"


def load_council(path: Path, store: Store | None) -> list[Hub]:
    """A council's CSV of hubs: name, kind, and where (a postcode, or lon/lat, or easting/northing),
    optionally services. Checked completely: every bad cell is reported at once, each with its row
    and column."""
    table = read_table(path, required=("name", "kind"), optional=COUNCIL_COLUMNS[2:], fold_case=True,
                       expected=COUNCIL_EXPECTED, fix="Add the column (headings are not case-sensitive).",
                       missing_file="Check [inclusion] hubs in observatory.toml.")
    if not (table.has("postcode") or (table.has("lon") and table.has("lat"))
            or (table.has("easting") and table.has("northing"))):
        raise InputError(path, "there is no location column.", row=1, expected="postcode, or lon and lat, or "
                         "easting and northing", fix="Add one of them.")
    postcodes = _postcode_points(store) if table.has("postcode") and store is not None else {}
    hubs = [_council_hub(row, f"{Path(path).name} (council)", postcodes) for row in table]
    table.done()
    return [h for h in hubs if h is not None]


def _council_hub(row: Row, source: str, postcodes: dict[str, tuple[float, float]]) -> Hub | None:
    """The row's hub; None (each bad cell noted) when a cell is bad."""
    name, kind, services = row.text("name", True), row.text("kind", True), row.text("services")
    if row.text("lon") or row.text("lat"):
        lon, lat = (row.numeric(col, True, expected=f"a number from {lo:g} to {hi:g} (WGS84 degrees)", lo=lo, hi=hi,
                                outside=f"is not a {col} in Great Britain")
                    for col, lo, hi in (("lon", -9.0, 2.5), ("lat", 49.0, 61.0)))
        if lon is None or lat is None or not row.ok:
            return None
        x, y = to_bng(lon, lat)
        return Hub(name, kind, source, lon, lat, float(x[0]), float(y[0]), services)
    if row.text("easting") or row.text("northing"):
        x, y = (row.numeric(col, True, expected=f"metres from 0 to {hi:,}", lo=0.0, hi=hi,
                            outside=f"is not a British National Grid {col}")
                for col, hi in (("easting", 700_000), ("northing", 1_300_000)))
        if x is None or y is None or not row.ok:
            return None
        lon, lat = _TO_WGS.transform(x, y)
        return Hub(name, kind, source, float(lon), float(lat), x, y, services)
    text = row.text("postcode")
    if not text:
        row.bad("postcode", "the row has no location.", "a postcode, or lon and lat, or easting and northing",
                "Fill one in.")
        return None
    squeezed = re.sub(r"\s+", "", text).upper()
    if not _POSTCODE.match(squeezed):
        row.bad("postcode", f'"{text}" is not a full UK postcode.', "a postcode such as SW1A 1AA")
        return None
    normal = f"{squeezed[:-3]} {squeezed[-3:]}"
    if normal not in postcodes:
        row.bad("postcode", f'postcode "{normal}" is not in the workspace\'s postcode lookup (or has no '
                "coordinates).", "a postcode in the region", "Check it, or give lon and lat instead.")
        return None
    if not row.ok:
        return None
    lon, lat = postcodes[normal]
    x, y = to_bng(lon, lat)
    return Hub(name, kind, source, lon, lat, float(x[0]), float(y[0]), services)


def _postcode_points(store: Store) -> dict[str, tuple[float, float]]:
    rows = store.rows("SELECT code, lon, lat FROM areas WHERE level = 'postcode' AND lat IS NOT NULL")
    return {r["code"]: (r["lon"], r["lat"]) for r in rows}


def inside(hubset: HubSet, store: Store, code: str) -> list[int]:
    """Hubs inside an area's boundary (any level the store has a geometry for)."""
    import shapely

    area = store.area(code)
    rows = [g for g in store.geometries(area["level"]) if g["code"] == area["code"]]
    if not rows or rows[0]["geometry"] is None:
        raise NotFoundError(f"{area['code']} ({area['name']}) has no boundary in the store, so hubs cannot be placed in it.")
    shape = shapely.from_wkb(rows[0]["geometry"])
    pts = shapely.points([h.lon for h in hubset.hubs], [h.lat for h in hubset.hubs])
    return [int(i) for i in np.flatnonzero(shapely.contains(shape, pts))]


def load(cfg: InclusionConfig, store: Store) -> HubSet:
    hubs = load_sites(cfg)
    kinds = " and ".join(PLURAL.get(k, k.replace("_", " ")) for k in cfg.hub_kinds)
    sources = [f"{len(hubs)} {kinds} from {OSM}"] if hubs else []
    if cfg.hubs is not None:
        council = load_council(cfg.hubs, store)
        hubs += council
        sources.append(f"{len(council)} from the council's own list ({cfg.hubs.name})")
    if hubs:
        x, y = to_bng([h.lon for h in hubs], [h.lat for h in hubs])
        for h, hx, hy in zip(hubs, x, y, strict=True):
            if h.source == OSM:
                h.x, h.y = float(hx), float(hy)
    return HubSet(hubs, cfg.hub_distance_m, sources)


# --- centres and distances -----------------------------------------------------------------

def lsoa_centres(store: Store, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each LSOA's centre: the mean of its postcode centroids, else its representative point."""
    pcs = store.rows(
        """SELECT m.parent AS lsoa, a.lon, a.lat FROM membership m
           JOIN areas a ON a.code = m.child AND a.level = 'postcode'
           WHERE m.parent_level = 'lsoa' AND a.lat IS NOT NULL""")
    pos = {c: i for i, c in enumerate(codes)}
    x = np.zeros(len(codes))
    y = np.zeros(len(codes))
    count = np.zeros(len(codes))
    if pcs:
        which = np.array([pos.get(r["lsoa"], -1) for r in pcs])
        px, py = to_bng([r["lon"] for r in pcs], [r["lat"] for r in pcs])
        ok = which >= 0
        np.add.at(x, which[ok], px[ok])
        np.add.at(y, which[ok], py[ok])
        np.add.at(count, which[ok], 1)
    method = np.where(count > 0, "postcodes", "representative point").astype(object)
    with np.errstate(invalid="ignore"):
        x, y = x / np.where(count > 0, count, 1), y / np.where(count > 0, count, 1)
    missing = np.flatnonzero(count == 0)
    if len(missing):
        rows = {r["code"]: r for r in store.rows("SELECT code, lon, lat FROM areas WHERE level = 'lsoa'")}
        lon = [rows.get(codes[i], {}).get("lon") for i in missing]
        lat = [rows.get(codes[i], {}).get("lat") for i in missing]
        mx, my = to_bng([v if v is not None else np.nan for v in lon], [v if v is not None else np.nan for v in lat])
        x[missing], y[missing] = mx, my
    return x, y, method


def reach(hubset: HubSet, x: np.ndarray, y: np.ndarray, method: np.ndarray) -> Reach:
    pts = np.column_stack([x, y])
    if not hubset.hubs:
        n = len(x)
        return Reach(x, y, np.full(n, -1), np.full(n, np.nan), [[] for _ in range(n)], method)
    xy = hubset.xy  # built once: a property that makes the array anew on every call
    tree = cKDTree(xy)
    ok = np.isfinite(pts).all(axis=1)
    dist = np.full(len(x), np.nan)
    near = np.full(len(x), -1)
    d, i = tree.query(pts[ok], k=1)
    dist[ok], near[ok] = d, i
    within = [sorted(w, key=lambda h, p=p: math.dist(p, xy[h])) if good else []
              for w, p, good in zip(tree.query_ball_point(np.where(ok[:, None], pts, 0), r=hubset.distance_m),
                                    pts, ok, strict=True)]
    return Reach(x, y, near, dist, within, method)


def attach(hubset: HubSet, store: Store, lsoa: LevelData, levels: dict[str, LevelData],
           lsoa_ward: np.ndarray, lsoa_lad: np.ndarray) -> HubSet:
    """Reach for every level: LSOA centres from postcodes; wards and districts from their LSOAs'
    centres weighted by residents."""
    x, y, method = lsoa_centres(store, lsoa.codes)
    hubset.reach["lsoa"] = reach(hubset, x, y, method)
    near = np.array([bool(w) for w in hubset.reach["lsoa"].within], dtype=float)
    for level, parent in (("ward", lsoa_ward), ("lad", lsoa_lad)):
        data = levels[level]
        pos = {c: i for i, c in enumerate(data.codes)}
        which = np.array([pos.get(p, -1) for p in parent])
        ok = (which >= 0) & np.isfinite(x)
        w = lsoa.residents[ok]
        sx = np.bincount(which[ok], weights=x[ok] * w, minlength=len(data.codes))
        sy = np.bincount(which[ok], weights=y[ok] * w, minlength=len(data.codes))
        sw = np.bincount(which[ok], weights=w, minlength=len(data.codes))
        with np.errstate(invalid="ignore", divide="ignore"):
            cx, cy = sx / sw, sy / sw
        r = reach(hubset, cx, cy, np.full(len(cx), "residents-weighted LSOA centres", dtype=object))
        served = np.bincount(which[which >= 0], weights=(lsoa.residents * near)[which >= 0], minlength=len(data.codes))
        total = np.bincount(which[which >= 0], weights=lsoa.residents[which >= 0], minlength=len(data.codes))
        with np.errstate(invalid="ignore", divide="ignore"):
            r.residents_in_reach = served / total
        hubset.reach[level] = r
    return hubset
