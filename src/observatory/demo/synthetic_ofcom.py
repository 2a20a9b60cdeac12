"""SYNTHETIC Ofcom small-area fixed-coverage files for the West Yorkshire demo.

Nothing this module writes is real data below district level. Ofcom's output-area and postcode
coverage files cannot be fetched offline, so the bundled demo uses files *in Ofcom's real
schemas* (member names, column names, BOM, CRLF line endings, revision tokens) whose figures are
made up by a seeded, deterministic generator. Only the district totals are real: for each of the
five West Yorkshire districts every count column of the all-premises output-area file adds up
exactly to Ofcom's real July 2025 local-authority table (``ofcom_202507_fixed_laua_coverage_r01``).

Method, in plain words
----------------------
1. Geography. The 7,131 2011 output areas (OAs) are read from the vendored boundary file and
   repaired with ``shapely.make_valid``; their centroids and areas are taken in British National
   Grid (metres). Postcodes are placed in the OA their centroid falls in (STRtree, "within").
2. Premises. Each OA gets a weight: a log-normal "about 125 households" term, a growth term
   (new builds since 2011) and, near town centres, a heavy-tailed commercial/flats term. The real
   district premises total is shared out in proportion to these weights (largest remainder), so
   most OAs hold 100-250 premises and a few city-centre OAs hold 1,000 or more.
3. Network quality. A "quality" surface is built from two smooth random fields (random Fourier
   features, length scales 5 km and 1.5 km), proximity to town centres, some gigabit build-out
   clusters (bumps around randomly chosen, premises-weighted centres) and a penalty for rural OAs
   (large area, far from the district's centre), plus a little per-OA noise. Coverage is therefore
   spatially clustered and poorer at rural edges, not independent noise per area.
4. Counts, level by level, with exact district totals. Every count is allocated from a parent
   count with per-OA caps: capped proportional allocation (water-filling) of weights
   ``cap x logistic(k x (score - t))`` (``t`` calibrated per district) followed by largest
   remainder, which keeps both each OA's cap and the district total exactly. The chain is
   all premises -> unmatched -> unable to receive 30 -> 10 -> 5 -> 2 Mbit/s (each inside the
   last) -> below the USO (inside unable-10); SFBB = matched - unable-30; premises without gigabit
   (inside SFBB) -> without UFBB (inside those) -> without UFBB (100Mbit/s); NGA = SFBB plus a
   share of the unable-30 premises; FWA inside matched premises not below the USO. The speed
   bands then follow exactly: >=300 = UFBB, 30<300 = SFBB - UFBB, 10<30 = unable-30 - unable-10,
   5<10, 2<5, 0<2 from the cumulative "unable" counts; they sum to All Matched Premises. All these
   identities hold in the real West Yorkshire district rows (checked on load), so none is relaxed.
   Percentages are count / All Premises x 100 rounded to 1 dp, as in the real district table.
   Full fibre is not written below district level (Ofcom withholds it).
5. Residential file. Each OA's residential share is 80-97% (lower near town centres). The
   non-residential premises are drawn out of the OA's disjoint coverage classes by sequential
   hypergeometric sampling, so every residential count is <= the all-premises count and the
   residential file obeys the same nesting and band identities. Its totals match nothing real.
6. Postcodes. Within an OA the premises are imagined in a line ordered from best to worst
   served (gigabit first, then UFBB-only, ..., below 2 Mbit/s, unmatched last). Each postcode
   takes a segment of that line (its size is a random premises count; the order follows a
   fine-scale field so that good postcodes cluster) and its percentages are the share of its
   segment inside each coverage interval. Postcodes are thus mostly all-or-nothing (gigabit 0 or
   100) while their premises-weighted mean equals the OA's percentage. Postcodes outside West
   Yorkshire (same postcode areas) get, per postcode sector, the profile of one of the 25 rural
   West Yorkshire OAs (area over 0.25 km2) nearest the sector, picked at random; unlocated postcodes get the percentages of the OA most common among their
   postcode district's located postcodes (else the area's most common OA).
7. Revisions. As in real releases, one file is reissued: ``..._pc_coverage_r02_HX.csv`` is the
   corrected file and, like Ofcom's reissues, has no UTF-8 BOM. The ZIP keeps the superseded
   ``..._pc_coverage_r01_HX.csv`` with deliberately stale values (gigabit a few points lower:
   about 7% of gigabit postcodes shown without gigabit), so a reader that keeps r01 instead of
   r02 is detectable. Readers must keep, for each (level, residential, postcode area), only the
   file with the highest revision token; :func:`latest_revisions` does that.

Determinism: a single ``numpy.random.default_rng(seed)`` stream, rows sorted by code, fixed
``%.1f`` float formatting, fixed ZIP member order, timestamps ``(2025, 7, 1, 0, 0, 0)``,
permissions and compression level; the same seed gives the same bytes.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_SEED = 20250701
RELEASE = "202507"
DISTRICTS = {
    "E08000032": "Bradford",
    "E08000033": "Calderdale",
    "E08000034": "Kirklees",
    "E08000035": "Leeds",
    "E08000036": "Wakefield",
}
AREAS = ("BD", "HD", "HX", "LS", "WF")
REISSUED_AREA = "HX"
ZIP_DATE_TIME = (2025, 7, 1, 0, 0, 0)
BOM = b"\xef\xbb\xbf"

LAUA_CSV = Path("coverage/ofcom_202507_fixed_laua_coverage_r01.csv")
OA_GEOJSON = Path("boundaries/wy_oa2011.geojson.gz")
POSTCODES_CSV = Path("postcodes/wy_postcode_areas_latlon_nspl_may2025.csv.gz")
DEFAULT_OUT = Path("coverage/202507_fixed_broadband_coverage_r01_SYNTHETIC.zip")

ALL = "All Premises"
MATCHED = "All Matched Premises"


def _n(what: str) -> str:
    return "Number of premises " + what


SFBB = _n("with SFBB availability")
UFBB100 = _n("with UFBB (100Mbit/s) availability")
UFBB = _n("with UFBB availability")
FULL_FIBRE = _n("with Full Fibre availability")
GIGABIT = _n("with Gigabit availability")
U2 = _n("unable to receive 2Mbit/s")
U5 = _n("unable to receive 5Mbit/s")
U10 = _n("unable to receive 10Mbit/s")
U30 = _n("unable to receive 30Mbit/s")
USO = _n("below the USO")
NGA = _n("with NGA")
FWA = _n("able to receive decent broadband from FWA")
B30_300 = _n("with 30<300Mbit/s download speed")
B300 = _n("with >=300Mbit/s download speed")
B0_2 = _n("with 0<2Mbit/s download speed")
B2_5 = _n("with 2<5Mbit/s download speed")
B5_10 = _n("with 5<10Mbit/s download speed")
B10_30 = _n("with 10<30Mbit/s download speed")

# Count columns of the output-area files (everything the district table has except full fibre).
OA_COUNTS = (
    ALL,
    MATCHED,
    SFBB,
    UFBB100,
    UFBB,
    GIGABIT,
    U2,
    U5,
    U10,
    U30,
    USO,
    NGA,
    FWA,
    B30_300,
    B300,
    B0_2,
    B2_5,
    B5_10,
    B10_30,
)


def number_column(pct_column: str) -> str:
    """Ofcom's count column for one of its percentage columns."""
    if pct_column.endswith(" availability (% premises)"):
        return _n("with " + pct_column[: -len(" (% premises)")])
    if pct_column.startswith("% of premises "):
        return _n(pct_column[len("% of premises ") :])
    raise KeyError(pct_column)


