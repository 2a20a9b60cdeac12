"""Backbone reach: the share of premises within a distance of a lit programme site.

Distances are Euclidean on the British National Grid (EPSG:27700, metres), which is the
projection Ordnance Survey publishes for Great Britain; over a few hundred metres its scale
error is well under 0.1 %, so straight-line BNG distance stands in for ground distance.
Premises are points (e.g. postcodes carrying a share of their output area's premises count).
"""

from __future__ import annotations

import numpy as np
from pyproj import Transformer
from scipy.spatial import cKDTree

from ..workspace.programme import DEFAULT_DISTANCE_M

_TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)


def to_bng(lon, lat) -> np.ndarray:
    """Longitude/latitude (WGS84) to British National Grid easting/northing in metres."""
    x, y = _TO_BNG.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.column_stack([np.atleast_1d(x), np.atleast_1d(y)])


def within_reach(premises_xy: np.ndarray, sites_xy: np.ndarray,
                 distance_m: float = DEFAULT_DISTANCE_M) -> np.ndarray:
    """Boolean per premises point: is any site within distance_m (inclusive)?"""
    premises_xy = np.asarray(premises_xy, dtype=float).reshape(-1, 2)
    sites_xy = np.asarray(sites_xy, dtype=float).reshape(-1, 2)
    if len(sites_xy) == 0 or len(premises_xy) == 0:
        return np.zeros(len(premises_xy), dtype=bool)
    nearest, _ = cKDTree(sites_xy).query(premises_xy, k=1, distance_upper_bound=distance_m)
    return np.isfinite(nearest)


def reach_share(premises_xy, premises_count, sites_xy,
                distance_m: float = DEFAULT_DISTANCE_M) -> float:
    """Share (0-1) of premises, weighted by count, within distance_m of a site."""
    counts = np.asarray(premises_count, dtype=float)
    total = counts.sum()
    if total <= 0:
        raise ValueError("no premises to measure reach over")
    return float(counts[within_reach(premises_xy, sites_xy, distance_m)].sum() / total)
