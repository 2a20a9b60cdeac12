"""Vector tiles (/api/v1/tiles): the same areas as the GeoJSON layers, in the places the GeoJSON
puts them. Tile numbers and the projection are worked out here from the XYZ / Web Mercator
definitions, independently of the server's code."""

from __future__ import annotations

import json
import math
import random

import mapbox_vector_tile
import pytest
import shapely
from shapely.geometry import shape

RADIUS = 6378137.0


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def to_lonlat(geom, z: int, x: int, y: int, extent: int):
    """A geometry in tile units (y down) back in longitude and latitude."""
    n = 2**z

    def convert(px: float, py: float) -> tuple[float, float]:
        fx, fy = (x + px / extent) / n, (y + py / extent) / n
        return fx * 360 - 180, math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * fy))))

    return shapely.transform(geom, lambda xy: [convert(*p) for p in xy])


def decode(body: bytes) -> dict:
    return mapbox_vector_tile.decode(body, default_options={"y_coord_down": True})["areas"]


@pytest.fixture(scope="module")
def oa_layer(real_client):
    return json.loads(real_client.get("/api/v1/geometry/oa").content)


def test_tiles_hold_every_area_where_the_geojson_has_it(real_client, oa_layer):
    z = 10
    codes = {f["properties"]["code"]: shape(f["geometry"]) for f in oa_layer["features"]}
    x0, y0, x1, y1 = shapely.total_bounds(list(codes.values()))
    (tx0, ty0), (tx1, ty1) = tile_of(x0, y1, z), tile_of(x1, y0, z)
    seen: dict[str, list] = {}
    for tx in range(tx0, tx1 + 1):
        for ty in range(ty0, ty1 + 1):
            r = real_client.get(f"/api/v1/tiles/oa/{z}/{tx}/{ty}.pbf")
            if r.status_code == 204:
                continue
            assert r.status_code == 200 and r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
            layer = decode(r.content)
            for f in layer["features"]:
                geom = to_lonlat(shape(f["geometry"]), z, tx, ty, layer["extent"])
                seen.setdefault(f["properties"]["code"], []).append(geom)
    assert set(seen) == set(codes)  # every output area, none invented
    # Each area, put together from its tiles, covers the same ground as its GeoJSON shape (the
    # tiles keep what lies up to a buffer past their edge, so clip to the shape's own box).
    for code in random.Random(1).sample(sorted(codes), 300):
        original = codes[code]
        rebuilt = shapely.clip_by_rect(shapely.union_all(seen[code]), *original.bounds)
        overlap = shapely.area(shapely.intersection(original, rebuilt)) / shapely.area(shapely.union(original, rebuilt))
        assert overlap > 0.9, (code, overlap)


def test_tile_without_areas_is_empty_and_bad_numbers_are_not_found(real_client):
    atlantic = tile_of(-30.0, 50.0, 8)
    assert real_client.get(f"/api/v1/tiles/ward/8/{atlantic[0]}/{atlantic[1]}.pbf").status_code == 204
    assert real_client.get("/api/v1/tiles/ward/8/256/0.pbf").status_code == 404  # x runs to 2^8 - 1
    assert real_client.get("/api/v1/tiles/county/8/0/0.pbf").status_code == 422  # no such level


def test_tile_is_gzipped_with_an_etag_and_revalidates(real_client):
    x, y = tile_of(-1.55, 53.8, 9)  # Leeds
    r = real_client.get(f"/api/v1/tiles/ward/9/{x}/{y}.pbf", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    names = {f["properties"]["name"] for f in decode(r.content)["features"]}
    assert "Headingley & Hyde Park" in names
    again = real_client.get(f"/api/v1/tiles/ward/9/{x}/{y}.pbf", headers={"If-None-Match": r.headers["etag"],
                                                                        "Accept-Encoding": "gzip"})
    assert again.status_code == 304
    plain = real_client.get(f"/api/v1/tiles/ward/9/{x}/{y}.pbf", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == r.content
