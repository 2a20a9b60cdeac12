"""Exact, fast point-in-polygon assignment of many points to a fixed set of polygons.

Semantics are those of ``geopandas.sjoin(points, polys, predicate="within")``: a point belongs
to a polygon only if it lies in the polygon's *interior*. A point on an edge or vertex belongs to
no polygon (so a point on the edge shared by two neighbouring areas gets -1, not one of them).
Where polygons overlap, a point inside several gets the lowest index (sjoin would return one row
per match). Non-finite coordinates get -1.

How (``EdgeGrid``): a regular grid is laid over the polygons. A cell no edge comes near lies wholly
in one polygon or none, so a point there is answered by one array lookup. A point in a cell that an
edge touches (~13% of the area for the WY output areas, but over half of the points where people
live) casts a ray along its row to the nearer clear cell, left or right (``RayLists``), and counts,
vectorised over (point, edge) pairs, the signed crossings of the edges listed for its cell, by
GEOS's own rule (``RayCrossingCounter``); with the known label at the ray's end, that is the
point's winding number per polygon, which for valid polygons is GEOS's crossing parity. GEOS
itself (``shapely``) decides the few points that floating point cannot (on an edge or vertex,
within round-off of one, level with a vertex) and those where the winding count is not a single
polygon's (overlapping polygons; invalid rings), so every answer is sjoin's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from .edge_grid import EdgeGrid
from .polygon_edges import polygon_edges

__all__ = ["PolygonIndex"]

# Grid cells per polygon edge. Sizing cells from the edge count (rather than from the polygons'
# sizes) keeps the edges per boundary cell, and so each ray test, short for a few large detailed
# polygons (districts with coastlines: assigning was 20x+ faster than with cells sized from the
# median polygon) as well as for many small ones. Finer cells mean fewer points in boundary cells
# and shorter ray tests, but a bigger build. 12 measured best overall on the WY output areas
# (process CPU time, 1M and 10M points): for points where people live (in random areas' bboxes,
# or around postcodes: ~61% of them in boundary cells at 8, ~54% at 12) ~10% quicker than 8 at
# 1M and ~20% at 10M; for points spread uniformly (~13% in boundary cells) within ~10% of 8. 16
# is quicker still for dense points but ~15% slower than 8 for 1M uniform ones (the build).
_CELLS_PER_EDGE = 12
_MAX_CELLS = 1 << 25  # 32M cells * 4 bytes = 128 MB: caps memory for tiny-polygon inputs
_BLOCK = 1 << 20  # points whose boundary points are sorted together: sized to stay in cache
_CHUNK = 1 << 16  # points per chunk: keeps temporaries in cache whatever N is
_RAY_CHUNK = 1 << 13  # boundary points per batch of ray tests: (point, edge) pairs stay in cache


class PolygonIndex:
    """Assign lon/lat points to the polygon (index into ``geometries``) whose interior holds them.

    ``cell_size`` (degrees) overrides the grid resolution chosen from the number of edges; it only
    affects speed, never results. Build once, then call ``assign`` as often as needed.
    """

    def __init__(self, geometries: Sequence[shapely.Geometry], cell_size: float | None = None):
        geoms = np.asarray(geometries, dtype=object)
        if geoms.ndim != 1:
            raise ValueError("geometries must be a 1-d sequence")
        if not np.all(np.isin(shapely.get_type_id(geoms), (3, 6))):
            raise ValueError("geometries must all be Polygon or MultiPolygon (repair them first)")
        self.geometries = geoms
        self._tree: shapely.STRtree | None = None  # built on first need by the exact fallback
        b = shapely.bounds(geoms)
        b = b[np.isfinite(b).all(axis=1)]  # empty geometries have NaN bounds
        if len(b) == 0:
            b = np.zeros((1, 4))
        bounds = (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
        edges = polygon_edges(geoms)
        w, hgt = bounds[2] - bounds[0], bounds[3] - bounds[1]
        area = max(w * hgt, 1e-300)
        if cell_size is None:
            cell_size = np.sqrt(area / (_CELLS_PER_EDGE * max(len(edges), 1)))
        cell_size = max(cell_size, np.sqrt(area / _MAX_CELLS), 1e-9)
        self._grid = EdgeGrid(edges, bounds, float(cell_size), len(geoms))
        self.n_cells, self.n_boundary_cells = self._grid.n_cells, self._grid.n_boundary_cells

    def assign(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """int64 index into ``geometries`` for each point; -1 if in no polygon's interior or NaN."""
        lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
        if lon.shape != lat.shape or lon.ndim != 1:
            raise ValueError("lon and lat must be 1-d arrays of equal length")
        out = np.empty(len(lon), dtype=np.int64)
        unsure = [
            self._assign_block(lon[s : s + _BLOCK], lat[s : s + _BLOCK], out[s : s + _BLOCK]) + s
            for s in range(0, len(lon), _BLOCK)
        ]
        exact = np.concatenate(unsure) if unsure else np.zeros(0, dtype=np.intp)
        if len(exact):
            out[exact] = self._exact(lon[exact], lat[exact])
        return out

    def _assign_block(self, lon: np.ndarray, lat: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Fill ``out`` for one block of points; return the (block) indices GEOS must decide."""
        grid = self._grid
        found, found_x, found_y = [], [], []
        for s in range(0, len(lon), _CHUNK):
            x, y = lon[s : s + _CHUNK], lat[s : s + _CHUNK]
            lab = grid.labels[grid.cell_of(x, y)]
            out[s : s + _CHUNK] = lab
            bp = np.flatnonzero(lab < -1)
            found.append(bp + s)
            found_x.append(x[bp])  # gathered while the chunk is in cache
            found_y.append(y[bp])
        bp = np.concatenate(found) if found else np.zeros(0, dtype=np.intp)
        if len(bp) == 0:
            return bp
        # Points in boundary cells: ray tests. In boundary-cell order, consecutive points read the
        # same or neighbouring edge lists, which then come from cache rather than memory. (Blocks
        # keep this block's points and results in cache while they are shuffled.)
        bid = -2 - out[bp]
        # The order only matters for speed: cell numbers scaled to 16 bits sort in one counting pass.
        key = bid * ((1 << 16) / max(grid.n_boundary_cells, 1))
        order = np.argsort(key.astype(np.uint16), kind="stable")
        bp, bid = bp[order], bid[order]
        bx, by = np.concatenate(found_x)[order], np.concatenate(found_y)[order]
        unsure = []
        for s in range(0, len(bp), _RAY_CHUNK):
            part = slice(s, s + _RAY_CHUNK)
            label, unclear = grid.ray_labels(bx[part], by[part], bid[part])
            out[bp[part]] = label
            unsure.append(bp[part][unclear])
        return np.concatenate(unsure)

    def _exact(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """GEOS's answer: lowest index of a polygon whose interior holds (x, y), else -1."""
        if self._tree is None:
            self._tree = shapely.STRtree(self.geometries)
        pt, poly = self._tree.query(shapely.points(x, y))  # bounding-box candidates
        candidates = self.geometries[poly]
        # sjoin(predicate="within") tests prepared polygon.contains(point): so does contains_xy on
        # prepared geometries (they differ from point.within(polygon) on invalid polygons).
        # NB: prepares the caller's geometry objects in place (harmless, and speeds later use).
        shapely.prepare(candidates)
        hit = shapely.contains_xy(candidates, x[pt], y[pt])
        out = np.full(len(x), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(out, pt[hit], poly[hit])
        out[out == np.iinfo(np.int64).max] = -1
        return out
