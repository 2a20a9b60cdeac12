"""The map's areas as Mapbox Vector Tiles: a level's simplified shapes cut into XYZ tiles.

Why tiles: a browser handed the 7,131 output areas as one GeoJSON layer (3.9 MB) has to parse it
and cut it into tiles itself before drawing anything; served as tiles, it decodes a few hundred
kilobytes of them and draws (benchmarks/bench_map.py). The build cuts every tile the map asks for
into an archive beside the store (tile_archive.py); the dashboard cuts one on request only where
there is no archive (a store built before archives were written) or beyond its deepest zoom.

Each tile holds the areas that touch it, in the tile's own integer grid (4,096 units a side, as
the Mapbox Vector Tile specification 2.1 recommends): coordinates rounded to the grid, repeated
points dropped, and rings left with no area dropped, as MapLibre's own GeoJSON tiler
(geojson-vt) does. At the region's overview (zoom 8, a unit is about 23 m on the ground here) the
shapes are far lighter, and zoomed in they keep every simplified vertex. An area smaller than a
unit at a zoom may vanish at that zoom and reappears zoomed in, as on any tiled map.

Features carry the area's code and name, and its position in the level's GeoJSON layer (+ 1) as
their id, so pages colour them by code exactly as they did the GeoJSON.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import shapely

from ..store import Store
from . import mvt
from .areas import SIMPLIFY

EXTENT = 4096
# Areas reaching this far (in tile units) past the tile's edge are kept, so that outlines meet
# across tile seams without gaps.
BUFFER = 64
MAX_ZOOM = 16
# The map opens on the region at about zoom 9 (8 on a phone) and goes no further out than this
# (map.js), where West Yorkshire is some 180 pixels across: further out its areas would be specks,
# and cutting them costs the most (at zoom 6 half the output areas need repairing after rounding).
MIN_ZOOM = 7
# Spherical Web Mercator (EPSG:3857), the projection XYZ tiles are defined in.
RADIUS = 6378137.0
HALF_WORLD = math.pi * RADIUS
# Five decimal places of a degree is about 1 m on the ground in West Yorkshire: finer than the
# simplified shapes themselves, and it keeps the layers small.
PRECISION = 5


def map_shapes(store: Store, level: str, region: str | None) -> tuple[list[str], list[str | None], np.ndarray]:
    """A level's map shapes (codes, names, lon/lat geometries rounded to PRECISION), in the order
    of its map layer: the region's areas only (the district level holds every UK district, as
    Ofcom publishes them all, but only the region's are drawn). Empty if the store has none."""
    inside = store.codes_within(region, level) if region else set()
    return layer_shapes(store.shapes(level), inside, store.names(level))


def layer_shapes(shapes: list[tuple[str, bytes]], inside: set[str],
                 names: dict[str, str]) -> tuple[list[str], list[str | None], np.ndarray]:
    """map_shapes from a level's (code, simplified WKB) in code order, the codes of its areas in the
    region (none: all of them) and their names; the build calls it before the store is written."""
    shapes = [s for s in shapes if s[0] in inside] if inside else shapes
    geoms = shapely.from_wkb([wkb for _, wkb in shapes]) if shapes else np.empty(0, dtype=object)
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, PRECISION))
    return [code for code, _ in shapes], [names.get(code) for code, _ in shapes], geoms


def max_zoom(level: str) -> int:
    """The zoom past which a level's tiles gain no detail: the first whose grid unit is no wider
    than the tolerance its shapes were simplified to (areas.SIMPLIFY). Rounding to that grid moves
    a vertex by at most half a unit, half what the simplification already allowed, so deeper tiles
    would only repeat the same shapes more finely; MapLibre draws deeper zooms from these
    (over-zooming a vector source past its maxzoom). Output areas: zoom 11 (a unit is 4.8 Web
    Mercator metres, the tolerance 8.9); LSOAs 10; MSOAs and wards 9; districts 7."""
    tolerance = math.radians(SIMPLIFY.get(level, 0.0)) * RADIUS  # degrees of longitude -> metres
    for z in range(MIN_ZOOM, MAX_ZOOM + 1):
        if 2 * HALF_WORLD / 2**z / EXTENT <= tolerance:
            return z
    return MAX_ZOOM