_MEMBER = re.compile(r"^(?P<stem>.+)_r(?P<rev>\d+)(?P<tail>(_[A-Z]{1,2})?\.csv)$")


def latest_revisions(names: list[str]) -> list[str]:
    """Keep, for each file, only its newest revision (``r02`` beats ``r01``); sorted names.

    Ofcom reissues a file under a higher revision token and the release keeps the old one; a
    reader must use the highest revision of each (level, residential, postcode area) file.
    Names without a revision token are returned unchanged.
    """
    best: dict[tuple[str, str], tuple[int, str]] = {}
    out = []
    for name in names:
        m = _MEMBER.match(name)
        if not m:
            out.append(name)
            continue
        key = (m["stem"], m["tail"])
        rev = int(m["rev"])
        if key not in best or rev > best[key][0]:
            best[key] = (rev, name)
    out.extend(name for _, name in best.values())
    return sorted(out)


# Town centres (WGS84 lon, lat, influence radius in km): anchors for urban density and build-out.
TOWNS = (
    ("Leeds", -1.5478, 53.7965, 4.0),
    ("Bradford", -1.7520, 53.7935, 3.0),
    ("Huddersfield", -1.7850, 53.6458, 2.5),
    ("Wakefield", -1.4990, 53.6830, 2.5),
    ("Halifax", -1.8620, 53.7210, 2.0),
    ("Dewsbury", -1.6330, 53.6910, 1.6),
    ("Keighley", -1.9110, 53.8670, 1.6),
    ("Castleford", -1.3620, 53.7250, 1.4),
    ("Pontefract", -1.3120, 53.6910, 1.3),
    ("Batley", -1.6340, 53.7160, 1.2),
    ("Brighouse", -1.7830, 53.7030, 1.1),
    ("Shipley", -1.7700, 53.8330, 1.2),
    ("Ilkley", -1.8220, 53.9250, 1.0),
    ("Otley", -1.6920, 53.9050, 1.0),
    ("Morley", -1.5990, 53.7400, 1.2),
    ("Pudsey", -1.6620, 53.7950, 1.1),
    ("Todmorden", -2.0970, 53.7140, 0.9),
    ("Hebden Bridge", -2.0120, 53.7420, 0.7),
    ("Wetherby", -1.3860, 53.9280, 1.0),
    ("Ossett", -1.5800, 53.6800, 1.0),
    ("Normanton", -1.4160, 53.6970, 1.0),
    ("Hemsworth", -1.3500, 53.6120, 0.9),
    ("Holmfirth", -1.7870, 53.5710, 0.7),
    ("Heckmondwike", -1.6710, 53.7080, 0.9),
    ("Garforth", -1.3880, 53.7920, 1.0),
    ("Rothwell", -1.4780, 53.7480, 1.0),
    ("Bingley", -1.8380, 53.8480, 1.0),
    ("Sowerby Bridge", -1.9070, 53.7080, 0.8),
    ("Elland", -1.8380, 53.6850, 0.8),
    ("Mirfield", -1.6930, 53.6720, 0.9),
    ("Cleckheaton", -1.7130, 53.7250, 0.9),
    ("Knottingley", -1.2460, 53.7060, 0.9),
)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class _Inputs:
    district: pd.DataFrame  # the 5 WY rows of the real table, indexed by laua
    pct_columns: tuple[str, ...]  # the district table's % columns, in order, minus full fibre
    oa_code: np.ndarray
    oa_lad: np.ndarray
    oa_x: np.ndarray  # km, British National Grid
    oa_y: np.ndarray
    oa_area: np.ndarray  # km2
    town_x: np.ndarray
    town_y: np.ndarray
    town_r: np.ndarray
    pc7: np.ndarray  # 7-character postcode, sorted
    pc_area: np.ndarray
    pc_x: np.ndarray  # km; NaN when unlocated
    pc_y: np.ndarray
    pc_oa: np.ndarray  # index of the OA the centroid falls in, -1 if none / unlocated


