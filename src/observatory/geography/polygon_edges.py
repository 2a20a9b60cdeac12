"""The edges of a set of polygons as flat numpy arrays, each signed for a winding-number count.

Every edge a -> b of every ring carries ``weight = s * ((polygon + 1) * LABEL_SCALE + 1)``, where
``s`` is +1 or -1 so that a horizontal ray from a point, crossing the edge on its way right, adds
``weight`` to the point's tally if the polygon's interior lies on the point's side. Summing the
weights of the edges that a ray crosses, from a point to a place whose tally is known, gives the
point's tally: ``sum(p + 1 for p containing it) * LABEL_SCALE + count(p containing it)``, which is 0
outside every polygon, ``(p + 1) * LABEL_SCALE + 1`` inside polygon p alone, and anything else where
polygons overlap. That is the winding number, which is 0 or 1 for valid polygons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

# Tallies pack (sum of polygon ids + 1) above a count of polygons; the count stays far below 2**15,
# and the packed sums stay exact in float64 for up to 2**36 polygons.
LABEL_SCALE = 1 << 16
_LABEL_SHIFT = 16


@dataclass(frozen=True)
class PolygonEdges:
    """Edge i runs from (ax[i], ay[i]) to (bx[i], by[i]); all arrays float64 of one length."""

    ax: np.ndarray
    ay: np.ndarray
    bx: np.ndarray
    by: np.ndarray
    weight: np.ndarray  # see the module docstring; exact integers held as float64

    def __len__(self) -> int:
        return len(self.ax)

    def slope_xy(self) -> np.ndarray:
        """dx/dy of each edge in coordinate units, exactly as the ray test's error bound assumes
        (one rounded division of rounded differences); 0 for horizontal edges."""
        dy = self.by - self.ay
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(dy != 0, (self.bx - self.ax) / dy, 0.0)


def polygon_edges(geoms: np.ndarray) -> PolygonEdges:
    """Edges of every ring of every (Multi)Polygon in ``geoms``; coordinates exactly as stored."""
    # In-place arithmetic and views throughout: fresh memory is slow to fault in here (~1 ms/MB).
    xy, gi = shapely.get_coordinates(geoms, return_index=True)
    x, y = xy[:, 0], xy[:, 1]
    n_coords = np.bincount(gi, minlength=len(geoms))
    start = np.cumsum(n_coords) - n_coords
    # Most areas are one ring. Splitting geometries into parts and rings (new GEOS objects) costs
    # more than the rest of the build, so spot the one-ring ones from their coordinates alone: a
    # ring's first point comes back only at its end (valid rings do not touch themselves).
    first = start[gi]
    at_first = x == x[first]
    at_first &= y == y[first]
    del first
    n_at_first = np.bincount(gi, weights=at_first, minlength=len(geoms))
    one_ring = (n_at_first == 2) & (n_coords >= 4)
    one_ring[one_ring] &= at_first[(start + n_coords - 1)[one_ring]]

    i = np.flatnonzero(gi[1:] == gi[:-1])
    i = i[one_ring[gi[i]]]
    ring = gi[i]  # a one-ring geometry's edges: (i, i + 1) within its coordinates
    many = np.flatnonzero(~one_ring & (n_coords > 0))
    a2, b2, poly2, left2 = _ring_edges(geoms[many])
    # Fill the output arrays in place (one-ring edges first), not by concatenating copies.
    n = len(i)
    ax, ay, bx, by, weight = (np.empty(n + len(a2)) for _ in range(5))
    np.take(x, i, out=ax[:n])
    np.take(y, i, out=ay[:n])
    i += 1
    np.take(x, i, out=bx[:n])
    np.take(y, i, out=by[:n])
    del i
    ax[n:], ay[n:], bx[n:], by[n:] = a2[:, 0], a2[:, 1], b2[:, 0], b2[:, 1]
    # Twice the signed area by trapezoids (y shifted near 0 for precision): > 0 is
    # counter-clockwise, with the interior on the left. (A sliver whose sign came out wrong would
    # only make its points' tallies unclear, sending them to the exact test.)
    area2 = ay[:n] + by[:n]
    area2 -= 2 * (y[0] if len(y) else 0.0)
    area2 *= ax[:n] - bx[:n]
    ring_left = np.where(np.bincount(ring, weights=area2, minlength=len(geoms)) > 0, 1, -1)
    # weight = side * ((polygon + 1) * LABEL_SCALE + 1), where side is the interior's side
    # (+1 left), flipped for downward edges: a rightward ray from a point left of an upward edge
    # crosses it, with the point on the edge's left.
    weight[:n], weight[n:] = ring, many[poly2]
    weight += 1
    weight *= LABEL_SCALE
    weight += 1
    weight[:n] *= ring_left[ring]
    weight[n:] *= left2
    weight[by < ay] *= -1
    return PolygonEdges(ax, ay, bx, by, weight)


def _ring_edges(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, geometry index, interior side) for geometries with several rings or parts."""
    if len(geoms) == 0:
        return np.zeros((0, 2)), np.zeros((0, 2)), np.zeros(0, dtype=np.intp), np.zeros(0)
    parts, part_geom = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, ring_of = shapely.get_coordinates(rings, return_index=True)
    # get_rings lists each polygon's exterior first, then its holes. The interior lies left of a
    # counter-clockwise exterior and right of a counter-clockwise hole.
    exterior = np.ones(len(rings), dtype=bool)
    exterior[1:] = ring_part[1:] != ring_part[:-1]
    interior_left = np.where(exterior == shapely.is_ccw(rings), 1.0, -1.0)
    pair = np.flatnonzero(ring_of[1:] == ring_of[:-1])
    ring = ring_of[pair]
    return xy[pair], xy[pair + 1], part_geom[ring_part[ring]], interior_left[ring]


def decode_tally(tally: np.ndarray, n_polygons: int) -> tuple[np.ndarray, np.ndarray]:
    """(label, clear) from integer tallies: label is the one polygon containing the point, or -1;
    clear is False where the tally shows overlapping polygons (or an invalid ring), which needs an
    exact test instead."""
    t = tally.astype(np.int64)  # tallies are exact integers
    label = (t >> _LABEL_SHIFT) - 1
    inside = label >= 0
    clear = ((t & (LABEL_SCALE - 1)) == inside) & (label >= -1) & (label < n_polygons)
    return np.where(clear, label, -1), clear
