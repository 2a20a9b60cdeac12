"""The vector tile encoder against the Mapbox Vector Tile specification 2.1: command integers
worked out by hand from the specification's rules, and tiles read back by an independent decoder
(mapbox-vector-tile)."""

from __future__ import annotations

import mapbox_vector_tile
import numpy as np
import shapely
from shapely.geometry import Polygon, shape

from observatory.pipeline import mvt


def _ints(encoded: bytes) -> list[int]:
    out, value, shift = [], 0, 0
    for byte in encoded:
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            out.append(value)
            value, shift = 0, 0
    return out


def _signed_area(ring) -> float:
    pts = list(ring)
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False))


def test_commands_of_a_square_and_of_a_second_feature_follow_the_specification():
    square = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)])  # clockwise on screen (y down)
    later = Polygon([(20, 20), (22, 20), (22, 22)])
    stream, lengths = mvt._geometry_streams(np.array([square, later]))
    ints = _ints(stream)
    # MoveTo(1) = 1 | 1 << 3 = 9; LineTo(3) = 2 | 3 << 3 = 26; ClosePath(1) = 7 | 1 << 3 = 15;
    # zigzag: 10 -> 20, -10 -> 19. The second feature's cursor starts again at (0, 0): 20 -> 40.
    assert ints == [9, 0, 0, 26, 20, 0, 0, 20, 19, 0, 15,
                    9, 40, 40, 18, 4, 0, 0, 4, 15]
    assert list(lengths) == [11, 9]  # every integer here is under 128: one byte each


def test_rings_wind_as_the_specification_requires_and_read_back_the_same():
    # drawn the wrong way round: exterior anticlockwise on screen, hole clockwise
    outer = [(0, 0), (0, 40), (40, 40), (40, 0)]
    hole = [(10, 10), (20, 10), (20, 20), (10, 20)]
    donut = Polygon(outer, [hole])
    two = shapely.MultiPolygon([Polygon([(50, 50), (60, 50), (60, 60)]), Polygon([(70, 70), (80, 70), (80, 80)])])
    tile = mvt.encode("areas", np.array([donut, two]), np.array([7, 8]),
                      [{"code": "A", "name": "First"}, {"code": "B", "name": "Second"}])
    layer = mapbox_vector_tile.decode(tile, default_options={"y_coord_down": True})["areas"]
    assert layer["extent"] == 4096
    got = {f["id"]: f for f in layer["features"]}
    assert got[7]["properties"] == {"code": "A", "name": "First"}
    assert got[8]["properties"] == {"code": "B", "name": "Second"}
    assert shape(got[7]["geometry"]).normalize().equals(donut.normalize())
    assert shape(got[8]["geometry"]).normalize().equals(two.normalize())
    # in the stream itself: exterior positive area, hole negative (y down)
    stream, _ = mvt._geometry_streams(np.array([donut]))
    ints = _ints(stream)
    rings, at, cursor = [], 0, (0, 0)
    while at < len(ints):
        points = []
        for count_at in (at, at + 3):
            count = ints[count_at] >> 3
            for k in range(count):
                dx, dy = (ints[count_at + 1 + 2 * k + j] for j in (0, 1))
                dx, dy = (dx >> 1) ^ -(dx & 1), (dy >> 1) ^ -(dy & 1)
                cursor = (cursor[0] + dx, cursor[1] + dy)
                points.append(cursor)
        at += 3 + 2 * len(points) + 1
        rings.append(points + points[:1])
    assert _signed_area(rings[0]) > 0 and _signed_area(rings[1]) < 0
