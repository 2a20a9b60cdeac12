"""A regular grid over polygon edges that answers most point-in-polygon queries by one lookup.

Cells that no edge comes near lie wholly inside one face of the polygon arrangement; their label
comes from a scanline winding count along each row of cell centres. Cells that an edge touches
("boundary" cells) keep the edges that a ray from the cell could cross before it reaches the
nearer clear cell in its row, left or right, whose label is known (``RayLists``): a point there
is resolved by counting the edges its ray crosses (``PolygonEdges`` explains the signed count).
Everything is built in a few vectorised numpy passes over the edges and the cells, with no Python
loop over polygons or rows.
"""

from __future__ import annotations

import numpy as np

from .polygon_edges import LABEL_SCALE, PolygonEdges, decode_tally
from .ray_lists import group_order, ray_lists

# Round-off in a crossing's x is below 7 units in the last place of |ax| + |bx - ax| (see
# `ray_labels`); 8 leaves a margin. A crossing closer to the point than that is tested exactly.
_ULP_FACTOR = 8 * np.finfo(np.float64).eps / 2
_EDGE_CHUNK = 1 << 14  # edges rasterised at a time: their temporaries stay in cache
_PAD = 2  # cells of margin around the polygons: the outermost rows and columns are always clear


def repeat_ranges(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For counts [2, 0, 3]: owner [0, 0, 2, 2, 2] and offset within owner [0, 1, 0, 1, 2]."""
    owner = np.repeat(np.arange(len(counts)), counts)
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, offset


class EdgeGrid:
    """Square cells of side ``h`` over ``bounds``, with ``_PAD`` clear cells around them."""

    def __init__(
        self,
        edges: PolygonEdges,
        bounds: tuple[float, float, float, float],
        h: float,
        n_polygons: int,
    ):
        xmin, ymin, xmax, ymax = bounds
        self.h, self.inv_h = h, 1.0 / h
        self.x0, self.y0 = xmin - _PAD * h, ymin - _PAD * h
        self.nx = int(np.floor((xmax - self.x0) * self.inv_h)) + _PAD + 1
        self.ny = int(np.floor((ymax - self.y0) * self.inv_h)) + _PAD + 1
        self.n_polygons = n_polygons
        # Flat cell indices in 32 bits when they fit: half the memory to fault in and to read.
        self.cell_type = np.int32 if self.nx * self.ny < 1 << 31 else np.int64
        scale = max(abs(xmin), abs(xmax), abs(ymin), abs(ymax), 1.0)
        # `eps` absorbs round-off in point -> cell arithmetic: an edge within eps of a cell counts as
        # touching it, so a point rounded into a neighbouring cell still finds that edge.
        self.eps = h * 1e-6 + 1e-12 * scale
        self._build(edges)

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Flat cell index (intp) of each point; off-grid and NaN points land in a clear pad cell."""
        fx = x - self.x0
        fx *= self.inv_h
        np.fmax(fx, 0.0, out=fx)  # fmax/fmin map NaN to the bound, so NaN lands in the pad
        np.fmin(fx, self.nx - 1, out=fx)
        fy = y - self.y0
        fy *= self.inv_h
        np.fmax(fy, 0.0, out=fy)
        np.fmin(fy, self.ny - 1, out=fy)
        cell = fy.astype(np.intp)
        cell *= self.nx
        cell += fx.astype(np.intp)
        return cell

    # -- build -------------------------------------------------------------------------------

    def _build(self, edges: PolygonEdges) -> None:
        nx, ny = self.nx, self.ny
        # 1-2. Rasterise and scanline, a slice of edges at a time: temporaries stay small (in
        #    cache, and never fresh memory to fault in), only the compact results are kept.
        needs_ray = np.zeros(nx * ny, dtype=bool)
        parts = [
            self._rasterise(edges, i, i + _EDGE_CHUNK, needs_ray)
            for i in range(0, len(edges), _EDGE_CHUNK)
        ]
        first_cell, last_cell, entry_edge, step_cell, step_weight = (
            np.concatenate([p[j] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
            for j in range(5)
        )
        labels = self._scanline_labels(step_cell, step_weight, needs_ray)

        # 3. Boundary cells in flat order, numbered -2, -3, ... in ``labels``; consecutive ones in
        #    a row form a run, ended on both sides by a clear cell (the pad columns are clear).
        bcell = np.flatnonzero(needs_ray)
        nb = len(bcell)
        labels[bcell] = -2 - np.arange(nb, dtype=np.int32)
        self.labels = labels
        # 4. Each boundary cell's edges, towards the nearer end of its run (``RayLists``), and
        #    the tally at that end.
        lists = ray_lists(bcell, -2 - labels[first_cell], -2 - labels[last_cell], entry_edge, edges)
        self.list_start, self.list_end, self.rows = lists.start, lists.end, lists.rows
        self.mirror = np.where(lists.leftward, -1.0, 1.0)
        end_label = labels[lists.end_cell].astype(np.float64)
        self.ray_end_tally = np.where(end_label >= 0, (end_label + 1) * LABEL_SCALE + 1, 0.0)
        ax = edges.ax
        self.tol = (
            _ULP_FACTOR * ((np.abs(ax).max() + np.abs(edges.bx - ax).max()) if len(ax) else 0.0)
            + 1e-300
        )
        self.n_cells, self.n_boundary_cells = nx * ny, nb

    def _scanline_labels(
        self, step_cell: np.ndarray, step_weight: np.ndarray, needs_ray: np.ndarray
    ) -> np.ndarray:
        """Label of every cell from the scanline steps (one polygon, or -1 for none); cells where
        the tally shows overlapping polygons (or an invalid ring) are marked in ``needs_ray``."""
        n_cells = self.nx * self.ny
        # The tally is constant between steps: sum the steps in flat cell order (a row's steps sum
        # to 0, as rings are closed, so one running sum serves all rows), decode it per stretch,
        # then spread it over the stretch's cells.
        by_cell = group_order(step_cell)
        step_cell = step_cell[by_cell]
        tally = np.cumsum(step_weight[by_cell])
        stretch = np.diff(step_cell, prepend=0, append=n_cells)  # zero where steps share a cell
        label, clear = decode_tally(np.r_[0.0, tally], self.n_polygons)
        labels = np.repeat(label.astype(np.int32), stretch)
        # Cells where polygons overlap (or a ring is invalid) get the treatment of boundary cells.
        unclear = np.flatnonzero(~clear & (stretch > 0))
        if len(unclear):
            owner, k = repeat_ranges(stretch[unclear])
            needs_ray[np.r_[0, step_cell][unclear][owner] + k] = True
        return labels

    def _rasterise(
        self, edges: PolygonEdges, i: int, j: int, needs_ray: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Edges i:j -> (first cell, last cell, edge) per entry and (cell, weight) per scanline
        step; marks the cells the edges touch in ``needs_ray``."""
        nx, inv_h = self.nx, self.inv_h
        # Endpoints in grid units (cell (r, c) is [c, c + 1) x [r, r + 1)), the same arithmetic as
        # `cell_of`; lo/hi is the lower/upper end (for a horizontal edge: left/right end).
        xa, ya = (edges.ax[i:j] - self.x0) * inv_h, (edges.ay[i:j] - self.y0) * inv_h
        xb, yb = (edges.bx[i:j] - self.x0) * inv_h, (edges.by[i:j] - self.y0) * inv_h
        up = (yb > ya) | ((yb == ya) & (xb > xa))
        y_lo, y_hi = np.where(up, ya, yb), np.where(up, yb, ya)
        x_lo, x_hi = np.where(up, xa, xb), np.where(up, xb, xa)
        dy = y_hi - y_lo
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(dy > 0, (x_hi - x_lo) / dy, 0.0)  # dx/dy; 0 for horizontal edges

        # 1. Rasterise: one entry per (edge, row) that the edge passes within eps of, with the
        #    columns [c0, c1] it touches there (contiguous: a segment's slice of a band is convex).
        e_g = self.eps * inv_h
        r0 = np.floor(y_lo - e_g).astype(np.int32)
        edge, k = repeat_ranges(np.floor(y_hi + e_g).astype(np.int32) - r0 + 1)
        row = (r0[edge] + k).astype(self.cell_type)
        band = row.astype(np.float64)
        y0_e, y1_e, s, x0_e = y_lo[edge], y_hi[edge], slope[edge], x_lo[edge]
        # Where the edge enters and leaves the row's band (grown by eps), measured from its ends.
        xs = (np.maximum(y0_e, band - e_g) - y0_e) * s + x0_e
        xe = (np.minimum(y1_e, band + (1 + e_g)) - y1_e) * s + x_hi[edge]
        c0 = np.floor(np.minimum(xs, xe) - e_g).astype(np.int32)
        c1 = np.floor(np.maximum(xs, xe) + e_g).astype(np.int32)
        row *= nx
        first_cell, last_cell = row + c0, row + c1
        needs_ray[first_cell] = True
        needs_ray[last_cell] = True
        wide = np.flatnonzero(c1 - c0 > 1)  # rare: shallow edges crossing several columns
        if len(wide):
            owner, k = repeat_ranges(c1[wide] - c0[wide] - 1)
            needs_ray[first_cell[wide][owner] + k + 1] = True

        # 2. Scanline: each edge crossing a row's centre line adds its weight (negated: crossed left
        #    to right) at the first cell whose centre lies right of the crossing; a running sum along
        #    the row is then each cell centre's tally. An edge crosses row r's centre line iff
        #    y_lo <= r + 0.5 < y_hi (half-open, so a vertex on the line counts once per ring); the
        #    line lies inside the row's band, so the crossings are among the entries.
        band += 0.5
        at = np.flatnonzero((y0_e <= band) & (band < y1_e))
        xc = (band[at] - y0_e[at]) * s[at] + x0_e[at]
        step_cell = row[at] + np.floor(xc + 0.5).astype(self.cell_type)
        step_weight = -edges.weight[i:j][edge[at]]
        return first_cell, last_cell, edge.astype(np.int32) + i, step_cell, step_weight

    # -- query -------------------------------------------------------------------------------

    def ray_labels(
        self, x: np.ndarray, y: np.ndarray, bid: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(label, unsure) for points (x, y) in boundary cells ``bid``; unsure points need GEOS."""
        start = self.list_start[bid]
        n = self.list_end[bid] - start
        ends = np.cumsum(n)
        first = ends - n
        total = int(ends[-1]) if len(ends) else 0
        # One (point, entry) pair per edge to test, the point's pairs consecutive; one row per
        # entry, gathered in one read.
        pos = np.repeat(start - first, n)
        pos += np.arange(total)
        rows = np.take(self.rows, pos, axis=0)
        ax, ay, by, slope, weight = rows.T
        qy = np.repeat(y, n)
        # GEOS's rule (RayCrossingCounter): an edge counts if one end is above the point and the
        # other at or below it, and it crosses the horizontal line right of the point (left of it
        # for leftward rays, whose rows and x are mirrored). A listed edge never crosses the line
        # beyond the ray's end: its columns in the row lie between the cell and the clear cell
        # ending the ray. With u, v the ends' heights above the point, u * v < 0 where the edge
        # straddles the line (an end level with the point, or a product rounded to 0, gives 0:
        # those points go to the exact test).
        u = ay - qy
        p = by - qy
        p *= u
        # xc - x, with xc = ax + (y - ay) * dx/dy rounded exactly as the error bound assumes.
        d = u
        d *= slope
        np.subtract(ax, d, out=d)
        d -= np.repeat(x * self.mirror[bid], n)
        w = np.zeros(total + 1)  # a trailing 0: every point's pairs end inside the array
        np.multiply(weight, (p < 0) & (d > 0), out=w[:total])
        # Round-off: xc is within 7 ulp of |ax| + |bx - ax| of the true crossing, so |d| > tol
        # decides the side exactly.
        # Undecidable in floating point (the point on, or within round-off of, an edge), or a
        # vertex / horizontal edge at the point's height: leave those to the exact test.
        np.abs(d, out=d)
        unsure = d <= self.tol
        unsure |= p == 0
        crossed = np.add.reduceat(w, first) if total else np.zeros(len(bid))
        if not n.all():
            crossed[n == 0] = 0.0  # reduceat gives w[first] for an empty range
        label, clear = decode_tally(self.ray_end_tally[bid] + crossed, self.n_polygons)
        unclear = ~clear
        unclear[np.searchsorted(ends, np.flatnonzero(unsure), side="right")] = True
        return label, unclear