def _check_district_identities(d: pd.DataFrame) -> None:
    """The identities the generator keeps exactly; they hold in the real WY rows."""
    bands = d[[B0_2, B2_5, B5_10, B10_30, B30_300, B300]].sum(axis=1)
    rules = {
        "bands sum to matched": bands == d[MATCHED],
        "0<2 = unable 2": d[B0_2] == d[U2],
        "<5 = unable 5": d[B0_2] + d[B2_5] == d[U5],
        "<10 = unable 10": d[B0_2] + d[B2_5] + d[B5_10] == d[U10],
        "<30 = unable 30": d[B0_2] + d[B2_5] + d[B5_10] + d[B10_30] == d[U30],
        ">=300 = UFBB": d[B300] == d[UFBB],
        "SFBB = matched - unable 30": d[SFBB] == d[MATCHED] - d[U30],
        "gigabit <= UFBB <= UFBB100 <= SFBB": (d[GIGABIT] <= d[UFBB])
        & (d[UFBB] <= d[UFBB100])
        & (d[UFBB100] <= d[SFBB]),
        "matched <= all": d[MATCHED] <= d[ALL],
        "USO <= unable 10": d[USO] <= d[U10],
        "SFBB <= NGA <= matched": (d[SFBB] <= d[NGA]) & (d[NGA] <= d[MATCHED]),
        "FWA <= matched - USO": d[FWA] <= d[MATCHED] - d[USO],
    }
    broken = [name for name, ok in rules.items() if not bool(np.all(ok))]
    if broken:
        raise ValueError(f"district table breaks identities the generator keeps: {broken}")


@lru_cache(maxsize=4)
def _load_inputs(repo_data_dir: str) -> _Inputs:
    import geopandas as gpd
    import shapely
    from pyproj import Transformer

    base = Path(repo_data_dir)
    laua = pd.read_csv(base / LAUA_CSV, encoding="utf-8-sig")
    district = laua[laua["laua"].isin(list(DISTRICTS))].set_index("laua").sort_index()
    if list(district.index) != sorted(DISTRICTS):
        raise ValueError("district table lacks some West Yorkshire districts")
    _check_district_identities(district)
    pct_columns = tuple(c for c in laua.columns if "%" in c and not c.startswith("Full Fibre"))

    oa = gpd.read_file("/vsigzip/" + str(base / OA_GEOJSON))
    oa = oa.sort_values("OA11CD").reset_index(drop=True)
    geoms = shapely.make_valid(np.asarray(oa.geometry.values, dtype=object))
    polygonal = []
    for g in geoms:  # make_valid can yield a GeometryCollection with stray lines: keep the areas
        if g.geom_type == "GeometryCollection":
            parts = [p for p in g.geoms if p.geom_type in ("Polygon", "MultiPolygon")]
            g = shapely.unary_union(parts)
        polygonal.append(g)
    oa = gpd.GeoDataFrame(oa.drop(columns="geometry"), geometry=polygonal, crs=oa.crs)
    oa = oa.to_crs(27700)
    cent = oa.geometry.centroid

    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    tx, ty = to_bng.transform(np.array([t[1] for t in TOWNS]), np.array([t[2] for t in TOWNS]))

    pc = pd.read_csv(base / POSTCODES_CSV, dtype={"postcode": str, "postcode_area": str})
    pc = pc[pc["postcode_area"].isin(AREAS)].sort_values("postcode").reset_index(drop=True)
    located = pc["lat"].notna().to_numpy() & (pc["lon"].fillna(0).to_numpy() != 0)
    px = np.full(len(pc), np.nan)
    py = np.full(len(pc), np.nan)
    px[located], py[located] = to_bng.transform(
        pc["lon"].to_numpy()[located], pc["lat"].to_numpy()[located]
    )
    pc_oa = np.full(len(pc), -1, dtype=np.int64)
    idx = np.flatnonzero(located)
    tree = shapely.STRtree(oa.geometry.values)
    hit_pt, hit_oa = tree.query(shapely.points(px[idx], py[idx]), predicate="within")
    order = np.lexsort((hit_oa, hit_pt))  # a point on a shared edge: the lowest OA code wins
    hit_pt, hit_oa = hit_pt[order], hit_oa[order]
    first = np.r_[True, hit_pt[1:] != hit_pt[:-1]]
    pc_oa[idx[hit_pt[first]]] = hit_oa[first]

    return _Inputs(
        district=district,
        pct_columns=pct_columns,
        oa_code=oa["OA11CD"].to_numpy(dtype=str),
        oa_lad=oa["LAD_CODE"].to_numpy(dtype=str),
        oa_x=cent.x.to_numpy() / 1000.0,
        oa_y=cent.y.to_numpy() / 1000.0,
        oa_area=oa.geometry.area.to_numpy() / 1e6,
        town_x=np.asarray(tx) / 1000.0,
        town_y=np.asarray(ty) / 1000.0,
        town_r=np.array([t[3] for t in TOWNS]),
        pc7=pc["postcode"].to_numpy(dtype=str),
        pc_area=pc["postcode_area"].to_numpy(dtype=str),
        pc_x=px / 1000.0,
        pc_y=py / 1000.0,
        pc_oa=pc_oa,
    )


