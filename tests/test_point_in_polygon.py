"""PolygonIndex must give exactly what geopandas.sjoin(predicate="within") gives.

Boundary convention under test: "within" means strictly inside, so a point on an edge or vertex
(including an edge shared by two neighbouring areas) belongs to no polygon and gets -1. Where
polygons overlap, the lowest index wins.
"""

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from observatory.geography import point_in_polygon
from observatory.geography.point_in_polygon import PolygonIndex
from observatory.geography.polygon_edges import polygon_edges

ROOT = Path(__file__).parents[1]
WY_OA = ROOT / "examples/west-yorkshire/data/boundaries/wy_oa2011.geojson.gz"
WY_POSTCODES = "examples/west-yorkshire/data/postcodes/wy_postcode_areas_latlon_nspl_may2025.csv.gz"


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
    monkeypatch.setattr(point_in_polygon, "_RAY_CHUNK", 33)
    monkeypatch.setattr(point_in_polygon, "_BLOCK", 2000)
    np.testing.assert_array_equal(idx.assign(x, y), whole)
    assert idx.assign(np.array([]), np.array([])).shape == (0,)
    with pytest.raises(ValueError):
        idx.assign(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError):
        PolygonIndex([shapely.Point(0, 0)])


def contains_reference(geoms: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """GEOS point by point: lowest index of a polygon whose interior holds the point, else -1."""
    hits = np.array([shapely.contains_xy(g, x, y) for g in geoms])
    return np.where(hits.any(axis=0), hits.argmax(axis=0), -1)


def test_ring_orientation_does_not_matter():
    # The same areas with every ring reversed: the winding count is normalised per ring.
    holed = shapely.Polygon([(0, 0), (6, 0), (6, 6), (0, 6)], [[(2, 2), (2, 4), (4, 4), (4, 2)]])
    other = shapely.Polygon([(6, 0), (9, 0), (9, 6), (6, 6)])
    x = np.array([1, 3, 5, 7, 6, 2, 10, 6, 3])
    y = np.array([1, 3, 5, 3, 3, 3, 3, 6, 2])
    want = [0, -1, 0, 1, -1, -1, -1, -1, -1]  # shell, hole, shell, other, shared edge, hole edge...
    for geoms in ([holed, other], [shapely.reverse(holed), shapely.reverse(other)]):
        geoms = np.array(geoms)
        assert shapely.is_ccw(geoms[0].exterior) != shapely.is_ccw(geoms[0].interiors[0])
        np.testing.assert_array_equal(PolygonIndex(geoms).assign(x, y), want)
    mixed = shapely.Polygon(holed.exterior.coords[::-1], [holed.interiors[0].coords])
    np.testing.assert_array_equal(PolygonIndex([mixed, other]).assign(x, y), want)


def test_points_level_with_vertices_and_along_long_edges():
    # A long horizontal edge spans many cells: a point on it (far from its vertices) and points
    # level with it must still be exact, as must points level with a vertex of a spike.
    spike = shapely.Polygon([(0, 0), (100, 0), (100, 1), (50, 1), (49.5, 7), (49, 1), (0, 1)])
    block = shapely.box(0, 1, 40, 3)  # shares part of the top edge of `spike`
    geoms = np.array([spike, block])
    xs = np.r_[np.linspace(-1, 101, 205), np.linspace(48, 51, 13)]
    ys = np.r_[np.ones(205), np.full(13, 7.0)]
    x = np.r_[xs, xs, xs, 49.5, 49.25, 49.75]
    y = np.r_[ys, np.zeros(218), np.full(218, 0.5), 7.0, 4.0, 4.0]
    got = PolygonIndex(geoms, cell_size=0.37).assign(x, y)
    np.testing.assert_array_equal(got, contains_reference(geoms, x, y))
    np.testing.assert_array_equal(got, sjoin_within(geoms, x, y))
    on_top = (xs[:205] <= 49) | (xs[:205] >= 50)  # the spike's foot (49, 50) is interior
    assert (got[:205][on_top] == -1).all() and (got[:205][~on_top] == 0).all()


def test_points_within_round_off_of_edges_and_vertices():
    # Diagonal edges, and points one ulp either side of them and of their vertices.
    tri = shapely.Polygon([(0.1, 0.2), (3.7, 0.9), (1.3, 2.9)])
    quad = shapely.Polygon([(3.7, 0.9), (5.1, 2.2), (1.3, 2.9)])  # shares the long edge
    geoms = np.array([tri, quad])
    coords = shapely.get_coordinates(geoms)
    t = np.linspace(0, 1, 41)[:, None]
    on = np.concatenate(
        [coords[i] + t * (coords[i + 1] - coords[i]) for i in range(len(coords) - 1)]
    )
    pts = np.concatenate([on, coords])
    x = np.concatenate(
        [pts[:, 0], np.nextafter(pts[:, 0], -np.inf), np.nextafter(pts[:, 0], np.inf)]
    )
    y = np.concatenate(
        [pts[:, 1], np.nextafter(pts[:, 1], np.inf), np.nextafter(pts[:, 1], -np.inf)]
    )
    for cell in (None, 0.05, 0.9):
        got = PolygonIndex(geoms, cell_size=cell).assign(x, y)
        np.testing.assert_array_equal(got, contains_reference(geoms, x, y))
    assert (got >= 0).any() and (got == -1).any()


def test_multipolygons_holes_touching_and_outside_points():
    # A hole touching its shell at the shell's first vertex; a multipolygon whose parts touch at a
    # vertex; an empty geometry keeping its index; points far outside everything.
    touching = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(0, 0), (2, 1), (1, 2)]])
    assert touching.is_valid
    parts = shapely.MultiPolygon([shapely.box(5, 0, 6, 1), shapely.box(6, 1, 7, 2)])
    geoms = np.array([touching, shapely.Polygon(), parts])
    rng = np.random.default_rng(3)
    g = rng.integers(-4, 40, size=(2000, 2)) / 4
    x = np.r_[g[:, 0], 1, 6, -1e9, 1e9, 3, 0.5]
    y = np.r_[g[:, 1], 1, 1, 0.5, 0.5, -1e300, 0.6]
    got = PolygonIndex(geoms).assign(x, y)
    np.testing.assert_array_equal(got, contains_reference(geoms, x, y))
    np.testing.assert_array_equal(got, sjoin_within(geoms, x, y))
    assert (got != 1).all() and (got == 2).any() and (got[-6:-1] == -1).all()
    assert PolygonIndex([]).assign(np.array([0.0]), np.array([0.0])).tolist() == [-1]
    assert PolygonIndex([shapely.Polygon()]).assign(np.array([0.0]), np.array([0.0])).tolist() == [
        -1
    ]


