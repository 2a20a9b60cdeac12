"""Exact, fast point-in-polygon assignment of many points to a fixed set of polygons.

Semantics are those of ``geopandas.sjoin(points, polys, predicate="within")``: a point belongs
to a polygon only if it lies in the polygon's *interior*. A point on an edge or vertex belongs to
no polygon (so a point on the edge shared by two neighbouring areas gets -1, not one of them).
Where polygons overlap, a point inside several gets the lowest index (sjoin would return one row
per match). Non-finite coordinates get -1.

How: a regular grid is laid over the polygons' extent. A cell touched by no polygon edge lies
wholly in one face of the polygon arrangement, so every point in it has the label of its centre;
those cells are resolved by a single array lookup. Only points in the cells that an edge
crosses (~16% of the area for the WY output areas) get an exact test, ``shapely.contains_xy`` against the prepared polygons whose bounding
box meets that cell. Everything is vectorised numpy; the only Python loops are over chunks of
points and over the (at most 9) cell offsets of an edge piece.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

__all__ = ["PolygonIndex"]

# Cells per side of a typical polygon. Boundary cells hold ~ perimeter * cell_size of area, so
# finer cells mean fewer exact tests but a bigger build; 8 measured best on the WY output areas.
_CELLS_PER_POLYGON_SIDE = 8
_MAX_CELLS = 1 << 25  # 32M cells * 4 bytes = 128 MB: caps memory for tiny-polygon inputs
_PIECE = 0.5  # edge pieces at most half a cell long: hug the edge more tightly than 1 cell
_CHUNK = 2_000_000  # points per chunk: bounds temporaries to a few hundred MB whatever N is


class PolygonIndex:
    """Assign lon/lat points to the polygon (index into ``geometries``) whose interior holds them.

    ``cell_size`` (degrees) overrides the grid resolution chosen from the polygons' sizes; it only
    affects speed, never results. Build once, then call ``assign`` as often as needed.
    """

    def __init__(self, geometries: Sequence[shapely.Geometry], cell_size: float | None = None):
        geoms = np.asarray(geometries, dtype=object)
        if geoms.ndim != 1:
            raise ValueError("geometries must be a 1-d sequence")
        if not np.all(np.isin(shapely.get_type_id(geoms), (3, 6))):
            raise ValueError("geometries must all be Polygon or MultiPolygon (repair them first)")
        self.geometries = geoms
        # contains_xy reuses the prepared (indexed) geometry on every call. NB: prepares the
        # caller's geometry objects in place (harmless, and later shapely predicates get faster).
        shapely.prepare(geoms)
        self._grid(cell_size)
        self._build()

    def _grid(self, cell_size: float | None) -> None:
        b = shapely.bounds(self.geometries)
        b = b[np.isfinite(b).all(axis=1)]  # empty geometries have NaN bounds
        if len(b) == 0:
            b = np.zeros((1, 4))
        xmin, ymin = b[:, 0].min(), b[:, 1].min()
        xmax, ymax = b[:, 2].max(), b[:, 3].max()
        if cell_size is None:
            # Size cells from the median polygon's bbox so a typical polygon spans ~8 cells.
            side = np.sqrt(np.maximum((b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]), 0))
            side = side[side > 0]
            cell_size = (np.median(side) if len(side) else 1.0) / _CELLS_PER_POLYGON_SIDE
        w, hgt = xmax - xmin, ymax - ymin
        cell_size = max(cell_size, np.sqrt(max(w * hgt, 1e-300) / _MAX_CELLS), 1e-9)
        self._h = float(cell_size)
        # `_eps` absorbs rounding in point->cell arithmetic: an edge within _eps of a cell marks it
        # as a boundary cell, so a point rounded into a neighbouring cell is still tested exactly.
        self._eps = self._h * 1e-6 + 1e-12 * max(abs(xmin), abs(xmax), abs(ymin), abs(ymax), 1.0)
        # Pad by one cell so points just inside the extent land in (boundary) cells, not outside.
        self._x0, self._y0 = xmin - self._h, ymin - self._h
        self._nx = int(np.ceil((w + 2 * self._h) / self._h)) + 1
        self._ny = int(np.ceil((hgt + 2 * self._h) / self._h)) + 1

    def _cell_xy(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.floor((x - self._x0) / self._h), np.floor((y - self._y0) / self._h)

    def _build(self) -> None:
        nx, ny, h, eps = self._nx, self._ny, self._h, self._eps
        # 1. Mark every cell an edge passes within eps of. Edges are cut into pieces no longer than
        #    half a cell (_PIECE), so each piece's (eps-grown) bbox spans at most 3x3 cells and marking the
        #    whole bbox is a cheap, conservative stand-in for exact segment rasterisation.
        rings = shapely.get_rings(shapely.get_parts(self.geometries))
        xy, ring = shapely.get_coordinates(rings, return_index=True)
        same = ring[1:] == ring[:-1]  # rings are closed, so consecutive pairs are the edges
        a, b = xy[:-1][same], xy[1:][same]
        k = np.maximum(np.ceil(np.abs(b - a).max(axis=1) / (h * _PIECE)), 1).astype(np.int64)
        seg = np.repeat(np.arange(len(a)), k)
        j = np.arange(len(seg)) - np.repeat(np.cumsum(k) - k, k)
        t0, t1 = (j / k[seg])[:, None], ((j + 1) / k[seg])[:, None]
        a_s, d_s = a[seg], (b - a)[seg]  # neighbouring pieces share endpoints bit-for-bit
        p, q = a_s + d_s * t0, a_s + d_s * t1
        lo_x, lo_y = self._cell_xy(
            np.minimum(p[:, 0], q[:, 0]) - eps, np.minimum(p[:, 1], q[:, 1]) - eps
        )
        hi_x, hi_y = self._cell_xy(
            np.maximum(p[:, 0], q[:, 0]) + eps, np.maximum(p[:, 1], q[:, 1]) + eps
        )
        boundary = np.zeros((ny, nx), dtype=bool)
        for dx in range(3):
            for dy in range(3):
                m = (lo_x + dx <= hi_x) & (lo_y + dy <= hi_y)
                boundary[(lo_y[m] + dy).astype(np.int64), (lo_x[m] + dx).astype(np.int64)] = True

        # 2. Candidates: (cell, polygon) for every cell in each polygon's eps-grown bbox, in numpy
        #    (cheaper than building shapely boxes for an STRtree query). Work ~ sum of bbox areas
        #    in cells (~2M for the WY output areas); batched so memory stays bounded.
        inner = ~boundary
        start = inner.copy()  # a horizontal run of non-boundary cells crosses no edge, so the
        start[:, 1:] &= boundary[:, :-1]  # run shares the label of its first cell's centre
        boundary, inner, start = boundary.ravel(), inner.ravel(), start.ravel()
        need = boundary | start
        bb = shapely.bounds(self.geometries)
        valid = np.isfinite(bb).all(axis=1)
        lo_x, lo_y = self._cell_xy(bb[:, 0] - eps, bb[:, 1] - eps)
        hi_x, hi_y = self._cell_xy(bb[:, 2] + eps, bb[:, 3] + eps)
        w = np.where(valid, hi_x - lo_x + 1, 0).astype(np.int64)
        cnt = w * np.where(valid, hi_y - lo_y + 1, 0).astype(np.int64)
        cells, polys = [], []
        cum = np.cumsum(cnt)
        cuts = np.searchsorted(cum, np.arange(1 << 23, cum[-1] if len(cum) else 0, 1 << 23))
        for p0, p1 in zip(np.r_[0, cuts], np.r_[cuts, len(cnt)], strict=True):
            c = cnt[p0:p1]
            poly = np.repeat(np.arange(p0, p1), c)
            j = np.arange(len(poly)) - np.repeat(np.cumsum(c) - c, c)
            cell = (
                (lo_y[poly].astype(np.int64) + j // w[poly]) * nx
                + lo_x[poly].astype(np.int64)
                + j % w[poly]
            )
            keep = need[cell]
            cells.append(cell[keep])
            polys.append(poly[keep])
        cell, poly = np.concatenate(cells), np.concatenate(polys)

        # 3. Label run starts by an exact test of their centres, then spread along the runs.
        labels = np.full(nx * ny, -1, dtype=np.int32)
        run = np.cumsum(start, dtype=np.int32) - 1
        rep = np.flatnonzero(start)
        is_rep = start[cell]
        cx, cy = self._x0 + (rep % nx + 0.5) * h, self._y0 + (rep // nx + 0.5) * h
        labels[inner] = self._exact(cx, cy, (run[cell[is_rep]], poly[is_rep]))[run[inner]]

        # 4. Boundary cells keep their candidate lists (CSR); labels encode the boundary cell id
        #    as -2 - id so a single lookup sorts points into resolved / needs-exact-test.
        bcell = np.flatnonzero(boundary)
        bid = np.full(nx * ny, -1, dtype=np.int64)
        bid[bcell] = np.arange(len(bcell))
        cand_cell = bid[cell[~is_rep]]
        order = np.argsort(cand_cell, kind="stable")
        self._cand = poly[~is_rep][order].astype(np.int32)
        self._indptr = np.r_[0, np.cumsum(np.bincount(cand_cell, minlength=len(bcell)))]
        labels[bcell] = -2 - np.arange(len(bcell))
        self._labels = labels
        self.n_cells, self.n_boundary_cells = nx * ny, len(bcell)

    def _exact(self, x: np.ndarray, y: np.ndarray, pairs: np.ndarray) -> np.ndarray:
        """Lowest polygon index whose interior holds (x[i], y[i]) among candidate pairs, else -1."""
        # Sorting pairs by polygon makes consecutive tests hit the same prepared geometry, which
        # stays in cache: ~3x faster than testing in point order.
        key = pairs[1].astype(np.uint16) if len(self.geometries) <= 1 << 16 else pairs[1]
        order = np.argsort(key, kind="stable")  # radix sort for 16-bit keys
        pt, poly = pairs[0][order], pairs[1][order]
        hit = shapely.contains_xy(self.geometries[poly], x[pt], y[pt])
        out = np.full(len(x), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(out, pt[hit], poly[hit])
        out[out == np.iinfo(np.int64).max] = -1
        return out

    def assign(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """int64 index into ``geometries`` for each point; -1 if in no polygon's interior or NaN."""
        lon, lat = np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)
        if lon.shape != lat.shape or lon.ndim != 1:
            raise ValueError("lon and lat must be 1-d arrays of equal length")
        out = np.full(len(lon), -1, dtype=np.int64)
        for s in range(0, len(lon), _CHUNK):
            out[s : s + _CHUNK] = self._assign_chunk(lon[s : s + _CHUNK], lat[s : s + _CHUNK])
        return out

    def _assign_chunk(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        fx, fy = self._cell_xy(x, y)
        ok = (fx >= 0) & (fx < self._nx) & (fy >= 0) & (fy < self._ny)  # NaN compares False
        idx = np.flatnonzero(ok)
        lab = np.full(len(x), -1, dtype=np.int64)
        lab[idx] = self._labels[fy[idx].astype(np.int64) * self._nx + fx[idx].astype(np.int64)]
        # Exact test for points in boundary cells: expand each into (point, candidate) pairs.
        bp = np.flatnonzero(lab <= -2)
        if len(bp):
            bid = -2 - lab[bp]
            n = self._indptr[bid + 1] - self._indptr[bid]
            pt = np.repeat(np.arange(len(bp)), n)
            pos = (
                np.arange(len(pt))
                - np.repeat(np.cumsum(n) - n, n)
                + np.repeat(self._indptr[bid], n)
            )
            lab[bp] = self._exact(x[bp], y[bp], (pt, self._cand[pos]))
        return lab
