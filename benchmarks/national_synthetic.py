"""Synthetic national postcode set for benchmarks: points inside the real UK district polygons.

Recipe (all seeded; the same seed gives the same points and counts, bit for bit):

1. Districts: the 361 LAD 2025 polygons of the bundled UK boundary file, read with the
   observatory's own `read_boundaries`, which repairs the ~27% that are invalid (make_valid).
2. Allocation: N postcodes (default 1,700,000, about the UK's live postcodes) shared between
   districts in proportion to each district's `All Premises` in Ofcom's July 2025 district table
   (old codes E08000016 -> E08000038, E08000019 -> E08000039), by largest remainder, so the
   shares are deterministic and sum to exactly N.
3. Points: uniform in longitude/latitude inside each district, by vectorised rejection sampling:
   candidates uniform in the district's bounding box, kept if `shapely.contains_xy` puts them in
   the polygon's interior; rounds repeat for districts still short until every district has its
   quota. The points are then put in a random order (so the input is not sorted by district).
4. Counts per postcode: premises ~ Poisson(15) + 1; gigabit premises ~ Binomial(premises, share)
   where share = the district's `Number of premises with Gigabit availability` / `All Premises`.

Random draws, in this order, all from ``numpy.random.default_rng(seed)`` (default seed 1700000):
rejection-sampling candidates (x then y, per round), the shuffle, premises, gigabit counts.
The points depend on the polygons as `read_boundaries` repairs them (the acceptance rates size
each round), so a change to the repair changes the draw; `fingerprint()` identifies a draw.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from observatory.sources.boundaries import Boundaries, read_boundaries
from observatory.workspace import Boundary

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples/west-yorkshire/data"
UK_LAD = DATA / "boundaries/uk_lad2025_bgc.geojson.gz"
OFCOM_LAUA = DATA / "coverage/ofcom_202507_fixed_laua_coverage_r01.csv"
CODE_CHANGES = {"E08000016": "E08000038", "E08000019": "E08000039"}
N_POSTCODES = 1_700_000
SEED = 1_700_000
MEAN_PREMISES = 15


@dataclass
class NationalPostcodes:
    districts: Boundaries  # the repaired LAD 2025 layer
    codes: np.ndarray  # synthetic postcode codes (object array of str), "SYN0000000".. in shuffled order
    lon: np.ndarray
    lat: np.ndarray
    district: np.ndarray  # int64 index into districts.codes: the polygon each point was drawn in
    premises: np.ndarray  # int64
    gigabit: np.ndarray  # int64, <= premises
    quota: np.ndarray  # postcodes per district (index as districts.codes)
    share: np.ndarray  # district gigabit share used for the binomial draw
    candidates: int  # rejection-sampling candidates tested
    rounds: int


def read_districts() -> Boundaries:
    return read_boundaries(Boundary(level="lad", file=UK_LAD, code="LAD25CD", name="LAD25NM", vintage="LAD 2025"))


def district_premises(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All Premises and gigabit share per district, in the order of `codes`."""
    t = pd.read_csv(OFCOM_LAUA, usecols=["laua", "All Premises", "Number of premises with Gigabit availability"])
    t["laua"] = t["laua"].replace(CODE_CHANGES)
    t = t.set_index("laua").reindex(codes)
    missing = t["All Premises"].isna()
    if missing.any():
        raise ValueError(f"{int(missing.sum())} districts have no Ofcom row, e.g. {codes[missing.to_numpy()][0]}")
    premises = t["All Premises"].to_numpy(dtype=np.float64)
    return premises, t["Number of premises with Gigabit availability"].to_numpy(dtype=np.float64) / premises


def allocate(n: int, weights: np.ndarray) -> np.ndarray:
    """Largest-remainder apportionment of n in proportion to weights (ties: lower index first)."""
    exact = n * weights / weights.sum()
    base = np.floor(exact).astype(np.int64)
    short = n - int(base.sum())
    order = np.lexsort((np.arange(len(exact)), -(exact - base)))
    base[order[:short]] += 1
    return base


def sample_inside(geoms: np.ndarray, quota: np.ndarray, rng: np.random.Generator,
                  oversample: float = 1.15) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """quota[i] points uniform inside geoms[i] (interior), by vectorised rejection sampling."""
    shapely.prepare(geoms)
    b = shapely.bounds(geoms)
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    accept = np.clip(shapely.area(geoms) / (w * h), 1e-3, 1.0)  # expected acceptance rate
    need = quota.astype(np.int64).copy()
    xs, ys, ds = [], [], []
    tested = rounds = 0
    while need.sum():
        rounds += 1
        m = np.where(need > 0, np.ceil(need / accept * oversample).astype(np.int64) + 8, 0)
        d = np.repeat(np.arange(len(geoms)), m)  # grouped by district: prepared geometry stays hot
        x = b[d, 0] + rng.random(len(d)) * w[d]
        y = b[d, 1] + rng.random(len(d)) * h[d]
        tested += len(d)
        ok = shapely.contains_xy(geoms[d], x, y)
        d, x, y = d[ok], x[ok], y[ok]
        # keep the first need[i] accepted candidates of each district (d is sorted)
        first = np.searchsorted(d, d, side="left")
        keep = (np.arange(len(d)) - first) < need[d]
        xs.append(x[keep]), ys.append(y[keep]), ds.append(d[keep])
        need -= np.bincount(d[keep], minlength=len(geoms))
    shapely.destroy_prepared(geoms)  # leave the layer as read_boundaries returned it (unprepared)
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ds), tested, rounds


def generate(n: int = N_POSTCODES, seed: int = SEED, districts: Boundaries | None = None) -> NationalPostcodes:
    districts = districts if districts is not None else read_districts()
    premises_by_district, share = district_premises(districts.codes)
    quota = allocate(n, premises_by_district)
    rng = np.random.default_rng(seed)
    x, y, d, tested, rounds = sample_inside(districts.geometry, quota, rng)
    order = rng.permutation(n)
    x, y, d = x[order], y[order], d[order]
    premises = rng.poisson(MEAN_PREMISES, n).astype(np.int64) + 1
    gigabit = rng.binomial(premises, share[d]).astype(np.int64)
    codes = np.array([f"SYN{i:07d}" for i in range(n)], dtype=object)
    return NationalPostcodes(districts, codes, x, y, d, premises, gigabit, quota, share, tested, rounds)


def fingerprint(p: NationalPostcodes) -> str:
    """Short hash of the points and counts, to tell whether two runs benchmarked the same data."""
    h = hashlib.sha256()
    for a in (p.lon, p.lat, p.district, p.premises, p.gigabit):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()[:12]