def test_few_large_detailed_polygons():
    # Districts with coastlines: a few polygons with thousands of edges each (the grid is sized
    # from the edge count), including a hole and a part touching another at one vertex.
    disc = shapely.Point(0, 0).buffer(10, quad_segs=1024)
    holed = disc.difference(shapely.Point(2, 1).buffer(3, quad_segs=512))
    blob = shapely.Point(20, 0).buffer(10, quad_segs=700)
    geoms = polygonal(np.array([holed, blob]))
    rng = np.random.default_rng(5)
    coords = shapely.get_coordinates(geoms)
    x = np.r_[rng.uniform(-12, 32, 20_000), coords[::7, 0], (coords[:-1, 0] + coords[1:, 0]) / 2]
    y = np.r_[rng.uniform(-12, 12, 20_000), coords[::7, 1], (coords[:-1, 1] + coords[1:, 1]) / 2]
    got = PolygonIndex(geoms).assign(x, y)
    np.testing.assert_array_equal(got, contains_reference(geoms, x, y))
    assert (got == 0).any() and (got == 1).any() and (got == -1).any()


def test_overlapping_and_invalid_polygons_fall_back_to_geos():
    # Overlaps (valid polygons) and invalid rings make winding counts other than 0 or 1; those
    # points are decided by GEOS, so the answer is still GEOS's.
    bowtie = shapely.Polygon([(0, 0), (4, 4), (4, 0), (0, 4)])
    overlapping_parts = shapely.MultiPolygon([shapely.box(5, 0, 8, 3), shapely.box(6, 1, 9, 4)])
    assert not bowtie.is_valid and not overlapping_parts.is_valid
    under = shapely.box(-1, -1, 10, 5)
    geoms = np.array([bowtie, overlapping_parts, under])
    rng = np.random.default_rng(4)
    x, y = rng.uniform(-2, 11, 3000), rng.uniform(-2, 6, 3000)
    got = PolygonIndex(geoms).assign(x, y)
    np.testing.assert_array_equal(got, sjoin_within(geoms, x, y))
    assert {0, 1, 2} <= set(got.tolist())


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


