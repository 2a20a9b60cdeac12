"""Are these coordinates where they should be? Swapped latitude and longitude, or eastings and
northings in degree columns, put every point somewhere else: nothing fails, and every small-area
figure silently vanishes. Refuse them, saying the likely cause."""

from __future__ import annotations

import numpy as np

from ..errors import InputError

# The United Kingdom with its islands, in WGS84 degrees (min lon, min lat, max lon, max lat).
UK_BOUNDS = (-8.7, 49.8, 1.8, 60.9)


def check_inside(name: str, lon: np.ndarray, lat: np.ndarray, bounds: tuple[float, float, float, float],
                 where: str, column: str | None = None) -> None:
    """Refuse when most located points fall outside `bounds` (a box around where they must be)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    located = ~np.isnan(lon) & ~np.isnan(lat)
    if not located.any():
        return
    lon, lat = lon[located], lat[located]
    inside = _inside(lon, lat, bounds).mean()
    if inside >= 0.5:
        return
    if _inside(lat, lon, bounds).mean() >= 0.5:
        cause = "latitude and longitude look swapped (swapped back, they fall in place)."
        fix = "Swap the latitude and longitude columns (in GeoJSON, each position is [longitude, latitude])."
    elif np.nanmax(np.abs(np.concatenate([lon, lat]))) > 1000:
        cause = "they look like eastings and northings in metres, not degrees."
        fix = "Use WGS84 longitude and latitude (the NSPL's lat/long columns; reproject boundaries to EPSG:4326)."
    else:
        cause = "the file may be for another area."
        fix = "Check the file is for this region, or point observatory.toml at the right file."
    raise InputError(
        name, f"{100 * (1 - inside):.0f}% of its {len(lon):,} points lie outside {where}: {cause}",
        column=column, expected=f"points within {where}", fix=fix,
    )


def _inside(x: np.ndarray, y: np.ndarray, b: tuple[float, float, float, float]) -> np.ndarray:
    return (x >= b[0]) & (x <= b[2]) & (y >= b[1]) & (y <= b[3])
