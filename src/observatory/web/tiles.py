"""Map layers as Mapbox Vector Tiles (/api/v1/tiles/{level}/{z}/{x}/{y}.pbf), read from the
archives the build cut (pipeline/tile_archive.py), or cut on request where there is none, and kept.

How the archives are served: this route reads tiles out of them, rather than the browser reading
the archive itself through the PMTiles JavaScript protocol with HTTP range requests on a static
route. That is the simpler of the two here, because everything the pages rely on stays as it
was: one URL per tile with its strong ETag (304 on revalidation), gzip chosen per request, 204
for a tile with no area, the response cache, the map script's vector source (colouring by code,
the tables, printing) and API users' tile URLs. Above all, a tile always comes from the store
the request reads: each store snapshot (live.py) opens the archives stamped with what its store
was built from and reads them whole into memory, so a rebuild that renames new archives into place
never mixes old and new, whereas a browser reading byte ranges of a file renamed under it could.

A store with no archive of its own yet (built before archives were written, or swapped in before
its archives were renamed into place: looked for again at most once a second) has its tiles cut
on request, as are tiles deeper than an archive's last zoom (the map never asks for them: its
sources stop at the archives' zooms, and MapLibre over-zooms past them).
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from ..errors import NotFoundError
from ..pipeline.map_tiles import MAX_ZOOM, Cutter, map_shapes
from ..pipeline.tile_archive import MAP_LEVELS, Archive, find_archive, inputs_of
from .geo import Layers

MEDIA_TYPE = "application/vnd.mapbox-vector-tile"
TILE_PATH = "/api/v1/tiles/"
# How often a snapshot without an archive for a level looks for one again.
LOOK_AGAIN = 1.0


@dataclass(frozen=True)
class Tile:
    body: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes, gzipped: bytes | None = None) -> Tile:
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return cls(body, gzipped or gzip.compress(body, compresslevel=6, mtime=0), etag)


class Tiles:
    """The tiles of every level: from the store's archives, or cut on first request, and kept
    (least recently used go first once `budget` bytes are held). Like `Layers`, one store's
    tiles never change; a rebuilt store gets a new `Tiles`."""

    def __init__(self, layers: Layers, budget: int = 128 * 2**20) -> None:
        self._layers = layers
        self._cutters: dict[str, Cutter] = {}
        self._archives: dict[str, tuple[float, Archive | None]] = {}
        self._kept: OrderedDict[tuple[str, int, int, int], Tile | None] = OrderedDict()
        self._held = 0
        self._budget = budget
        self._lock = threading.Lock()
        store = layers.store
        self._inputs = inputs_of(store.meta())
        self._store_path = store.path
        for level in MAP_LEVELS:  # read now, before this snapshot serves anyone
            self._archive(level)

    def cached(self, level: str, z: int, x: int, y: int) -> tuple[bool, Tile | None]:
        """(True, the tile or None) if it has been cut already (kept, or in the archive); (False,
        None) if it has to be cut."""
        key = (level, z, x, y)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return True, self._kept[key]
        archive = self._archive(level)
        if archive is None or not archive.covers(z) or not _valid(z, x, y):
            return False, None
        gzipped = archive.get(z, x, y)
        return True, self._keep(key, Tile.of(gzip.decompress(gzipped), gzipped) if gzipped else None)

    def get(self, level: str, z: int, x: int, y: int) -> Tile | None:
        """The tile, or None where the level has no area."""
        if not _valid(z, x, y):
            raise NotFoundError(f"No tile {z}/{x}/{y}: zoom runs from 0 to {MAX_ZOOM}, and x and y "
                                f"from 0 to 2^zoom - 1.")
        found, tile = self.cached(level, z, x, y)
        if found:
            return tile
        body = self._cutter(level).cut(z, x, y)
        return self._keep((level, z, x, y), Tile.of(body) if body is not None else None)

    def _keep(self, key: tuple[str, int, int, int], tile: Tile | None) -> Tile | None:
        with self._lock:
            if key not in self._kept:
                self._kept[key] = tile
                self._held += len(tile.body) + len(tile.gzipped) if tile else 0
                while self._held > self._budget and len(self._kept) > 1:
                    _, old = self._kept.popitem(last=False)
                    self._held -= len(old.body) + len(old.gzipped) if old else 0
            return self._kept[key]

    def _archive(self, level: str) -> Archive | None:
        """The level's archive cut from this snapshot's store, if it has one."""
        looked = self._archives.get(level)
        if looked is not None and (looked[1] is not None or time.monotonic() - looked[0] < LOOK_AGAIN):
            return looked[1]
        archive = find_archive(self._store_path, level, self._inputs, self._layers.region)
        self._archives[level] = (time.monotonic(), archive)
        return archive

    def _cutter(self, level: str) -> Cutter:
        found = self._cutters.get(level)
        if found is None:
            # the layer's shapes (map_shapes, as geo.py reads them) without its GeoJSON, which a
            # tile does not need: the output areas' takes seconds to write
            layer = self._layers.cached(level)
            codes, names, geoms = ((layer.codes, layer.names, layer.geoms) if layer is not None
                                   else map_shapes(self._layers.store, level, self._layers.region))
            if not len(codes):
                self._layers.get(level)  # raises the layer's own "no map shapes" answer
            with self._lock:
                found = self._cutters.get(level) or Cutter(codes, names, geoms)
                self._cutters[level] = found
        return found


def _valid(z: int, x: int, y: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z
