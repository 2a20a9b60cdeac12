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
    "(Ofcom, all premises) is shared equally among its postcodes, and a premises is within reach "
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
    unplaced: float = 0.0  # premises of output areas with no postcode
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
                region_code: str, names: dict[str, str], release: str = "", synthetic: bool = False) -> Premises:
    """postcodes: code, lon, lat; links: child, parent, parent_level (postcode -> oa, ward, lad);
    oa_premises: area_code, denominator."""
    pcs = postcodes[["code", "lon", "lat"]].dropna(subset=["lon", "lat"]).drop_duplicates("code")
    for level in ("oa", "ward", "lad"):
        part = links[links["parent_level"] == level][["child", "parent"]].drop_duplicates("child")
        pcs = pcs.merge(part.rename(columns={"child": "code", "parent": level}), on="code", how="left")
    per_oa = pcs.groupby("oa").size().rename("n_postcodes")
    prem = oa_premises.groupby("area_code")["denominator"].sum().rename("premises")
    pcs = pcs.join(per_oa, on="oa").join(prem, on="oa")
    pcs["count"] = (pcs["premises"] / pcs["n_postcodes"]).fillna(0.0)
    unplaced = float(prem[~prem.index.isin(per_oa.index)].sum())
    pcs = pcs.sort_values("code", kind="stable").reset_index(drop=True)
    ward_idx, ward_codes = _codes(pcs["ward"])
    lad_idx, lad_codes = _codes(pcs["lad"])
    return Premises(postcode=pcs["code"].to_numpy(dtype=str), xy=to_bng(pcs["lon"].to_numpy(), pcs["lat"].to_numpy()),
                    count=pcs["count"].to_numpy(dtype=float), ward=ward_idx, lad=lad_idx, ward_codes=ward_codes,
                    lad_codes=lad_codes, region_code=region_code, names=names, release=release,
                    synthetic=synthetic, unplaced=unplaced)


def from_store(store) -> Premises:  # noqa: ANN001 - observatory.store.Store
    """Premises points of a built store (cached per store file and its modification time)."""
    key = (str(Path(store.path).resolve()), Path(store.path).stat().st_mtime_ns)
    with _lock:
        if key in _cache:
            return _cache[key]
    region = store.meta().get("region_code", "")
    with store.cursor() as cur:
        postcodes = cur.execute("SELECT code, lon, lat FROM areas WHERE level = 'postcode'").df()
        links = cur.execute(
            "SELECT m.child, m.parent, m.parent_level FROM membership m JOIN areas a ON a.code = m.child "
            "AND a.level = 'postcode' WHERE m.parent_level IN ('oa', 'ward', 'lad')").df()
        latest = cur.execute(
            "SELECT release_id, any_value(synthetic) FROM facts WHERE level = 'oa' AND indicator = ? "
            "GROUP BY release_id, release ORDER BY release DESC LIMIT 1",
            [PREMISES_INDICATOR]).fetchone()
        oa = cur.execute(
            "SELECT area_code, denominator FROM facts WHERE level = 'oa' AND indicator = ? AND release_id = ?",
            [PREMISES_INDICATOR, latest[0] if latest else ""]).df()
        names = dict(cur.execute("SELECT code, name FROM areas WHERE level IN ('ward', 'lad', 'ca', 'rgn')").fetchall())
    premises = from_frames(postcodes, links, oa, region, names, release=latest[0] if latest else "",
                           synthetic=bool(latest[1]) if latest else False)
    with _lock:
        _cache.clear()
        _cache[key] = premises
    return premises


_cache: dict[tuple[str, int], Premises] = {}
_lock = threading.Lock()
