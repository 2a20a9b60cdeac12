"""Boundary files (GeoJSON, plain or gzipped) -> areas with repaired WGS84 geometry.

RFC 7946 says GeoJSON is WGS84 longitude/latitude. A file that declares another CRS is reprojected;
a file in metres that does not say so (British National Grid exported without a CRS is the usual
case) is refused rather than drawn in the sea. Generalised boundaries often self-intersect after
simplification; those are repaired with shapely's make_valid and counted, not rejected.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import shapely

from ..errors import InputError
from ..workspace import Boundary
from .tabular import read_bytes


@dataclass
class Boundaries:
    level: str
    vintage: str
    codes: np.ndarray
    names: np.ndarray
    geometry: np.ndarray  # shapely polygons / multipolygons, EPSG:4326
    repaired: int
    reprojected_from: str | None


def read_boundaries(spec: Boundary) -> Boundaries:
    name = spec.file.name
    raw = read_bytes(spec.file)
    import geopandas as gpd  # imported by the build only when a boundary file is read, not from the cache

    try:
        gdf = gpd.read_file(io.BytesIO(raw))
    except Exception as exc:  # pyogrio raises several types for unreadable data
        raise InputError(
            name, f"is not readable GeoJSON ({str(exc).splitlines()[0]}).",
            fix="Download the boundary file again, or check it opens in QGIS.",
        ) from None
    if gdf.empty:
        raise InputError(name, "holds no features.", fix="Download the boundary file again.")
    for col in (spec.code, spec.name):
        if col and col not in gdf.columns:
            raise InputError(
                name, "the property is missing from the features.", row=1, column=col,
                expected=f"a property named {col} (set in observatory.toml)",
                fix=f"Fix the column name in [boundaries.{spec.level}] of observatory.toml. "
                f"The file has: {', '.join(c for c in gdf.columns if c != 'geometry')}.",
            )
    reprojected = None
    if gdf.crs is not None and gdf.crs.to_epsg() not in (4326, None):
        reprojected = gdf.crs.to_string()
        gdf = gdf.to_crs(4326)
    geom = gdf.geometry.to_numpy()
    empty = shapely.is_empty(geom) | shapely.is_missing(geom)
    if empty.any():
        i = int(np.argmax(empty))
        raise InputError(
            name, f'feature {gdf[spec.code].iloc[i]} has no geometry.', row=i + 1, column="geometry",
            expected="a polygon or multipolygon", fix="Remove the feature or download the file again.",
        )
    xmin, ymin, xmax, ymax = shapely.total_bounds(geom)
    if max(abs(xmin), abs(xmax)) > 180 or max(abs(ymin), abs(ymax)) > 90:
        raise InputError(
            name,
            f"coordinates run to ({xmax:.0f}, {ymax:.0f}), which are not longitude and latitude: "
            "the file looks projected (e.g. British National Grid metres) without saying so.",
            expected="GeoJSON in WGS84 longitude/latitude (RFC 7946)",
            fix="Reproject it, e.g. `ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson`, or export as WGS84.",
        )
    invalid = ~shapely.is_valid(geom)
    if invalid.any():
        geom = geom.copy()
        repaired = in_threads(shapely.make_valid, geom[invalid], method="structure", keep_collapsed=False)
        geom[invalid] = [_polygonal(g) for g in repaired]
    codes = gdf[spec.code].astype(str).str.strip().to_numpy()
    dup = gdf[spec.code].duplicated().to_numpy()
    if dup.any():
        i = int(np.argmax(dup))
        raise InputError(
            name, f'area code "{codes[i]}" appears twice.', row=i + 1, column=spec.code,
            expected="one feature per area (a multipolygon for areas in several parts)",
            fix="Dissolve the features by code, or download the file again.",
        )
    names = gdf[spec.name].astype(str).to_numpy() if spec.name else codes
    return Boundaries(spec.level, spec.vintage, codes, names, geom, int(invalid.sum()), reprojected)


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    """make_valid can return a collection with stray lines; keep the polygonal part."""
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else g


THREADS = min(4, os.cpu_count() or 1)


def in_threads(func: Callable[..., np.ndarray], geoms: np.ndarray, *args: object, **kwargs: object) -> np.ndarray:
    """`func(geoms, ...)` for a shapely function that treats each geometry on its own (make_valid,
    simplify, point_on_surface), over slices of `geoms` in threads: shapely lets go of Python's
    lock while GEOS works, so the cores share the repair of 361 national districts. The slices
    hold about equal numbers of vertices (the work grows with them); the answer is the same."""
    if THREADS < 2 or len(geoms) < 2 * THREADS:
        return func(geoms, *args, **kwargs)
    weight = np.cumsum(shapely.get_num_coordinates(geoms))
    cuts = np.searchsorted(weight, weight[-1] * np.arange(1, 2 * THREADS) / (2 * THREADS))
    parts = [p for p in np.split(geoms, np.unique(cuts)) if len(p)]
    with ThreadPoolExecutor(THREADS) as pool:
        done = list(pool.map(lambda part: func(part, *args, **kwargs), parts))
    return np.concatenate(done)