# --------------------------------------------------------------------------- allocation


def _expit(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))


def allocate(total: int, caps: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Integers ``x`` with ``0 <= x <= caps`` and ``x.sum() == total``, close to ``weights``.

    Capped proportional allocation: ``min(cap, lam * weight)`` with ``lam`` found by bisection
    (water-filling), then floors plus largest remainder (ties by position) among areas below cap.
    """
    total = int(total)
    caps = np.asarray(caps, dtype=np.int64)
    if total < 0 or total > int(caps.sum()):
        raise ValueError(f"cannot allocate {total} within caps summing to {int(caps.sum())}")
    out = np.zeros(len(caps), dtype=np.int64)
    if total == 0:
        return out
    w = np.asarray(weights, dtype=float)
    wmax = float(w[caps > 0].max()) if (caps > 0).any() else 1.0
    w = np.where(caps > 0, np.maximum(w, 1e-12 * max(wmax, 1e-300)), 0.0)
    hi = 1.0 / max(float(w.sum()), 1e-300) * total
    while np.minimum(caps, hi * w).sum() < total:
        hi *= 2.0
    lo = 0.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if np.minimum(caps, mid * w).sum() < total:
            lo = mid
        else:
            hi = mid
    x = np.minimum(caps, hi * w)
    out = np.minimum(np.floor(x), caps).astype(np.int64)
    frac = x - out
    rem = total - int(out.sum())
    if rem > 0:
        elig = np.flatnonzero(out < caps)
        pick = elig[np.lexsort((elig, -frac[elig]))][:rem]
        out[pick] += 1
    elif rem < 0:
        elig = np.flatnonzero(out > 0)
        pick = elig[np.lexsort((elig, frac[elig]))][:-rem]
        out[pick] -= 1
    assert int(out.sum()) == total and (out <= caps).all() and (out >= 0).all()
    return out


def _allocate_logistic(total: int, caps: np.ndarray, score: np.ndarray, k: float) -> np.ndarray:
    """:func:`allocate` with weights ``cap * logistic(k * (score - t))``, ``t`` set so they sum
    to ``total``: high-score areas fill up (towards all-or-nothing), low-score areas get little."""
    caps = np.asarray(caps, dtype=np.int64)
    if total <= 0 or caps.sum() <= 0:
        return allocate(total, caps, caps.astype(float))
    s = k * np.asarray(score, dtype=float)
    lo, hi = float(s.min()) - 60.0, float(s.max()) + 60.0
    for _ in range(80):  # larger t -> smaller sum
        t = 0.5 * (lo + hi)
        if (caps * _expit(s - t)).sum() > total:
            lo = t
        else:
            hi = t
    return allocate(total, caps, caps * _expit(s - 0.5 * (lo + hi)))


# --------------------------------------------------------------------------- surfaces


class _SmoothField:
    """A stationary random field with unit variance: random Fourier features of an RBF kernel."""

    def __init__(self, rng: np.random.Generator, length_km: float, n: int = 192):
        self.w = rng.normal(0.0, 1.0 / length_km, size=(n, 2))
        self.b = rng.uniform(0.0, 2.0 * np.pi, size=n)
        self.scale = np.sqrt(2.0 / n)

    def __call__(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        out = np.zeros(len(x))
        for i in range(0, len(x), 8192):
            xs, ys = x[i : i + 8192], y[i : i + 8192]
            out[i : i + 8192] = np.cos(
                np.outer(xs, self.w[:, 0]) + np.outer(ys, self.w[:, 1]) + self.b
            ).sum(axis=1)
        return self.scale * out


def _zscore(v: np.ndarray) -> np.ndarray:
    return (v - v.mean()) / (v.std() or 1.0)


@dataclass
class _OAModel:
    counts: dict[str, np.ndarray]  # all premises
    res_counts: dict[str, np.ndarray]  # residential premises
    rural: np.ndarray


def _model_oas(inp: _Inputs, rng: np.random.Generator) -> tuple[_OAModel, dict]:
    n = len(inp.oa_code)
    x, y = inp.oa_x, inp.oa_y

    # town-centre influence and rurality
    d_town = np.hypot(x[:, None] - inp.town_x[None, :], y[:, None] - inp.town_y[None, :])
    centre = np.exp(-((d_town / (0.4 * inp.town_r[None, :])) ** 2)).max(axis=1)  # 1 at a centre
    urban = np.exp(-((d_town / (2.5 * inp.town_r[None, :])) ** 2)).max(axis=1)
    la = np.log10(np.maximum(inp.oa_area, 1e-4))
    rural = np.clip((la - np.log10(0.25)) / (np.log10(8.0) - np.log10(0.25)), 0.0, 1.0)
    d_lad = np.zeros(n)
    for lad in DISTRICTS:
        m = inp.oa_lad == lad
        dd = np.hypot(x[m] - x[m].mean(), y[m] - y[m].mean())
        d_lad[m] = dd / dd.max()

    # premises weights
    base = rng.lognormal(0.0, 0.2, n)
    growth = 1.0 + 0.12 * rng.gamma(1.2, 1.0, n)
    commercial = np.minimum(centre * rng.pareto(1.8, n) * 3.0, 8.0)
    w_prem = base * growth * (1.0 + commercial)

    # network quality surface
    f_broad = _SmoothField(rng, 5.0)
    f_local = _SmoothField(rng, 1.5)
    f_fwa = _SmoothField(rng, 6.0)
    f_fine = _SmoothField(rng, 0.35)
    n_cl = 40
    p_cl = (urban + 0.1) / (urban + 0.1).sum()
    cl_idx = np.sort(rng.choice(n, size=n_cl, replace=False, p=p_cl))
    cl_r = rng.uniform(0.8, 2.5, n_cl)
    cl_s = rng.uniform(0.8, 1.8, n_cl)
    d_cl = np.hypot(x[:, None] - x[cl_idx][None, :], y[:, None] - y[cl_idx][None, :])
    cluster = np.minimum((cl_s[None, :] * np.exp(-((d_cl / cl_r[None, :]) ** 2))).sum(axis=1), 2.0)
    noise = rng.normal(0.0, 1.0, (6, n))
    quality = (
        0.9 * f_broad(x, y)
        + 0.5 * f_local(x, y)
        + 0.8 * urban
        + 1.0 * cluster
        - 1.8 * rural
        - 0.6 * d_lad
        + 0.3 * noise[0]
    )
    badness = 1.6 * rural + 0.5 * d_lad - 0.5 * quality + 0.3 * noise[1]
    fwa_score = 1.0 * f_fwa(x, y) + 0.8 * urban - 0.8 * rural + 0.3 * noise[2]

    c = {k: np.zeros(n, dtype=np.int64) for k in OA_COUNTS}
    for lad, row in inp.district.iterrows():
        m = np.flatnonzero(inp.oa_lad == lad)
        big = np.full(len(m), int(row[ALL]), dtype=np.int64)
        P = allocate(int(row[ALL]), big, w_prem[m])
        unm = _allocate_logistic(
            int(row[ALL] - row[MATCHED]), P // 4, centre[m] + 0.5 * noise[3][m], 1.0
        )
        M = P - unm
        u30 = _allocate_logistic(int(row[U30]), M, badness[m], 1.5)
        u10 = _allocate_logistic(int(row[U10]), u30, badness[m], 2.0)
        u5 = _allocate_logistic(int(row[U5]), u10, badness[m], 2.0)
        u2 = _allocate_logistic(int(row[U2]), u5, badness[m], 2.0)
        uso = _allocate_logistic(int(row[USO]), u10, rural[m] - 0.5 * fwa_score[m], 2.0)
        sfbb = M - u30
        no_gig = _allocate_logistic(int(row[SFBB] - row[GIGABIT]), sfbb, -quality[m], 2.0)
        no_uf = _allocate_logistic(
            int(row[SFBB] - row[UFBB]), no_gig, -quality[m] + 0.5 * noise[4][m], 1.5
        )
        no_u100 = _allocate_logistic(
            int(row[SFBB] - row[UFBB100]), no_uf, -quality[m] + 0.5 * noise[4][m], 1.5
        )
        nga_extra = _allocate_logistic(
            int(row[NGA] - row[SFBB]), u30, -rural[m] + 0.5 * noise[5][m], 1.0
        )
        fwa = _allocate_logistic(int(row[FWA]), M - uso, fwa_score[m], 1.5)
        vals = {
            ALL: P,
            MATCHED: M,
            SFBB: sfbb,
            UFBB100: sfbb - no_u100,
            UFBB: sfbb - no_uf,
            GIGABIT: sfbb - no_gig,
            U2: u2,
            U5: u5,
            U10: u10,
            U30: u30,
            USO: uso,
            NGA: sfbb + nga_extra,
            FWA: fwa,
        }
        for k, v in _bands(vals).items():
            c[k][m] = v

    res = _residential(c, centre, rng)
    extras = {"f_fine": f_fine, "f_fwa": f_fwa, "rural": rural}
    return _OAModel(counts=c, res_counts=res, rural=rural), extras


def _bands(v: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    v = dict(v)
    v[B300] = v[UFBB]
    v[B30_300] = v[SFBB] - v[UFBB]
    v[B10_30] = v[U30] - v[U10]
    v[B5_10] = v[U10] - v[U5]
    v[B2_5] = v[U5] - v[U2]
    v[B0_2] = v[U2]
    return v


def _residential(c: dict[str, np.ndarray], centre: np.ndarray, rng: np.random.Generator):
    """Residential counts: remove the OA's non-residential premises from its disjoint classes."""
    P = c[ALL]
    share = np.clip(0.955 - 0.12 * centre + 0.02 * rng.normal(0.0, 1.0, len(P)), 0.80, 0.97)
    R = np.clip(np.round(share * P), np.ceil(0.80 * P), np.floor(0.97 * P)).astype(np.int64)
    classes = [  # disjoint, in best-to-worst order; they partition All Premises
        c[GIGABIT],
        c[UFBB] - c[GIGABIT],
        c[UFBB100] - c[UFBB],
        c[SFBB] - c[UFBB100],
        c[U30] - c[U10],
        c[U10] - c[U5],
        c[U5] - c[U2],
        c[U2],
        P - c[MATCHED],
    ]
    left_pool = P.copy()
    left_draw = P - R
    res_cls = []
    for cls in classes:
        take = rng.hypergeometric(cls, left_pool - cls, left_draw)
        res_cls.append(cls - take)
        left_pool -= cls
        left_draw -= take
    assert (left_draw == 0).all()
    g, uf_only, u100_only, sf_only, b10_30, b5_10, b2_5, b0_2, unm = res_cls
    r = {ALL: R}
    r[GIGABIT] = g
    r[UFBB] = g + uf_only
    r[UFBB100] = r[UFBB] + u100_only
    r[SFBB] = r[UFBB100] + sf_only
    r[U2] = b0_2
    r[U5] = b0_2 + b2_5
    r[U10] = r[U5] + b5_10
    r[U30] = r[U10] + b10_30
    r[MATCHED] = r[SFBB] + r[U30]
    assert (r[MATCHED] + unm == R).all()
    r[USO] = rng.hypergeometric(c[USO], c[U10] - c[USO], r[U10])
    r[NGA] = r[SFBB] + rng.hypergeometric(c[NGA] - c[SFBB], c[U30] - (c[NGA] - c[SFBB]), r[U30])
    r[FWA] = np.minimum(rng.hypergeometric(c[FWA], P - c[FWA], R), r[MATCHED] - r[USO])
    return _bands(r)


# --------------------------------------------------------------------------- postcodes


def _intervals(c: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray, bool]]:
    """Per OA, each postcode field as an interval of the best-to-worst premises line, as
    fractions of All Premises; the flag says whether the FWA ordering is used."""
    P = np.maximum(c[ALL], 1).astype(float)
    f = {k: c[k] / P for k in c}
    zero = np.zeros_like(P)
    m = f[MATCHED]
    return {
        SFBB: (zero, f[SFBB], False),
        UFBB100: (zero, f[UFBB100], False),
        UFBB: (zero, f[UFBB], False),
        GIGABIT: (zero, f[GIGABIT], False),
        U2: (m - f[U2], m, False),
        U5: (m - f[U5], m, False),
        U10: (m - f[U10], m, False),
        U30: (m - f[U30], m, False),
        USO: (m - f[USO], m, False),
        NGA: (zero, f[NGA], False),
        FWA: (zero, f[FWA], True),
        B30_300: (f[UFBB], f[SFBB], False),
        B300: (zero, f[UFBB], False),
        B0_2: (m - f[U2], m, False),
        B2_5: (m - f[U5], m - f[U2], False),
        B5_10: (m - f[U10], m - f[U5], False),
        B10_30: (f[SFBB], m - f[U10], False),
    }


