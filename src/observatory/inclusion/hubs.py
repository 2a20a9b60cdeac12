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

import csv
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer
from scipy.spatial import cKDTree

from ..errors import InputError
from ..sources.tabular import duplicate_headers
from ..store import Store
from .aggregate import LevelData
from .config import InclusionConfig

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
    hubs = []
    with open(cfg.sites, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        for col in ("amenity_type", "name", "lon", "lat"):
            if col not in (reader.fieldnames or []):
                raise InputError(cfg.sites, "the column is missing.", column=col,
                                 expected="amenity_type, name, lon, lat (the sites file)")
        for n, r in enumerate(reader, start=2):
            if r["amenity_type"] not in cfg.hub_kinds:
                continue
            lon, lat = _float(r["lon"]), _float(r["lat"])
            if lon is None or lat is None:
                raise InputError(cfg.sites, "the site has no coordinates.", row=n, column="lon",
                                 expected="longitude and latitude (WGS84)")
            kind = r["amenity_type"].replace("_", " ")
            hubs.append(Hub(r["name"].strip() or f"Unnamed {kind}", kind, OSM, lon, lat, 0.0, 0.0,
                            district=r.get("lad_code", "")))
    return hubs


def load_council(path: Path, store: Store | None) -> list[Hub]:
    """A council's CSV of hubs: name, kind, and where (a postcode, or lon/lat, or easting/northing),
    optionally services. Checked completely: the first bad cell is reported with its row and column."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            duplicate_headers(f.readline(), path)
            f.seek(0)
            reader = csv.DictReader(f)
            header = [h.strip().lower() for h in (reader.fieldnames or [])]
            rows = list(reader)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(path, f"cannot be read as UTF-8 CSV ({exc}).") from None
    for col in ("name", "kind"):
        if col not in header:
            raise InputError(path, "the column is missing.", column=col,
                             expected="columns name, kind, then postcode, or lon and lat, or easting and "
                             "northing; optionally services")
    if not ({"postcode"} <= set(header) or {"lon", "lat"} <= set(header) or {"easting", "northing"} <= set(header)):
        raise InputError(path, "there is no location column.", expected="postcode, or lon and lat, or easting and "
                         "northing", fix="Add one of them.")
    postcodes = _postcode_points(store) if "postcode" in header and store is not None else {}
    hubs = []
    for n, raw in enumerate(rows, start=2):
        r = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if not any(r.values()):
            continue
        for col in ("name", "kind"):
            if not r.get(col):
                raise InputError(path, "the cell is empty.", row=n, column=col, expected="a value",
                                 fix="Fill it in or remove the row.")
        hubs.append(_council_hub(path, n, r, postcodes))
    return hubs


def _council_hub(path: Path, n: int, r: dict[str, str], postcodes: dict[str, tuple[float, float]]) -> Hub:
    source = f"{path.name} (council)"
    if r.get("lon") or r.get("lat"):
        lon, lat = _float(r.get("lon", "")), _float(r.get("lat", ""))
        for col, v, lo, hi in (("lon", lon, -9.0, 2.5), ("lat", lat, 49.0, 61.0)):
            if v is None or not lo <= v <= hi:
                raise InputError(path, f'"{r.get(col, "")}" is not a {col} in Great Britain.', row=n, column=col,
                                 expected=f"a number from {lo:g} to {hi:g} (WGS84 degrees)", fix="Fix the cell.")
        x, y = to_bng(lon, lat)
        return Hub(r["name"], r["kind"], source, lon, lat, float(x[0]), float(y[0]), r.get("services", ""))
    if r.get("easting") or r.get("northing"):
        x, y = _float(r.get("easting", "")), _float(r.get("northing", ""))
        for col, v, hi in (("easting", x, 700_000), ("northing", y, 1_300_000)):
            if v is None or not 0 <= v <= hi:
                raise InputError(path, f'"{r.get(col, "")}" is not a British National Grid {col}.', row=n,
                                 column=col, expected=f"metres from 0 to {hi:,}", fix="Fix the cell.")
        lon, lat = _TO_WGS.transform(x, y)
        return Hub(r["name"], r["kind"], source, float(lon), float(lat), x, y, r.get("services", ""))
    text = r.get("postcode", "")
    if not text:
        raise InputError(path, "the row has no location.", row=n, column="postcode",
                         expected="a postcode, or lon and lat, or easting and northing", fix="Fill one in.")
    squeezed = re.sub(r"\s+", "", text).upper()
    if not _POSTCODE.match(squeezed):
        raise InputError(path, f'"{text}" is not a full UK postcode.', row=n, column="postcode",
                         expected="a postcode such as LS1 1UR", fix="Fix the cell.")
    normal = f"{squeezed[:-3]} {squeezed[-3:]}"
    if normal not in postcodes:
        raise InputError(path, f'postcode "{normal}" is not in the workspace\'s postcode lookup (or has no '
                         "coordinates).", row=n, column="postcode", expected="a postcode in the region",
                         fix="Check it, or give lon and lat instead.")
    lon, lat = postcodes[normal]
    x, y = to_bng(lon, lat)
    return Hub(r["name"], r["kind"], source, lon, lat, float(x[0]), float(y[0]), r.get("services", ""))


def _postcode_points(store: Store) -> dict[str, tuple[float, float]]:
    rows = store.rows("SELECT code, lon, lat FROM areas WHERE level = 'postcode' AND lat IS NOT NULL")
    return {r["code"]: (r["lon"], r["lat"]) for r in rows}


def _float(text: str) -> float | None:
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def inside(hubset: HubSet, store: Store, code: str) -> list[int]:
    """Hubs inside an area's boundary (any level the store has a geometry for)."""
    import shapely

    area = store.area(code)
    rows = [g for g in store.geometries(area["level"]) if g["code"] == area["code"]]
    if not rows or rows[0]["geometry"] is None:
        from ..errors import NotFoundError

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
    tree = cKDTree(hubset.xy)
    ok = np.isfinite(pts).all(axis=1)
    dist = np.full(len(x), np.nan)
    near = np.full(len(x), -1)
    d, i = tree.query(pts[ok], k=1)
    dist[ok], near[ok] = d, i
    within = [sorted(w, key=lambda h, p=p: math.dist(p, hubset.xy[h])) if good else []
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
