"""Map layers: the store's simplified shapes for one level as GeoJSON, compressed once and served
with an ETag.

One store's layers never change, so each layer is built on first request and kept: later requests
cost a dictionary look-up, and a browser that already has the layer gets a 304. When a rebuild
replaces the store the app derives a new `Layers` from it (see live.py), so the cache goes with the
old store and the new layers carry new ETags.

The gzipped and the plain body are different representations, so each has its own strong ETag
(the gzipped one ends "-gz"), and If-None-Match accepts either.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from dataclasses import dataclass

import numpy as np
import shapely
from starlette.requests import Request
from starlette.responses import Response

from ..errors import NotFoundError
from ..pipeline.map_tiles import map_shapes
from ..store import Store
from ..workspace.additions import what_to_add

# Served here with their own compression and Vary, so kept out of GZipMiddleware (app.py).
LAYER_PATH = "/api/v1/geometry/"


@dataclass(frozen=True, eq=False)
class Layer:
    body: bytes
    gzipped: bytes
    etag: str
    features: int
    # code -> (west, south, east, north), so a page can say where its areas are without the
    # browser walking every coordinate of the layer.
    boxes: dict[str, tuple[float, float, float, float]]
    # The same shapes for the vector tiles (tiles.py): codes, names and lon/lat geometries, in
    # feature order (a feature's id is its position).
    codes: tuple[str, ...] = ()
    names: tuple[str | None, ...] = ()
    geoms: np.ndarray | None = None

    def bounds(self, codes) -> list[float] | None:
        boxes = [self.boxes[c] for c in codes if c in self.boxes]
        if not boxes:
            return None
        a = np.asarray(boxes)
        return [float(a[:, 0].min()), float(a[:, 1].min()), float(a[:, 2].max()), float(a[:, 3].max())]


class Layers:
    def __init__(self, store: Store, region: str | None = None) -> None:
        self._store = store
        # The map is the region's: the district layer holds every UK district (Ofcom publishes
        # them all), but only the region's are drawn.
        self._region = region
        self._cache: dict[str, Layer] = {}
        self._points: dict[str, dict[str, tuple[float, float]]] = {}
        self._lock = threading.Lock()

    def points(self, level: str) -> dict[str, tuple[float, float]]:
        """Code -> a point inside each area of the level (kept, like the layers)."""
        found = self._points.get(level)
        if found is None:
            found = self._points[level] = self._store.points(level)
        return found

    def cached(self, level: str) -> Layer | None:
        return self._cache.get(level)

    def get(self, level: str) -> Layer:
        layer = self._cache.get(level)
        if layer is None:
            with self._lock:
                layer = self._cache.get(level) or self._build(level)
                self._cache[level] = layer
        return layer

    @property
    def store(self) -> Store:
        return self._store

    @property
    def region(self) -> str | None:
        return self._region

    def _build(self, level: str) -> Layer:
        # the same shapes, in the same order, as the map's tiles (pipeline/map_tiles.py)
        codes, names, geoms = map_shapes(self._store, level, self._region)
        if not codes:
            lacking = "" if self._store.names(level) else what_to_add(level)
            raise NotFoundError(lacking or f"No map shapes for level '{level}' in this store.")
        features = [
            f'{{"type":"Feature","id":{i},"properties":'
            f'{json.dumps({"code": code, "name": name})},"geometry":{shapely.to_geojson(g)}}}'
            for i, (code, name, g) in enumerate(zip(codes, names, geoms, strict=True))
        ]
        body = ('{"type":"FeatureCollection","features":[' + ",".join(features) + "]}").encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        boxes = {code: tuple(float(v) for v in box) for code, box in zip(codes, shapely.bounds(geoms), strict=True)}
        return Layer(body, gzip.compress(body, compresslevel=9, mtime=0), etag, len(features), boxes,
                     tuple(codes), tuple(names), geoms)


def layer_response(request: Request, layer: Layer) -> Response:
    return compressed_response(request, layer.body, layer.gzipped, layer.etag, "application/geo+json")


def compressed_response(request: Request, body: bytes, gzipped_body: bytes, plain_etag: str, media_type: str) -> Response:
    """A body kept in both encodings, each with its own strong ETag; a 304 for either."""
    gzipped = "gzip" in request.headers.get("accept-encoding", "")
    gzip_etag = plain_etag[:-1] + '-gz"'
    etag = gzip_etag if gzipped else plain_etag
    headers = {
        "ETag": etag,
        "Vary": "Accept-Encoding",
        # Revalidate each time: cheap (304) and never stale after a rebuild.
        "Cache-Control": "no-cache",
    }
    held = _etags(request.headers.get("if-none-match", ""))
    if etag in held or "*" in held:
        return Response(status_code=304, headers=headers)
    # The other variant is the same layer too: what the client holds is still current.
    other = plain_etag if gzipped else gzip_etag
    if other in held:
        return Response(status_code=304, headers=dict(headers, ETag=other))
    if gzipped:
        headers["Content-Encoding"] = "gzip"
        return Response(gzipped_body, media_type=media_type, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def _etags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}