def _segments(group: np.ndarray, key: np.ndarray, size: np.ndarray):
    """Each row's [a, b) share of its group's line, rows ordered by descending key."""
    order = np.lexsort((np.arange(len(group)), -key, group))
    g, s = group[order], size[order]
    cs = np.cumsum(s)
    start = np.r_[True, g[1:] != g[:-1]]
    grp_id = np.cumsum(start) - 1
    offs = np.r_[0.0, cs][:-1][start]
    tot = np.r_[cs[np.r_[start[1:], True]]] - offs
    b_ = (cs - offs[grp_id]) / tot[grp_id]
    a_ = b_ - s / tot[grp_id]
    a = np.empty(len(group))
    b = np.empty(len(group))
    a[order], b[order] = a_, b_
    return a, b


def _postcode_frames(inp: _Inputs, model: _OAModel, extras: dict, rng: np.random.Generator):
    npc = len(inp.pc7)
    n_oa = len(inp.oa_code)
    located = ~np.isnan(inp.pc_x)
    in_oa = inp.pc_oa >= 0
    outward = np.array([p[:4].strip() for p in inp.pc7])
    inward = np.array([p[-3:] for p in inp.pc7])

    # profile OA for every postcode, and the group whose premises line it shares
    profile = inp.pc_oa.copy()
    group = inp.pc_oa.copy()
    outside = located & ~in_oa
    if outside.any():
        rural_ix = np.flatnonzero(model.rural > 0)  # OAs larger than 0.25 km2
        sector = np.char.add(
            np.char.add(outward[outside], " "), np.array([s[0] for s in inward[outside]])
        )
        sec_codes, sec_id = np.unique(sector, return_inverse=True)
        sx = np.bincount(sec_id, inp.pc_x[outside]) / np.bincount(sec_id)
        sy = np.bincount(sec_id, inp.pc_y[outside]) / np.bincount(sec_id)
        d = np.hypot(
            sx[:, None] - inp.oa_x[rural_ix][None, :], sy[:, None] - inp.oa_y[rural_ix][None, :]
        )
        # one of the 25 nearest rural OAs, at random: edge-like without always the most remote
        near = np.argsort(d, axis=1, kind="stable")[:, :25]
        pick = near[np.arange(len(sec_codes)), rng.integers(0, 25, len(sec_codes))]
        profile[outside] = rural_ix[pick][sec_id]
        group[outside] = n_oa + sec_id
    unloc = ~located | (~in_oa & ~outside)
    if unloc.any():
        ref = pd.DataFrame(
            {"outward": outward[in_oa], "area": inp.pc_area[in_oa], "oa": inp.pc_oa[in_oa]}
        )

        def mode_oa(keycol):
            cnt = ref.groupby([keycol, "oa"]).size().rename("n").reset_index()
            cnt = cnt.sort_values([keycol, "n", "oa"], ascending=[True, False, True])
            return cnt.drop_duplicates(keycol).set_index(keycol)["oa"]

        by_outward, by_area = mode_oa("outward"), mode_oa("area")
        prof = pd.Series(outward[unloc]).map(by_outward)
        prof = prof.fillna(pd.Series(inp.pc_area[unloc]).map(by_area))
        profile[unloc] = prof.to_numpy(dtype=np.int64)
        group[unloc] = -1 - np.arange(unloc.sum())  # alone: the whole OA profile

    size = rng.lognormal(2.2, 0.7, npc)
    xx = np.where(located, inp.pc_x, 0.0)
    yy = np.where(located, inp.pc_y, 0.0)
    q = extras["f_fine"](xx, yy) + 0.6 * rng.normal(0.0, 1.0, npc)
    q_fwa = 0.5 * extras["f_fwa"](xx, yy) + rng.normal(0.0, 1.0, npc)
    seg = _segments(group, q, size)
    seg_fwa = _segments(group, q_fwa, size)

    frames = {}
    for kind, counts in (("all", model.counts), ("res", model.res_counts)):
        iv = _intervals(counts)
        cols = {}
        for pct in inp.pct_columns:
            lo_oa, hi_oa, use_fwa = iv[number_column(pct)]
            a, b = seg_fwa if use_fwa else seg
            lo, hi = lo_oa[profile], hi_oa[profile]
            ov = np.clip(np.minimum(b, hi) - np.maximum(a, lo), 0.0, None) / (b - a)
            cols[pct] = np.round(100.0 * ov, 1)
        df = pd.DataFrame(
            {
                "postcode": np.char.replace(inp.pc7, " ", ""),
                "postcode_space": np.char.add(np.char.add(outward, " "), inward),
                "postcode area": inp.pc_area,
                **cols,
            }
        )
        frames[kind] = df
    return frames