def test_long_runs_cast_rays_both_ways_and_stay_exact():
    # Side-by-side strips with slanted edges make long runs of boundary cells in every row: cells
    # near a run's left end cast their rays left, the others right. Points on, one ulp either
    # side of, and level with the edges and vertices, and on the grid lines, must all get GEOS's
    # answer, whichever way their ray goes.
    xs = np.arange(0, 21, 1.0)
    strips = [
        shapely.Polygon([(a, 0), (b, 0), (b + 0.3, 5), (a + 0.3, 5)])
        for a, b in zip(xs[:-1], xs[1:], strict=True)
    ]
    geoms = np.array([*strips, shapely.box(-3, 6, 23, 7)])  # a wide block: a run across it
    index = PolygonIndex(geoms, cell_size=0.25)
    grid = index._grid
    assert (grid.mirror < 0).any() and (grid.mirror > 0).any()
    coords = shapely.get_coordinates(geoms)
    t = np.linspace(0, 1, 17)[:, None]
    on = np.concatenate(
        [coords[i] + t * (coords[i + 1] - coords[i]) for i in range(len(coords) - 1)]
    )
    rng = np.random.default_rng(7)
    grid_lines = np.c_[rng.integers(-16, 96, 3000) * 0.25, rng.integers(-4, 32, 3000) * 0.25]
    free = rng.uniform([-4, -1], [24, 8], size=(3000, 2))
    pts = np.r_[on, grid_lines, free]
    x = np.r_[pts[:, 0], np.nextafter(pts[:, 0], -np.inf), np.nextafter(pts[:, 0], np.inf)]
    y = np.r_[pts[:, 1], np.nextafter(pts[:, 1], np.inf), np.nextafter(pts[:, 1], -np.inf)]
    got = index.assign(x, y)
    np.testing.assert_array_equal(got, contains_reference(geoms, x, y))
    # Both directions were exercised by points that needed a ray test.
    bid = -2 - grid.labels[grid.cell_of(x.copy(), y.copy())]
    tested = bid[bid >= 0]
    assert (grid.mirror[tested] < 0).sum() > 100 and (grid.mirror[tested] > 0).sum() > 100


def test_ray_lists_hold_every_edge_a_ray_can_cross():
    # Brute force over all edges: every edge crossing a boundary cell's row band between the cell
    # and the clear cell ending its ray (left or right) is in the cell's list.
    rng = np.random.default_rng(11)
    stars = [
        _star(int(cx), int(cy), list(rng.integers(2, 8, 9)))
        for cx, cy in rng.integers(0, 30, size=(12, 2))
    ]
    geoms = polygonal(np.array(stars, dtype=object))
    grid = PolygonIndex(geoms, cell_size=0.7)._grid
    edges = polygon_edges(geoms)
    ylo, yhi = np.minimum(edges.ay, edges.by), np.maximum(edges.ay, edges.by)
    slope = edges.slope_xy()
    bcell = np.flatnonzero(grid.labels < -1)
    for cell in rng.choice(bcell, 300, replace=False):
        k = -2 - grid.labels[cell]
        row, col = divmod(int(cell), grid.nx)
        step = int(grid.mirror[k])  # +1: the ray runs right, -1: left
        end = col
        while grid.labels[row * grid.nx + end] < -1:
            end += step
        assert grid.labels[row * grid.nx + end] >= -1  # the ray ends in a clear cell
        lo, hi = (col, end) if step > 0 else (end + 1, col + 1)  # columns the ray spans
        x_lo, x_hi = grid.x0 + lo * grid.h, grid.x0 + hi * grid.h
        y_lo, y_hi = grid.y0 + row * grid.h, grid.y0 + (row + 1) * grid.h
        c0, c1 = np.maximum(ylo, y_lo), np.minimum(yhi, y_hi)
        xa, xb = edges.ax + (c0 - edges.ay) * slope, edges.ax + (c1 - edges.ay) * slope
        must = (c0 < c1) & (np.maximum(xa, xb) > x_lo) & (np.minimum(xa, xb) < x_hi)
        listed = grid.rows[grid.list_start[k] : grid.list_end[k]]
        have = {(x * step, a, b) for x, a, b in listed[:, :3].tolist()}
        for i in np.flatnonzero(must):
            assert (edges.ax[i], edges.ay[i], edges.by[i]) in have, (int(cell), int(i))


