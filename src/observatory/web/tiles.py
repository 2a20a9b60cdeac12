"""Map layers as Mapbox Vector Tiles, cut on request from the same simplified shapes as the
GeoJSON layers (geo.py) and kept.

Why tiles: a browser handed the 7,131 output areas as one GeoJSON layer (3.9 MB) has to parse it
and cut it into tiles itself before drawing anything; served as tiles, it decodes a few hundred
kilobytes of them and draws (benchmarks/bench_map.py). Each tile holds the areas that touch it, in
the tile's own integer grid (4,096 units a side, as the Mapbox Vector Tile specification 2.1
recommends), snapped to that grid with `shapely.set_precision`, which keeps the polygons valid
and drops detail finer than a unit: at the region's overview (zoom 8, a unit is about 23 m on
the ground here) the shapes are far lighter, and zoomed in they keep every simplified vertex.
An area smaller than a unit at a zoom may vanish at that zoom and reappears zoomed in, as on any
tiled map.

Features carry the area's code and name, and its position in the level's GeoJSON layer (+ 1) as
their id, so pages colour them by code exactly as they did the GeoJSON.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import shapely

from ..errors import NotFoundError
from . import mvt
from .geo import Layer, Layers

EXTENT = 4096
# Areas reaching this far (in tile units) past the tile's edge are kept, so that outlines meet
# across tile seams without gaps.
BUFFER = 64
MAX_ZOOM = 16
# Spherical Web Mercator (EPSG:3857), the projection XYZ tiles are defined in.
RADIUS = 6378137.0
HALF_WORLD = math.pi * RADIUS
MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
TILE_PATH = "/api/v1/tiles/"


@dataclass(frozen=True)
class Tile:
    body: bytes
    gzipped: bytes
    etag: str
    features: int


def mercator(lonlat: np.ndarray) -> np.ndarray:
    x = np.radians(lonlat[:, 0]) * RADIUS
    y = np.log(np.tan(np.pi / 4 + np.radians(lonlat[:, 1]) / 2)) * RADIUS
    return np.column_stack([x, y])


class _LevelTiles:
    """One level's shapes in Web Mercator with a spatial index, to cut tiles from."""

    def __init__(self, layer: Layer) -> None:
        self.layer = layer
        self.geoms = shapely.transform(layer.geoms, mercator)
        self.tree = shapely.STRtree(self.geoms)

    def cut(self, z: int, x: int, y: int) -> Tile | None:
        size = 2 * HALF_WORLD / 2**z
        x0, y1 = -HALF_WORLD + x * size, HALF_WORLD - y * size
        pad = size * BUFFER / EXTENT
        box = (x0 - pad, y1 - size - pad, x0 + size + pad, y1 + pad)
        found = self.tree.query(shapely.box(*box))
        if not len(found):
            return None
        found.sort()
        scale = EXTENT / size

        def to_grid(xy: np.ndarray) -> np.ndarray:
            # Tile units: x from the tile's west edge, y downwards from its north edge.
            return np.column_stack([(xy[:, 0] - x0) * scale, (y1 - xy[:, 1]) * scale])

        shapes = shapely.transform(shapely.clip_by_rect(self.geoms[found], *box), to_grid)
        shapes = shapely.set_precision(shapes, 1.0)
        polygonal = ~shapely.is_empty(shapes) & np.isin(shapely.get_type_id(shapes), (3, 6))
        found, shapes = found[polygonal], shapes[polygonal]
        if not len(found):
            return None
        properties = [{"code": self.layer.codes[i], "name": self.layer.names[i] or ""} for i in found]
        body = mvt.encode("areas", shapes, found + 1, properties, EXTENT)
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return Tile(body, gzip.compress(body, compresslevel=6, mtime=0), etag, len(found))


class Tiles:
    """The tiles of every level, cut on first request and kept (least recently used go first
    once `budget` bytes are held). Like `Layers`, one store's tiles never change; a rebuilt
    store gets a new `Tiles`."""

    def __init__(self, layers: Layers, budget: int = 128 * 2**20) -> None:
        self._layers = layers
        self._levels: dict[str, _LevelTiles] = {}
        self._kept: OrderedDict[tuple[str, int, int, int], Tile | None] = OrderedDict()
        self._held = 0
        self._budget = budget
        self._lock = threading.Lock()

    def cached(self, level: str, z: int, x: int, y: int) -> tuple[bool, Tile | None]:
        """(True, the tile or None) if it has been cut already; (False, None) if not."""
        key = (level, z, x, y)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return True, self._kept[key]
        return False, None

    def get(self, level: str, z: int, x: int, y: int) -> Tile | None:
        """The tile, or None where the level has no area."""
        if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
            raise NotFoundError(f"No tile {z}/{x}/{y}: zoom runs from 0 to {MAX_ZOOM}, and x and y "
                                f"from 0 to 2^zoom - 1.")
        key = (level, z, x, y)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        tile = self._level(level).cut(z, x, y)
        with self._lock:
            if key not in self._kept:
                self._kept[key] = tile
                self._held += len(tile.body) + len(tile.gzipped) if tile else 0
                while self._held > self._budget and len(self._kept) > 1:
                    _, old = self._kept.popitem(last=False)
                    self._held -= len(old.body) + len(old.gzipped) if old else 0
        return tile

    def _level(self, level: str) -> _LevelTiles:
        found = self._levels.get(level)
        if found is None:
            layer = self._layers.get(level)
            with self._lock:
                found = self._levels.get(level) or _LevelTiles(layer)
                self._levels[level] = found
        return found