# --------------------------------------------------------------------------- writing


_TENTHS = np.array([f"{i / 10:.1f}" for i in range(1001)], dtype=object)


def _cells(col: pd.Series) -> np.ndarray:
    """One column as text: percentages with one decimal ("%.1f"), integers, strings as is."""
    v = col.to_numpy()
    if np.issubdtype(v.dtype, np.floating):
        tenths = np.rint(v * 10.0).astype(np.int64)
        if tenths.min() < 0 or tenths.max() > 1000:
            raise ValueError(f"percentage out of range in {col.name!r}")
        return _TENTHS[tenths]
    if np.issubdtype(v.dtype, np.integer):
        return v.astype(str).astype(object)
    out = v.astype(str).astype(object)
    if any("," in s or '"' in s for s in out):
        raise ValueError(f"unquoted text would break the CSV in {col.name!r}")
    return out


def _csv_bytes(df: pd.DataFrame, bom: bool = True) -> bytes:
    """CSV as Ofcom writes it: CRLF line ends, optional UTF-8 BOM, one-decimal percentages."""
    lines = [",".join(df.columns)]
    lines += [",".join(row) for row in zip(*(_cells(df[c]) for c in df.columns), strict=True)]
    text = "\r\n".join(lines) + "\r\n"
    return (BOM if bom else b"") + text.encode("utf-8")


