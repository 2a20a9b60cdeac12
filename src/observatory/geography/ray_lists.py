"""Per boundary cell of an ``EdgeGrid``: the edges a horizontal ray from the cell may cross.

Consecutive boundary cells in a row form a *run*, with a clear cell (known tally) at each end. A
ray from a point can end at either: rightwards it may cross only the run's entries whose last
column is at or right of the point's cell, leftwards only those whose first column is at or left
of it. Each cell takes the shorter of the two lists, so a point in the middle of a long run of
crowded cells (town centres, where most postcode and address points are) tests fewer edges than
a one-way ray would (WY output areas, points in random areas' bboxes: 6.0 instead of 9.5 per point
in a boundary cell at 8 cells per edge, 4.1 instead of 6.0 at 16). The shorter side changes once along a run (the left list only grows
and the right list only shrinks from cell to cell), so each run stores one prefix of its entries
in first-column order (for its leftward cells) and one suffix in last-column order (for its
rightward cells), and every cell's list is one contiguous slice of ``rows``.

A leftward list stores its edges mirrored (x negated, and with it dx/dy and the weight): the ray
test then counts crossings left of the point with the very arithmetic of the rightward test, and
mirroring is exact, so the round-off bound of the rightward test holds unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .polygon_edges import PolygonEdges


@dataclass(frozen=True)
class RayLists:
    """Cell b's edges are ``rows[start[b]:end[b]]``: columns ax, ay, by, dx/dy, weight."""

    start: np.ndarray
    end: np.ndarray
    leftward: np.ndarray  # bool per cell: its ray runs left, its rows are mirrored
    end_cell: np.ndarray  # per cell: flat index of the clear cell that ends its rays
    rows: np.ndarray


def group_order(key: np.ndarray) -> np.ndarray:
    """A permutation sorting non-negative int keys (< 2**32) by two 16-bit radix passes: numpy sorts
    16-bit keys by counting, several times faster than a comparison sort of the full keys."""
    order = np.argsort((key & 0xFFFF).astype(np.uint16), kind="stable")
    if key.max(initial=0) < 1 << 16:
        return order
    high = (key >> 16).astype(np.uint16)[order]
    return order[np.argsort(high, kind="stable")]


def ray_lists(
    bcell: np.ndarray,
    first_bid: np.ndarray,
    last_bid: np.ndarray,
    entry_edge: np.ndarray,
    edges: PolygonEdges,
) -> RayLists:
    """Lists for boundary cells at flat indices ``bcell`` (sorted), from entries (one per edge and
    row) numbered by the boundary cell of their first and last column."""
    nb = len(bcell)
    is_first = np.ones(nb, dtype=bool)
    is_first[1:] = bcell[1:] != bcell[:-1] + 1
    # Offsets and cell numbers in 32 bits where they fit: a quarter of a million boundary cells
    # have a dozen arrays each, and fresh memory is slow to fault in (~1 ms per MB here).
    index = np.int32 if 2 * len(first_bid) < 1 << 31 else np.int64
    run_first = np.flatnonzero(is_first).astype(index)  # boundary-cell number of each run's first cell
    run_len = np.diff(run_first, append=index(nb))
    run_last = run_first + run_len - 1
    # Entries grouped by first cell (leftward order) and by last cell (rightward order).
    off_l = np.zeros(nb + 1, dtype=index)
    np.cumsum(np.bincount(first_bid, minlength=nb), out=off_l[1:], dtype=index)
    off_r = np.zeros(nb + 1, dtype=index)
    np.cumsum(np.bincount(last_bid, minlength=nb), out=off_r[1:], dtype=index)
    # Per cell: entries from its run's start to it, and from it to its run's end.
    run_start_off = np.repeat(off_l[run_first], run_len)
    run_end_off = np.repeat(off_r[run_last + 1], run_len)
    left_len = off_l[1:] - run_start_off
    right_len = run_end_off - off_r[:-1]
    leftward = left_len < right_len
    # A run's leftward cells (a prefix of it) keep the entries starting in them, its rightward
    # cells (the rest) those ending in them; an entry spanning the split is kept by both. Sorted
    # by the cell keeping them, the kept entries are, run by run, the leftward prefix in
    # first-column order and then the rightward suffix in last-column order.
    left = np.flatnonzero(leftward[first_bid])
    right = np.flatnonzero(~leftward[last_bid])
    key = np.concatenate([first_bid[left], last_bid[right]])
    order = group_order(key)
    src = np.concatenate([entry_edge[left], entry_edge[right]])[order]
    mirrored = order < len(left)
    off = np.zeros(nb + 1, dtype=index)
    np.cumsum(np.bincount(key, minlength=nb), out=off[1:], dtype=index)
    start = np.where(leftward, np.repeat(off[run_first], run_len), off[:-1])
    end = np.where(leftward, off[1:], np.repeat(off[run_last + 1], run_len))
    end_cell = np.where(
        leftward, np.repeat(bcell[run_first] - 1, run_len), np.repeat(bcell[run_last] + 1, run_len)
    )
    rows = _rows(edges, src, mirrored)
    return RayLists(start, end, leftward, end_cell, rows)


def _rows(edges: PolygonEdges, src: np.ndarray, mirrored: np.ndarray) -> np.ndarray:
    """(len(src), 5) float64: ax, ay, by, dx/dy, weight of edges ``src``, x mirrored where
    ``mirrored``. One row per entry, so the ray test gathers an entry in one read.

    Every edge's row is made twice, as it is and mirrored (x, dx/dy and the weight negated), in
    one table of whole rows; the entries are then one gather of rows from it. Twice as quick as
    gathering column by column into the strided columns of the answer (the table is smaller than
    the answer: most edges have several entries)."""
    n = len(edges)
    table = np.empty((2 * n, 5))
    for j, values in enumerate((edges.ax, edges.ay, edges.by, edges.slope_xy(), edges.weight)):
        table[:n, j] = values
    np.multiply(table[:n], (-1.0, 1.0, 1.0, -1.0, -1.0), out=table[n:])
    pick = mirrored * n
    pick += src
    return np.take(table, pick, axis=0)
