"""Premises as points, for backbone reach: each output area's premises count spread evenly over
the output area's postcodes, each postcode at its ONS centroid on the British National Grid.

The approximation, said wherever reach is shown: Ofcom publishes premises counts per output area
(the "All Premises" column of its output-area coverage file), not per postcode or address, so
every postcode of an output area carries an equal share of the area's premises. A postcode
centroid stands in for all its premises (NSPL places it at the mean of its address points, to
1 m); an output area with no postcode in the lookup loses its premises from the measure, and the
count of those is reported.

The same points are read from a built store (`from_store`, for the CLI, the web and the
benchmarks) or from a build in progress (`from_frames`, for the pipeline step that writes reach
into the store)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from .reach import to_bng

# The premises count: Ofcom's "All Premises" is the denominator of every all-premises indicator.
PREMISES_INDICATOR = "sfbb"
APPROXIMATION = (
    "Premises are placed at postcode centroids (ONS NSPL): each output area's premises count "
    "(Ofcom, all premises) is shared equally among its postcodes (an output area with no postcode in "
    "the postcode file has its premises at the output area's own point), and a premises is within reach "
    "when its postcode centroid is within the distance of a lit site, in a straight line on the "
    "British National Grid. Real networks follow streets, so reach is an upper bound on what a "
    "short spur could connect."
)


@dataclass
class Premises:
    postcode: np.ndarray
    xy: np.ndarray  # (n, 2) easting, northing in metres
    count: np.ndarray
    ward: np.ndarray  # index into ward_codes (-1 when none)
    lad: np.ndarray  # index into lad_codes
    ward_codes: list[str]
    lad_codes: list[str]
    region_code: str
    names: dict[str, str]
    release: str = ""  # the release the premises counts come from, e.g. 'ofcom-small-areas-2025-07'
    synthetic: bool = False
    at_area_point: float = 0.0  # premises of output areas with no postcode, placed at the area's point
    areas_at_point: int = 0  # how many output areas were placed that way
    unplaced: float = 0.0  # premises of output areas with neither a postcode nor a point (none expected)
    _tree: cKDTree | None = field(default=None, repr=False)

    @property
    def total(self) -> float:
        return float(self.count.sum())

    def tree(self) -> cKDTree:
        if self._tree is None:
            self._tree = cKDTree(self.xy)
        return self._tree

    def locate(self, xy: np.ndarray, max_m: float = 2000.0) -> list[dict[str, str]]:
        """The nearest postcode's postcode, ward and district for each point (empty beyond max_m)."""
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if not len(self.xy) or not len(xy):
            return [{"postcode": "", "ward_code": "", "district_code": ""} for _ in range(len(xy))]
        dist, idx = self.tree().query(xy, k=1)
        out = []
        for d, i in zip(dist, idx, strict=True):
            if not np.isfinite(d) or d > max_m:
                out.append({"postcode": "", "ward_code": "", "district_code": ""})
                continue
            w, la = self.ward[i], self.lad[i]
            out.append({"postcode": str(self.postcode[i]), "ward_code": self.ward_codes[w] if w >= 0 else "",
                        "district_code": self.lad_codes[la] if la >= 0 else ""})
        return out

    def point_of(self, postcode: str) -> np.ndarray | None:
        hit = np.flatnonzero(self.postcode == normalise_postcode(postcode))
        return self.xy[hit[0]] if len(hit) else None


