"""The baseline every point-in-polygon benchmark compares against, defined once."""

from __future__ import annotations

import geopandas as gpd
import numpy as np


def geopandas_assign(geoms: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """sjoin(within) from raw lon/lat to one polygon index per point (lowest on overlap, -1 none)."""
    polys = gpd.GeoDataFrame(geometry=geoms, crs=4326)  # no cached sindex
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=4326)
    j = gpd.sjoin(pts, polys, predicate="within", how="inner")
    best = j["index_right"].groupby(level=0).min()
    out = np.full(len(x), -1, dtype=np.int64)
    out[best.index.to_numpy()] = best.to_numpy()
    return out