def mercator(lonlat: np.ndarray) -> np.ndarray:
    x = np.radians(lonlat[:, 0]) * RADIUS
    y = np.log(np.tan(np.pi / 4 + np.radians(lonlat[:, 1]) / 2)) * RADIUS
    return np.column_stack([x, y])


class Cutter:
    """One level's shapes in Web Mercator with a spatial index, to cut tiles from. Their rings are
    taken apart once, here: a tile takes the rings of the areas wholly inside it straight from
    these arrays and clips only the areas that cross its edge."""

    def __init__(self, codes, names, geoms: np.ndarray) -> None:
        self.geoms = shapely.transform(geoms, mercator)
        self.bounds = shapely.bounds(self.geoms).reshape(-1, 4)
        self.tree = shapely.STRtree(self.geoms)
        self.points, self.sizes, self.is_exterior, ring_feature = mvt._flatten(self.geoms)
        self.ring_first = np.cumsum(self.sizes) - self.sizes
        self.feature_rings = np.bincount(ring_feature, minlength=len(self.geoms))
        self.feature_first = np.cumsum(self.feature_rings) - self.feature_rings
        # The layer's values table entries, encoded once: each area's code and each name.
        self.codes = [mvt.value(c) for c in codes]
        distinct, self.name_of = np.unique(np.asarray([n or "" for n in names], dtype=str), return_inverse=True)
        self.names = [mvt.value(str(n)) for n in distinct]

    def cut(self, z: int, x: int, y: int) -> bytes | None:
        """The tile's body, or None where no area touches it."""
        size = 2 * HALF_WORLD / 2**z
        x0, y1 = -HALF_WORLD + x * size, HALF_WORLD - y * size
        pad = size * BUFFER / EXTENT
        box = (x0 - pad, y1 - size - pad, x0 + size + pad, y1 + pad)
        found = np.sort(self.tree.query(shapely.box(*box)))
        if not len(found):
            return None
        rings = self._rings(found, box)
        scale = EXTENT / size
        points, sizes, is_exterior, ring_feature = _on_grid(*rings, x0, y1, scale)
        points, sizes, is_exterior, ring_feature = self._repair(points, sizes, is_exterior, ring_feature,
                                                                box, x0, y1, scale)
        if not len(sizes):
            return None
        # features left (in order), renumbered 0..n-1 for the streams
        kept, ring_feature = np.unique(ring_feature, return_inverse=True)
        stream, feature_bytes = mvt.ring_streams(points, sizes, is_exterior, ring_feature, len(kept))
        names, name_at = np.unique(self.name_of[kept], return_inverse=True)
        values = [self.codes[i] for i in kept] + [self.names[i] for i in names]
        return mvt.encode_layer("areas", stream, feature_bytes, kept + 1, np.arange(len(kept)),
                                len(kept) + name_at, values, EXTENT)

    def _repair(self, points, sizes, is_exterior, ring_feature, box, x0: float, y1: float, scale: float):
        """Rounding can leave a shape invalid (a ring touching itself where two vertices met):
        those few are snapped to the grid again by GEOS (set_precision), which keeps polygons
        valid, as the specification requires (section 4.3.4.4); the rest keep their rounding."""
        bad = _invalid(points, sizes, is_exterior, ring_feature)
        if not len(bad):
            return points, sizes, is_exterior, ring_feature

        def to_grid(xy: np.ndarray) -> np.ndarray:
            return np.column_stack([(xy[:, 0] - x0) * scale, (y1 - xy[:, 1]) * scale])

        on_grid = shapely.transform(shapely.clip_by_rect(self.geoms[bad], *box), to_grid)
        try:
            snapped = shapely.set_precision(on_grid, 1.0)
        except shapely.errors.GEOSException:  # GEOS's snapping can trip over a clipped sliver
            snapped = shapely.set_precision(shapely.make_valid(on_grid), 1.0)
        s_points, s_sizes, s_exterior, s_feature = mvt._flatten(snapped)
        keep = ~np.isin(ring_feature, bad)
        first = np.cumsum(sizes) - sizes
        kept_points = points[_ranges(first[keep], sizes[keep])]
        all_feature = np.r_[ring_feature[keep], bad[s_feature]]
        order = np.argsort(all_feature, kind="stable")
        all_sizes = np.r_[sizes[keep], s_sizes]
        all_points = np.concatenate([kept_points, s_points.astype(np.int64)])
        all_first = np.cumsum(all_sizes) - all_sizes
        return (all_points[_ranges(all_first[order], all_sizes[order])], all_sizes[order],
                np.r_[is_exterior[keep], s_exterior][order], all_feature[order])

    def _rings(self, found: np.ndarray, box: tuple[float, float, float, float]):
        """The rings of the areas `found` (sorted) within `box`, in Web Mercator, grouped by area in
        order: (points, sizes, is_exterior, ring_feature), features numbered as in the layer."""
        b = self.bounds[found]
        crossing = (b[:, 0] < box[0]) | (b[:, 1] < box[1]) | (b[:, 2] > box[2]) | (b[:, 3] > box[3])
        inside = found[~crossing]
        rings = _ranges(self.feature_first[inside], self.feature_rings[inside])
        sizes = self.sizes[rings]
        points = self.points[_ranges(self.ring_first[rings], sizes)]
        is_exterior = self.is_exterior[rings]
        ring_feature = np.repeat(inside, self.feature_rings[inside])
        if crossing.any():
            cut = found[crossing]
            c_points, c_sizes, c_exterior, c_feature = mvt._flatten(shapely.clip_by_rect(self.geoms[cut], *box))
            order = np.argsort(np.r_[ring_feature, cut[c_feature]], kind="stable")
            all_sizes = np.r_[sizes, c_sizes]
            all_points = np.concatenate([points, c_points])
            first = np.cumsum(all_sizes) - all_sizes
            points = all_points[_ranges(first[order], all_sizes[order])]
            sizes, is_exterior = all_sizes[order], np.r_[is_exterior, c_exterior][order]
            ring_feature = np.r_[ring_feature, cut[c_feature]][order]
        return points, sizes, is_exterior, ring_feature

    def tiles(self, zooms: range) -> Iterator[tuple[int, int, int, bytes]]:
        """Every tile with an area in it at these zooms: (z, x, y, body)."""
        if not len(self.geoms):
            return
        west, south, east, north = shapely.total_bounds(self.geoms)
        for z in zooms:
            size = 2 * HALF_WORLD / 2**z
            pad = size * BUFFER / EXTENT
            # the tiles whose buffered box touches the shapes' bounds, x east and y south
            x0, x1, y0, y1 = (min(max(int(v // size), 0), 2**z - 1) for v in (
                west - pad + HALF_WORLD, east + pad + HALF_WORLD, HALF_WORLD - north - pad, HALF_WORLD - south + pad))
            for x in range(x0, x1 + 1):
                for y in range(y0, y1 + 1):
                    body = self.cut(z, x, y)
                    if body is not None:
                        yield z, x, y, body


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """starts[0], starts[0] + 1, ..., starts[0] + counts[0] - 1, starts[1], ...: the indices of runs."""
    total = int(counts.sum())
    offsets = np.cumsum(counts) - counts
    return np.repeat(starts - offsets, counts) + np.arange(total)


def _invalid(points, sizes, is_exterior, ring_feature) -> np.ndarray:
    """The features (numbers, sorted) whose open rings do not make a valid (multi)polygon."""
    if not len(sizes):
        return np.zeros(0, dtype=np.int64)
    first = np.cumsum(sizes) - sizes
    closed = _ranges(first, sizes + 1)
    closed[np.cumsum(sizes + 1) - 1] = first  # each ring ends where it began
    ring_offsets = np.r_[0, np.cumsum(sizes + 1)]
    exteriors = np.flatnonzero(is_exterior)
    polygon_offsets = np.r_[exteriors, len(sizes)]
    features, polygons_of = np.unique(ring_feature[exteriors], return_counts=True)
    geoms = shapely.from_ragged_array(shapely.GeometryType.MULTIPOLYGON, points[closed].astype(np.float64),
                                      (ring_offsets, polygon_offsets, np.r_[0, np.cumsum(polygons_of)]))
    return features[~shapely.is_valid(geoms)]


def _on_grid(points, sizes, is_exterior, ring_feature, x0: float, y1: float, scale: float):
    """Rings in the tile's grid (x from its west edge, y down from its north edge), rounded,
    without repeated points, and without rings left with no area (a polygon whose exterior goes
    loses its holes too): (points, sizes, is_exterior, ring_feature)."""
    if not len(sizes):
        return points, sizes, is_exterior, ring_feature
    grid = np.column_stack([np.rint((points[:, 0] - x0) * scale), np.rint((y1 - points[:, 1]) * scale)])
    grid = grid.astype(np.int64)
    ring_of = np.repeat(np.arange(len(sizes)), sizes)
    first = np.cumsum(sizes) - sizes
    # Each point as one number, to compare points in one step: a tile's points lie within its
    # buffered box, a few thousand units either way.
    key = (grid[:, 0] << 32) + grid[:, 1]
    # a point the same as the one before it in its ring goes
    same = np.zeros(len(grid), dtype=bool)
    same[1:] = (key[1:] == key[:-1]) & (ring_of[1:] == ring_of[:-1])
    same[first] = False
    grid, ring_of, key = grid[~same], ring_of[~same], key[~same]
    sizes = np.bincount(ring_of, minlength=len(sizes))
    # and so do last points equal to the first (the ring closes without repeating it)
    while True:
        first = np.cumsum(sizes) - sizes
        last = first + sizes - 1
        closing = (sizes > 1) & (key[last] == key[first])
        if not closing.any():
            break
        keep = np.ones(len(grid), dtype=bool)
        keep[last[closing]] = False
        grid, ring_of, key, sizes = grid[keep], ring_of[keep], key[keep], sizes - closing
    grid, ring_of, sizes = _without_spikes(grid, key, ring_of, sizes)
    area = mvt.ring_area(grid, sizes) if len(grid) else np.zeros(len(sizes))
    good = (sizes >= 3) & (area != 0)
    # a hole survives only with its polygon's exterior: each ring's exterior is the last exterior
    # ring at or before it
    exterior_at = np.maximum.accumulate(np.where(is_exterior, np.arange(len(sizes)), 0))
    good &= good[exterior_at]
    return grid[good[ring_of]], sizes[good], is_exterior[good], ring_feature[good]


def _without_spikes(grid: np.ndarray, key: np.ndarray, ring_of: np.ndarray, sizes: np.ndarray):
    """Rings without spikes (A, B, A: a narrow neck rounded to a line out and back), which would
    make the ring touch itself; each goes with its return point, until none is left. `key`: each
    point as one number."""
    while len(grid):
        first = np.cumsum(sizes) - sizes
        at = np.arange(len(grid))
        prev, nxt = at - 1, at + 1
        prev[first] = first + sizes - 1
        nxt[first + sizes - 1] = first
        spike = (key[prev] == key[nxt]) & (sizes[ring_of] > 2)
        spike &= ~spike[prev]  # of two spikes in a row, the first goes now, the second after
        if not spike.any():
            break
        keep = np.ones(len(grid), dtype=bool)
        keep[at[spike]] = keep[nxt[spike]] = False
        sizes = sizes - 2 * np.bincount(ring_of[spike], minlength=len(sizes))
        grid, key, ring_of = grid[keep], key[keep], ring_of[keep]
    return grid, ring_of, sizes