def _oa_frame(inp: _Inputs, counts: dict[str, np.ndarray]) -> pd.DataFrame:
    P = counts[ALL]
    cols: dict[str, np.ndarray] = {"output_area": inp.oa_code, ALL: P, MATCHED: counts[MATCHED]}
    header = [c for c in inp.district.columns if c not in ("laua_name",)]
    for col in header:
        if col in (ALL, MATCHED) or "Full Fibre" in col:
            continue
        if "%" in col:
            num = counts[number_column(col)]
            cols[col] = np.round(100.0 * num / np.maximum(P, 1), 1)
        else:
            cols[col] = counts[col]
    return pd.DataFrame(cols)


def _readme(seed: int) -> bytes:
    text = f"""SYNTHETIC DATA - NOT OFCOM DATA BELOW DISTRICT LEVEL

Every figure in the output-area and postcode files of this ZIP is synthetic. The files were
generated by the Digital Observatory demo generator (observatory.demo.synthetic_ofcom,
run via scripts/generate_demo_coverage.py) with seed {seed}, for demonstration only.

They use Ofcom's real file names, column names and layout (Connected Nations fixed broadband
coverage, July 2025 snapshot, release {RELEASE}), so that the observatory's readers can be shown
working, but the values are made up.

What is real: for each West Yorkshire district (Bradford E08000032, Calderdale E08000033,
Kirklees E08000034, Leeds E08000035, Wakefield E08000036), the counts in
{RELEASE}_fixed_oa_coverage_r01.csv add up exactly to Ofcom's real July 2025 local-authority table
({LAUA_CSV.name}). Nothing below district level is real: not the output-area counts, not the
residential file, not any postcode value.

Revisions: {RELEASE}_fixed_pc_coverage_r02_{REISSUED_AREA}.csv is a reissue that replaces
{RELEASE}_fixed_pc_coverage_r01_{REISSUED_AREA}.csv (kept here with deliberately stale values).
Always use the highest revision of each file.

Full fibre is not given below district level (Ofcom withholds it).
Output areas are 2011 output areas. Boundaries: ONS (OGL v3.0). District totals: Ofcom (OGL v3.0).
"""
    return text.replace("\n", "\r\n").encode("utf-8")


