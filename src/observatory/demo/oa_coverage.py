"""West Yorkshire output areas: the vendored geography in, SYNTHETIC coverage counts out.

Method steps 1-5 of :mod:`observatory.demo.synthetic_ofcom`: premises per output area, a
spatially clustered network-quality surface, nested coverage counts with exact district totals
and the residential subset.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from observatory.demo.exact_allocation import allocate, allocate_logistic
from observatory.demo.ofcom_schema import (
    ALL,
    AREAS,
    FWA,
    GIGABIT,
    MATCHED,
    NGA,
    OA_COUNTS,
    SFBB,
    U2,
    U5,
    U10,
    U30,
    UFBB,
    UFBB100,
    USO,
    check_identities,
    with_speed_bands,
)
from observatory.sources.tabular import read_table

DISTRICTS = {
    "E08000032": "Bradford",
    "E08000033": "Calderdale",
    "E08000034": "Kirklees",
    "E08000035": "Leeds",
    "E08000036": "Wakefield",
}

LAUA_CSV = Path("coverage/ofcom_202507_fixed_laua_coverage_r01.csv")
OA_GEOJSON = Path("boundaries/wy_oa2011.geojson.gz")
POSTCODES_CSV = Path("postcodes/wy_postcode_areas_latlon_nspl_may2025.csv.gz")

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
class Inputs:
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


def _read(path: Path, text: tuple[str, ...], numeric: tuple[str, ...] | None = None) -> pd.DataFrame:
    """A vendored CSV through the one reader (sources.tabular), with the `text` columns and the
    `numeric` ones (None: every other column), every cell of which must be a number (each bad
    one is reported at once); numbers read as pandas reads them (whole numbers as integers, an
    empty cell as NaN)."""
    table = read_table(path, required=(*text, *(numeric or ())), fix="Restore the file from the repository.",
                       missing_file="Restore the vendored file from the repository.")
    numeric = numeric or tuple(c for c in table.header if c not in text)
    for column in numeric:
        table.numbers(column)
    table.done()
    df = table.frame().reset_index(drop=True)
    for column in numeric:
        df[column] = pd.to_numeric(df[column].replace("", np.nan))
    return df


@lru_cache(maxsize=4)
def load_inputs(repo_data_dir: str) -> Inputs:
    """The vendored inputs (method step 1), cached per data directory: the real district rows
    (identities checked), the repaired OAs in British National Grid, the town centres and the
    postcodes placed in the OA their centroid falls in."""
    import geopandas as gpd
    import shapely
    from pyproj import Transformer

    base = Path(repo_data_dir)
    laua = _read(base / LAUA_CSV, ("laua", "laua_name"))
    district = laua[laua["laua"].isin(list(DISTRICTS))].set_index("laua").sort_index()
    if list(district.index) != sorted(DISTRICTS):
        raise ValueError("district table lacks some West Yorkshire districts")
    check_identities(district)
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

    pc = _read(base / POSTCODES_CSV, ("postcode", "postcode_area"), ("lat", "lon"))
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

    return Inputs(
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


# --------------------------------------------------------------------------- coverage model


class SmoothField:
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


@dataclass
class OAModel:
    counts: dict[str, np.ndarray]  # all premises
    res_counts: dict[str, np.ndarray]  # residential premises
    rural: np.ndarray  # 0 up to 0.25 km2, rising to 1 at 8 km2
    fine_field: SmoothField  # orders an OA's postcodes so that well-served ones cluster
    fwa_field: SmoothField  # the same for the FWA line


def model_oas(inp: Inputs, rng: np.random.Generator) -> OAModel:
    """Method steps 2-5: premises, the quality surface, nested counts with exact district totals
    and the residential counts. Draws from ``rng`` in a fixed order: the ZIP's bytes depend on it."""
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
    f_broad = SmoothField(rng, 5.0)
    f_local = SmoothField(rng, 1.5)
    f_fwa = SmoothField(rng, 6.0)
    f_fine = SmoothField(rng, 0.35)
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
        unm = allocate_logistic(
            int(row[ALL] - row[MATCHED]), P // 4, centre[m] + 0.5 * noise[3][m], 1.0
        )
        M = P - unm
        u30 = allocate_logistic(int(row[U30]), M, badness[m], 1.5)
        u10 = allocate_logistic(int(row[U10]), u30, badness[m], 2.0)
        u5 = allocate_logistic(int(row[U5]), u10, badness[m], 2.0)
        u2 = allocate_logistic(int(row[U2]), u5, badness[m], 2.0)
        uso = allocate_logistic(int(row[USO]), u10, rural[m] - 0.5 * fwa_score[m], 2.0)
        sfbb = M - u30
        no_gig = allocate_logistic(int(row[SFBB] - row[GIGABIT]), sfbb, -quality[m], 2.0)
        no_uf = allocate_logistic(
            int(row[SFBB] - row[UFBB]), no_gig, -quality[m] + 0.5 * noise[4][m], 1.5
        )
        no_u100 = allocate_logistic(
            int(row[SFBB] - row[UFBB100]), no_uf, -quality[m] + 0.5 * noise[4][m], 1.5
        )
        nga_extra = allocate_logistic(
            int(row[NGA] - row[SFBB]), u30, -rural[m] + 0.5 * noise[5][m], 1.0
        )
        fwa = allocate_logistic(int(row[FWA]), M - uso, fwa_score[m], 1.5)
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
        for k, v in with_speed_bands(vals).items():
            c[k][m] = v

    res = _residential(c, centre, rng)
    return OAModel(counts=c, res_counts=res, rural=rural, fine_field=f_fine, fwa_field=f_fwa)


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
    return with_speed_bands(r)
