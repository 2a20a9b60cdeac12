"""A regular grid over polygon edges that answers most point-in-polygon queries by one lookup.

Cells that no edge comes near lie wholly inside one face of the polygon arrangement; their label
comes from a scanline winding count along each row of cell centres. Cells that an edge touches
("boundary" cells) keep the edges that a rightward ray from the cell could cross before it reaches
the next clear cell in its row, whose label is known: a point there is resolved by counting the
edges its ray crosses (``PolygonEdges`` explains the signed count). Everything is built in a few
vectorised numpy passes over the edges and the cells, with no Python loop over polygons or rows.
"""

from __future__ import annotations

import numpy as np

from .polygon_edges import LABEL_SCALE, PolygonEdges, decode_tally

# Round-off in a crossing's x is below 7 units in the last place of |ax| + |bx - ax| (see
# `ray_labels`); 8 leaves a margin. A crossing closer to the point than that is tested exactly.
_ULP_FACTOR = 8 * np.finfo(np.float64).eps / 2
_EDGE_CHUNK = 1 << 14  # edges rasterised at a time: their temporaries stay in cache
_PAD = 2  # cells of margin around the polygons: the outermost rows and columns are always clear


def _repeat_ranges(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For counts [2, 0, 3]: owner [0, 0, 2, 2, 2] and offset within owner [0, 1, 0, 1, 2]."""
    owner = np.repeat(np.arange(len(counts)), counts)
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, offset


def group_order(key: np.ndarray) -> np.ndarray:
    """A permutation sorting non-negative int keys (< 2**32) by two 16-bit radix passes: numpy sorts
    16-bit keys by counting, several times faster than a comparison sort of the full keys."""
    order = np.argsort((key & 0xFFFF).astype(np.uint16), kind="stable")
    if key.max(initial=0) < 1 << 16:
        return order
    high = (key >> 16).astype(np.uint16)[order]
    return order[np.argsort(high, kind="stable")]


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
        last_cell, entry_edge, step_cell, step_weight = (
            np.concatenate([p[j] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
            for j in range(4)
        )
        # The tally is constant between steps: sum the steps in flat cell order (a row's steps sum
        # to 0, as rings are closed, so one running sum serves all rows), decode it per stretch,
        # then spread it over the stretch's cells.
        by_cell = group_order(step_cell)
        step_cell = step_cell[by_cell]
        tally = np.cumsum(step_weight[by_cell])
        stretch = np.diff(step_cell, prepend=0, append=nx * ny)  # zero where steps share a cell
        label, clear = decode_tally(np.r_[0.0, tally], self.n_polygons)
        labels = np.repeat(label.astype(np.int32), stretch)
        # Cells where polygons overlap (or a ring is invalid) get the treatment of boundary cells.
        unclear = np.flatnonzero(~clear & (stretch > 0))
        if len(unclear):
            owner, k = _repeat_ranges(stretch[unclear])
            needs_ray[np.r_[0, step_cell][unclear][owner] + k] = True

        # 3. Boundary cells in flat order. Consecutive ones in a row form a run; the clear cell
        #    right after a run (the pad column is always clear) ends the rays cast from it.
        bcell = np.flatnonzero(needs_ray)
        nb = len(bcell)
        is_end = np.ones(nb, dtype=bool)
        is_end[:-1] = bcell[1:] != bcell[:-1] + 1
        ends = np.flatnonzero(is_end)
        run_len = np.diff(ends, prepend=-1)
        ref = bcell[ends] + 1  # per run: flat index of the clear cell ending its rays
        ref_label = labels[ref].astype(np.float64)
        # Per boundary cell: where its rays end (the clear cell's centre: no edge near it) and the
        # tally there.
        self.ray_end_x = np.repeat(self.x0 + (ref % nx + 0.5) * self.h, run_len)
        self.ray_end_tally = np.repeat(
            np.where(ref_label >= 0, (ref_label + 1) * LABEL_SCALE + 1, 0.0), run_len
        )
        labels[bcell] = -2 - np.arange(nb, dtype=np.int32)
        self.labels = labels

        # 4. A boundary cell's edges: the entries of its row whose last column lies between the
        #    cell and the ray's end (an entry reaching past the end would touch the clear cell).
        #    Numbering entries by the boundary cell of their last column and grouping them by that
        #    number makes those one contiguous slice per cell.
        owner_bid = -2 - labels[last_cell]
        order = group_order(owner_bid)
        first = np.zeros(nb + 1, dtype=np.int64)
        np.cumsum(np.bincount(owner_bid, minlength=nb), out=first[1:])
        index = np.int32 if len(owner_bid) < 1 << 31 else np.int64  # smaller to fault in and read
        self.list_start = first[:-1].astype(index)
        self.list_end = np.repeat(first[ends + 1].astype(index), run_len)
        # Per entry, in list order: ax, ay, by, dx/dy, weight (one row each: the ray test reads
        # whole columns).
        edge = entry_edge[order]
        self.entries = np.empty((5, len(edge)))
        for out, column in zip(
            self.entries,
            (edges.ax, edges.ay, edges.by, edges.slope_xy(), edges.weight),
            strict=True,
        ):
            np.take(column, edge, out=out)
        ax = edges.ax
        self.tol = (
            _ULP_FACTOR * ((np.abs(ax).max() + np.abs(edges.bx - ax).max()) if len(ax) else 0.0)
            + 1e-300
        )
        self.n_cells, self.n_boundary_cells = nx * ny, nb

    def _rasterise(
        self, edges: PolygonEdges, i: int, j: int, needs_ray: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Edges i:j -> (last cell, edge) per entry and (cell, weight) per scanline step; marks the
        cells the edges touch in ``needs_ray``."""
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
        edge, k = _repeat_ranges(np.floor(y_hi + e_g).astype(np.int32) - r0 + 1)
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
            owner, k = _repeat_ranges(c1[wide] - c0[wide] - 1)
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
        return last_cell, edge.astype(np.int32) + i, step_cell, step_weight

    # -- query -------------------------------------------------------------------------------

    def ray_labels(
        self, x: np.ndarray, y: np.ndarray, bid: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(label, unsure) for points (x, y) in boundary cells ``bid``; unsure points need GEOS."""
        start = self.list_start[bid]
        n = self.list_end[bid] - start
        pt = np.repeat(np.arange(len(bid)), n)  # one (point, entry) pair per edge to test
        pos = np.repeat(start - (np.cumsum(n) - n), n) + np.arange(len(pt))
        ax, ay, by, slope, weight = (np.take(column, pos) for column in self.entries)
        qy = np.take(y, pt)
        # GEOS's rule (RayCrossingCounter): an edge counts if one end is above the point and the
        # other at or below it, and it crosses the horizontal line right of the point.
        straddle = (ay > qy) != (by > qy)
        xc = qy - ay
        xc *= slope
        xc += ax
        # Round-off: xc is within 7 ulp of |ax| + |bx - ax| of the true crossing, so |d| > tol
        # decides the side exactly; the ray's end is half a cell from any edge, so no care there.
        d = xc - np.take(x, pt)
        cross = straddle & (d > 0) & (xc < np.take(self.ray_end_x[bid], pt))
        # Undecidable in floating point (the point on, or within round-off of, an edge), or a
        # vertex / horizontal edge at the point's height: leave those to the exact test.
        unsure = straddle & (np.abs(d) <= self.tol)
        unsure |= ay == qy
        unsure |= by == qy
        weight *= cross
        tally = self.ray_end_tally[bid] + np.bincount(pt, weights=weight, minlength=len(bid))
        label, clear = decode_tally(tally, self.n_polygons)
        unclear = ~clear
        unclear[pt[unsure]] = True
        return label, unclear