def test_wy_points_where_people_live_match_sjoin(wy_oas):
    # Dense town-centre points, where most boundary cells are and runs are longest: around real
    # postcode centroids (jittered by up to ~50 m) and in random output areas' bounding boxes.
    pc = pd.read_csv(ROOT / WY_POSTCODES, usecols=["lat", "lon"])
    rng = np.random.default_rng(8)
    k = rng.integers(0, len(pc), 20_000)
    x = pc["lon"].to_numpy()[k] + rng.uniform(-7e-4, 7e-4, len(k))
    y = pc["lat"].to_numpy()[k] + rng.uniform(-4.5e-4, 4.5e-4, len(k))
    bb = shapely.bounds(wy_oas)
    a = rng.integers(0, len(wy_oas), 20_000)
    x = np.r_[x, rng.uniform(bb[a, 0], bb[a, 2])]
    y = np.r_[y, rng.uniform(bb[a, 1], bb[a, 3])]
    index = PolygonIndex(wy_oas)
    got = index.assign(x, y)
    np.testing.assert_array_equal(got, sjoin_within(wy_oas, x, y))
    grid = index._grid
    in_boundary_cells = grid.labels[grid.cell_of(x.copy(), y.copy())] < -1
    assert in_boundary_cells.mean() > 0.3  # the points this test is about


def test_layers_place_points_among_only_the_nearby_areas_with_the_same_answer():
    """Layers.positions indexes only the areas whose boxes meet the points' box (a region's postcodes
    among the UK's districts); the answers must be sjoin's over the whole layer, overlaps included,
    for a first set of points and for a later one further afield."""
    from observatory.geography.membership import Layers
    from observatory.sources.boundaries import Boundaries

    # a row of 40 squares, the fourth overlapped by a later, wider box (lowest index wins)
    geoms = np.array([shapely.box(i, 0, i + 1, 1) for i in range(40)] + [shapely.box(2.5, 0, 5.5, 1)],
                     dtype=object)
    codes = np.array([f"A{i:02d}" for i in range(len(geoms))], dtype=object)
    layers = Layers({"lad": Boundaries("lad", "test", codes, codes, geoms, 0, None)})
    rng = np.random.default_rng(7)
    indexed = []
    for lo, hi in ((2.0, 6.0), (30.0, 41.0)):  # then points beyond the first box: indexed again
        x, y = rng.uniform(lo, hi, 2000), rng.uniform(-0.2, 1.2, 2000)
        x[:3], y[:3] = np.nan, np.nan
        expected = sjoin_within(geoms, x, y)
        np.testing.assert_array_equal(layers.positions("lad", x, y), expected)
        indexed.append(list(layers._near["lad"].ids))
    # the points lie a little right of x = 2: squares 2-5 and the wide box meet them; then squares 2-40
    assert indexed == [[2, 3, 4, 5, 40], list(range(2, 41))]
    np.testing.assert_array_equal(layers.positions("lad", np.array([np.nan]), np.array([np.nan])), [-1])
    far = Layers({"lad": Boundaries("lad", "test", codes, codes, geoms, 0, None)})  # no area's box meets the point
    np.testing.assert_array_equal(far.positions("lad", np.array([100.0]), np.array([50.0])), [-1])