def _zip_write(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    zf.writestr(info, data, compresslevel=9)


def member_names() -> list[str]:
    """The ZIP's members, in the order written."""
    names = [
        "README_SYNTHETIC.txt",
        f"{RELEASE}_fixed_oa_coverage_r01.csv",
        f"{RELEASE}_fixed_oa_res_coverage_r01.csv",
    ]
    for area in AREAS:
        names.append(f"{RELEASE}_fixed_pc_coverage_r01_{area}.csv")
        if area == REISSUED_AREA:
            names.append(f"{RELEASE}_fixed_pc_coverage_r02_{area}.csv")
        names.append(f"{RELEASE}_fixed_pc_res_coverage_r01_{area}.csv")
    return names


def generate(repo_data_dir: Path, out_zip: Path, seed: int = DEFAULT_SEED) -> Path:
    """Write the SYNTHETIC release ZIP ``out_zip`` from the vendored data under
    ``repo_data_dir`` (``examples/west-yorkshire/data``); same seed, same bytes."""
    inp = _load_inputs(str(Path(repo_data_dir).resolve()))
    rng = np.random.default_rng(seed)
    model, extras = _model_oas(inp, rng)
    pcs = _postcode_frames(inp, model, extras, rng)

    members: dict[str, bytes] = {
        "README_SYNTHETIC.txt": _readme(seed),
        f"{RELEASE}_fixed_oa_coverage_r01.csv": _csv_bytes(_oa_frame(inp, model.counts)),
        f"{RELEASE}_fixed_oa_res_coverage_r01.csv": _csv_bytes(_oa_frame(inp, model.res_counts)),
    }
    gig_pct = "Gigabit availability (% premises)"
    for area in AREAS:
        df_all = pcs["all"][pcs["all"]["postcode area"] == area].reset_index(drop=True)
        df_res = pcs["res"][pcs["res"]["postcode area"] == area].reset_index(drop=True)
        if area == REISSUED_AREA:
            stale = df_all.copy()
            had = stale[gig_pct].to_numpy() > 0
            drop = had & (rng.random(len(stale)) < 0.07)
            stale.loc[drop, gig_pct] = 0.0
            members[f"{RELEASE}_fixed_pc_coverage_r01_{area}.csv"] = _csv_bytes(stale)
            members[f"{RELEASE}_fixed_pc_coverage_r02_{area}.csv"] = _csv_bytes(df_all, bom=False)
        else:
            members[f"{RELEASE}_fixed_pc_coverage_r01_{area}.csv"] = _csv_bytes(df_all)
        members[f"{RELEASE}_fixed_pc_res_coverage_r01_{area}.csv"] = _csv_bytes(df_res)

    out_zip = Path(out_zip)
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_zip.with_name(out_zip.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name in member_names():
            _zip_write(zf, name, members[name])
    tmp.replace(out_zip)
    return out_zip
