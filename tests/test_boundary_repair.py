"""Invalid boundary polygons are repaired to make_valid's answer, part by part.

The expected areas are worked out by hand from the coordinates; the real districts are compared
with shapely's make_valid on each whole district (the repair the build made before).
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely

from observatory.sources.boundaries import _polygonal, repaired

ROOT = Path(__file__).resolve().parents[1]


def square(x: float, y: float, side: float = 1.0) -> shapely.Polygon:
    return shapely.box(x, y, x + side, y + side)


def test_a_bowtie_becomes_its_two_triangles():
    # corners (0,0) (4,4) (4,0) (0,4): the edges cross at (2,2), leaving two triangles of
    # base 4 and height 2, area 4 each
    out = repaired(np.array([shapely.Polygon([(0, 0), (4, 4), (4, 0), (0, 4)])]))[0]
    assert out.is_valid
    assert shapely.get_num_geometries(out) == 2
    assert out.area == pytest.approx(8.0)


def test_overlapping_parts_are_merged_and_distant_parts_kept():
    # squares [0,2]x[0,2] and [1,3]x[1,3] overlap in [1,2]x[1,2]: 4 + 4 - 1 = 7, one polygon;
    # the unit square at (10,10) touches neither and stays a part of its own
    area = shapely.MultiPolygon([square(0, 0, 2), square(1, 1, 2), square(10, 10)])
    out = repaired(np.array([area]))[0]
    assert out.is_valid
    assert shapely.get_num_geometries(out) == 2
    assert out.area == pytest.approx(8.0)
    assert out.contains(shapely.Point(2.5, 2.5)) and out.contains(shapely.Point(10.5, 10.5))


def test_a_chain_of_meeting_parts_is_merged_whole_and_two_chains_stay_two():
    # A touches B, B touches C (A and C apart): one part of area 3; D touches E, far away: area 2;
    # F alone: area 1. Merging must follow chains, not only the pairs that meet directly.
    chain = [square(0, 0), square(1, 0), square(2, 0)]  # edges shared at x = 1 and x = 2
    pair = [square(20, 20), square(20, 21)]  # edge shared at y = 21
    area = shapely.MultiPolygon([chain[2], pair[1], square(40, 40), chain[0], pair[0], chain[1]])
    out = repaired(np.array([area]))[0]
    assert out.is_valid
    assert sorted(shapely.area(shapely.get_parts(out))) == pytest.approx([1.0, 2.0, 3.0])


def test_parts_sharing_an_edge_become_one():
    # [0,1]x[0,1] and [1,2]x[0,1] share the edge x = 1: invalid as two parts, one 2x1 rectangle
    out = repaired(np.array([shapely.MultiPolygon([square(0, 0), square(1, 0)])]))[0]
    assert out.is_valid
    assert out.geom_type == "Polygon"
    assert out.area == pytest.approx(2.0)
    assert shapely.equals(out, shapely.box(0, 0, 2, 1))


def test_a_bowtie_part_beside_a_valid_part_keeps_both():
    bowtie = shapely.Polygon([(0, 0), (4, 4), (4, 0), (0, 4)])
    out = repaired(np.array([shapely.MultiPolygon([bowtie, square(10, 0)])]))[0]
    assert out.is_valid
    assert shapely.get_num_geometries(out) == 3
    assert out.area == pytest.approx(8.0 + 1.0)


def test_a_part_enclosing_nothing_is_dropped():
    # a ring that runs out along y = 0 and back encloses no area: nothing of it is kept, alone
    # or beside a real part
    flat = shapely.Polygon([(0, 0), (1, 0), (2, 0), (1, 0)])
    alone, beside = repaired(np.array([flat, shapely.MultiPolygon([flat, square(5, 5)])]))
    assert alone.is_empty and repaired(np.array([flat]))[0].is_empty
    assert beside.is_valid and shapely.get_num_geometries(beside) == 1
    assert shapely.equals(beside, square(5, 5))


@pytest.mark.slow
def test_the_uk_districts_come_out_as_make_valid_makes_them():
    raw = gzip.decompress((ROOT / "examples/west-yorkshire/data/boundaries/uk_lad2025_bgc.geojson.gz").read_bytes())
    geoms = pyogrio.read_dataframe(io.BytesIO(raw)).geometry.to_numpy()
    invalid = geoms[~shapely.is_valid(geoms)]
    assert len(invalid) > 50  # the generalised file has districts that cross themselves
    expected = np.array([_polygonal(g) for g in shapely.make_valid(invalid, method="structure", keep_collapsed=False)])
    out = repaired(invalid)
    assert shapely.is_valid(out).all()
    assert np.allclose(shapely.area(out), shapely.area(expected), rtol=1e-9, atol=0)
    differ = [shapely.area(shapely.symmetric_difference(a, b)) for a, b in zip(out, expected, strict=True)]
    assert max(differ) < 1e-12  # square degrees: under a hundredth of a square metre
