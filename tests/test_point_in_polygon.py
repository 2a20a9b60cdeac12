"""PolygonIndex must give exactly what geopandas.sjoin(predicate="within") gives.

Boundary convention under test: "within" means strictly inside, so a point on an edge or vertex
(including an edge shared by two neighbouring areas) belongs to no polygon and gets -1. Where
polygons overlap, the lowest index wins.
"""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from observatory.geography import point_in_polygon
from observatory.geography.point_in_polygon import PolygonIndex

ROOT = Path(__file__).parents[1]
WY_OA = ROOT / "examples/west-yorkshire/data/boundaries/wy_oa2011.geojson.gz"


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """make_valid, then keep only the polygonal parts (as one MultiPolygon per input)."""
    valid = shapely.make_valid(np.asarray(geoms, dtype=object))
    parts, idx = shapely.get_parts(valid, return_index=True)
    sub, sub_idx = shapely.get_parts(parts, return_index=True)  # flattens nested multi-parts
    idx = idx[sub_idx]
    keep = shapely.get_type_id(sub) == 3
    return shapely.multipolygons(sub[keep], indices=idx[keep])


def sjoin_within(geoms: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Reference: lowest polygon index from geopandas' spatial join, -1 for no match / NaN."""
    out = np.full(len(x), -1, dtype=np.int64)
    finite = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x[finite], y[finite]), crs=4326)
    polys = gpd.GeoDataFrame(geometry=geoms, crs=4326)
    j = gpd.sjoin(pts, polys, predicate="within", how="inner")
    best = j["index_right"].groupby(level=0).min()
    out[finite[best.index.to_numpy()]] = best.to_numpy()
    return out


@pytest.fixture(scope="module")
def wy_oas() -> np.ndarray:
    raw = gpd.read_file(f"/vsigzip/{WY_OA}")
    assert len(raw) == 7131
    return polygonal(raw.geometry.values)


def test_wy_output_areas_match_sjoin(wy_oas):
    rng = np.random.default_rng(42)
    xmin, ymin, xmax, ymax = shapely.total_bounds(wy_oas)
    pad = 0.05 * (xmax - xmin)  # some points fall outside every polygon
    n = 50_000
    x = rng.uniform(xmin - pad, xmax + pad, n)
    y = rng.uniform(ymin - pad, ymax + pad, n)
    # Real vertices (on boundaries: -1) and edge midpoints (on or a rounding error off an edge).
    coords = shapely.get_coordinates(wy_oas)
    i = rng.choice(len(coords) - 1, 2_000, replace=False)
    verts, mids = coords[i], (coords[i] + coords[i + 1]) / 2
    x = np.r_[x, verts[:, 0], mids[:, 0], np.nan, 0.0, np.nan, np.inf]
    y = np.r_[y, verts[:, 1], mids[:, 1], 53.7, np.nan, np.nan, 53.7]

    got = PolygonIndex(wy_oas).assign(x, y)
    want = sjoin_within(wy_oas, x, y)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, want)
    assert (got[:n] >= 0).mean() > 0.4 and (got[:n] == -1).any()
    assert (got[n : n + len(verts)] == -1).all()  # vertices are on a boundary
    assert (got[-4:] == -1).all()  # non-finite coordinates


def test_shared_edge_and_vertex_belong_to_neither():
    squares = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)])
    x = np.array([0.5, 1.5, 1.0, 1.0, 1.0, 0.0, 1 - 1e-12, 1 + 1e-12, 2.0, 3.0])
    y = np.array([0.5, 0.5, 0.5, 0.0, 1.0, 0.5, 0.5, 0.5, 1.0, 0.5])
    got = PolygonIndex(squares).assign(x, y)
    #              in A, in B, shared edge, shared vertices, outer edge, just either side, corner, out
    np.testing.assert_array_equal(got, [0, 1, -1, -1, -1, -1, 0, 1, -1, -1])
    np.testing.assert_array_equal(got, sjoin_within(squares, x, y))