def normalise_postcode(text: str) -> str:
    """'ls1 1ur' -> 'LS1 1UR' (the NSPL's 7-character form is written with one space here)."""
    compact = "".join(str(text).split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    cat = pd.Categorical(values.fillna(""))
    codes = list(cat.categories)
    idx = np.asarray(cat.codes, dtype=np.int64)
    if "" in codes:
        blank = codes.index("")
        idx = np.where(idx == blank, -1, idx)
    return idx, codes


def from_frames(postcodes: pd.DataFrame, links: pd.DataFrame, oa_premises: pd.DataFrame,
                region_code: str, names: dict[str, str], release: str = "", synthetic: bool = False,
                oa_points: pd.DataFrame | None = None) -> Premises:
    """postcodes: code, lon, lat; links: child, parent, parent_level (postcode -> oa, ward, lad,
    and oa -> ward, lad for the output areas placed at their own point); oa_premises: area_code,
    denominator; oa_points: code, lon, lat of the output areas (their representative points)."""
    pcs = postcodes[["code", "lon", "lat"]].dropna(subset=["lon", "lat"]).drop_duplicates("code")
    pcs = _with_parents(pcs, links)
    per_oa = pcs.groupby("oa").size().rename("n_postcodes")
    prem = oa_premises.groupby("area_code")["denominator"].sum().rename("premises")
    pcs = pcs.join(per_oa, on="oa").join(prem, on="oa")
    pcs["count"] = (pcs["premises"] / pcs["n_postcodes"]).fillna(0.0)
    missing = prem[~prem.index.isin(per_oa.index) & (prem > 0)]
    own = pd.DataFrame(columns=["code", "lon", "lat", "oa", "ward", "lad", "count"])
    if oa_points is not None and len(missing):
        own = oa_points[oa_points["code"].isin(missing.index)][["code", "lon", "lat"]].dropna(subset=["lon", "lat"])
        own = _with_parents(own.drop_duplicates("code"), links).assign(oa=lambda f: f["code"])
        own["count"] = own["code"].map(missing).astype(float)
    points = pd.concat([pcs[["code", "lon", "lat", "ward", "lad", "count"]],
                        own[["code", "lon", "lat", "ward", "lad", "count"]]], ignore_index=True)
    points = points.sort_values("code", kind="stable").reset_index(drop=True)
    ward_idx, ward_codes = _codes(points["ward"])
    lad_idx, lad_codes = _codes(points["lad"])
    at_point = float(own["count"].sum()) if len(own) else 0.0
    return Premises(postcode=points["code"].to_numpy(dtype=str),
                    xy=to_bng(points["lon"].to_numpy(), points["lat"].to_numpy()),
                    count=points["count"].to_numpy(dtype=float), ward=ward_idx, lad=lad_idx, ward_codes=ward_codes,
                    lad_codes=lad_codes, region_code=region_code, names=names, release=release,
                    synthetic=synthetic, at_area_point=at_point, areas_at_point=len(own),
                    unplaced=float(missing.sum()) - at_point)


def _with_parents(points: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Each point's output area, ward and district, from the links whose child it is."""
    for level in ("oa", "ward", "lad"):
        part = links[links["parent_level"] == level][["child", "parent"]].drop_duplicates("child")
        points = points.merge(part.rename(columns={"child": "code", "parent": level}), on="code", how="left")
    return points


def from_store(store) -> Premises:  # noqa: ANN001 - observatory.store.Store
    """Premises points of a built store, cached per store file and what the points are made of (the
    build's time and the premises release), so a store whose derived figures were refreshed
    (pipeline.derived) keeps the points it had."""
    meta = store.meta()
    with store.cursor() as cur:
        latest = cur.execute(
            "SELECT release_id, any_value(synthetic) FROM facts WHERE level = 'oa' AND indicator = ? "
            "GROUP BY release_id, release ORDER BY release DESC LIMIT 1",
            [PREMISES_INDICATOR]).fetchone()
    key = (str(Path(store.path).resolve()), meta.get("built", ""), meta.get("inputs", meta.get("fingerprint", "")),
           latest[0] if latest else "")
    with _lock:
        if key in _cache:
            return _cache[key]
    region = meta.get("region_code", "")
    with store.cursor() as cur:
        postcodes = cur.execute("SELECT code, lon, lat FROM areas WHERE level = 'postcode'").df()
        links = cur.execute(
            "SELECT m.child, m.parent, m.parent_level FROM membership m JOIN areas a ON a.code = m.child "
            "AND a.level IN ('postcode', 'oa') WHERE m.parent_level IN ('oa', 'ward', 'lad')").df()
        oa_points = cur.execute("SELECT code, lon, lat FROM areas WHERE level = 'oa'").df()
        oa = cur.execute(
            "SELECT area_code, denominator FROM facts WHERE level = 'oa' AND indicator = ? AND release_id = ?",
            [PREMISES_INDICATOR, latest[0] if latest else ""]).df()
        names = dict(cur.execute("SELECT code, name FROM areas WHERE level IN ('ward', 'lad', 'ca', 'rgn')").fetchall())
    premises = from_frames(postcodes, links, oa, region, names, release=latest[0] if latest else "",
                           synthetic=bool(latest[1]) if latest else False, oa_points=oa_points)
    with _lock:
        _cache.clear()
        _cache[key] = premises
    return premises


_cache: dict[tuple[str, ...], Premises] = {}
_lock = threading.Lock()