def test_overlap_takes_lowest_index():
    geoms = np.array([shapely.box(2, 0, 4, 2), shapely.box(0, 0, 3, 2), shapely.box(1, 0, 3, 2)])
    x, y = np.array([0.5, 1.5, 2.5, 3.5]), np.full(4, 1.0)
    got = PolygonIndex(geoms).assign(x, y)
    np.testing.assert_array_equal(got, [1, 1, 0, 0])
    np.testing.assert_array_equal(got, sjoin_within(geoms, x, y))


def test_multipolygon_with_hole_and_island():
    holed = shapely.Polygon(
        [(0, 0), (10, 0), (10, 10), (0, 10)], [[(3, 3), (7, 3), (7, 7), (3, 7)]]
    )
    multi = shapely.MultiPolygon([holed, shapely.box(20, 0, 22, 2)])
    island = shapely.box(4, 4, 6, 6)  # sits in the hole
    geoms = np.array([multi, island])
    x = np.array([1, 3.5, 5, 3, 7, 4, 21, 15, 8, 6.5])
    y = np.array([1, 5.0, 5, 5, 7, 5, 1, 1, 8, 6.5])
    got = PolygonIndex(geoms).assign(x, y)
    # ring, hole, island, hole edge, hole corner, island edge, 2nd part, gap, ring, hole
    np.testing.assert_array_equal(got, [0, -1, 1, -1, -1, -1, 0, -1, 0, -1])
    np.testing.assert_array_equal(got, sjoin_within(geoms, x, y))


def test_chunking_and_edge_cases(wy_oas, monkeypatch):
    idx = PolygonIndex(wy_oas[:500])
    rng = np.random.default_rng(1)
    xmin, ymin, xmax, ymax = shapely.total_bounds(wy_oas[:500])
    x, y = rng.uniform(xmin, xmax, 5_000), rng.uniform(ymin, ymax, 5_000)
    whole = idx.assign(x, y)
    monkeypatch.setattr(point_in_polygon, "_CHUNK", 777)
    np.testing.assert_array_equal(idx.assign(x, y), whole)
    assert idx.assign(np.array([]), np.array([])).shape == (0,)
    with pytest.raises(ValueError):
        idx.assign(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError):
        PolygonIndex([shapely.Point(0, 0)])


def _star(cx: int, cy: int, radii: list[int]) -> shapely.Geometry:
    """A star-shaped ring on the integer lattice (so lattice points often hit edges/vertices)."""
    ang = np.linspace(0, 2 * np.pi, len(radii), endpoint=False)
    return shapely.Polygon(
        np.c_[np.round(cx + np.cos(ang) * radii), np.round(cy + np.sin(ang) * radii)]
    )


polygon_st = st.one_of(
    st.builds(
        lambda x, y, w, h: shapely.box(x, y, x + w, y + h),
        st.integers(0, 20),
        st.integers(0, 20),
        st.integers(1, 10),
        st.integers(1, 10),
    ),
    st.builds(
        _star,
        st.integers(0, 20),
        st.integers(0, 20),
        st.lists(st.integers(1, 8), min_size=3, max_size=12),
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    polys=st.lists(polygon_st, min_size=1, max_size=6),
    cell=st.one_of(st.none(), st.sampled_from([0.3, 1.0, 2.5, 7.0])),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_matches_shapely_contains_xy(polys, cell, seed):
    geoms = polygonal(np.array(polys, dtype=object))
    geoms = geoms[~shapely.is_empty(geoms) & ~shapely.is_missing(geoms)]
    if len(geoms) == 0:
        return
    rng = np.random.default_rng(seed)
    lattice = rng.integers(-2, 32, size=(400, 2)) / rng.choice([1, 2, 4])  # vertices, edges
    free = rng.uniform(-2, 32, size=(400, 2))
    pts = np.r_[lattice, free, shapely.get_coordinates(geoms)]
    got = PolygonIndex(geoms, cell_size=cell).assign(pts[:, 0], pts[:, 1])
    hits = np.array([shapely.contains_xy(g, pts[:, 0], pts[:, 1]) for g in geoms])
    want = np.where(hits.any(axis=0), hits.argmax(axis=0), -1)
    np.testing.assert_array_equal(got, want)
