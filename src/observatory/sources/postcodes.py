"""Postcode centroids from the ONS National Statistics Postcode Lookup (NSPL), as lat/lon CSV.

NSPL marks a postcode it cannot place with an empty latitude and longitude 0; those are kept as
unlocated (counted by `observatory check`), never placed at (0, 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from .ofcom import format_postcodes
from .tabular import read_csv, shown


def read_postcodes(raw: bytes, name: str) -> pd.DataFrame:
    """postcode ('LS1 1AA'), lon, lat (NaN where unlocated)."""
    df = read_csv(raw, name, {"postcode": ("pcds", "pcd"), "lat": ("latitude",), "lon": ("long", "longitude")})
    out = pd.DataFrame({"postcode": format_postcodes(df["postcode"])})
    for col in ("lat", "lon"):
        out[col] = pd.to_numeric(df[col].str.strip().replace("", None), errors="coerce")
        bad = out[col].isna() & (df[col].str.strip() != "")
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            raise InputError(
                name, f'"{df[col].iloc[i]}" is not a coordinate.', row=i + 2, column=shown(df, col),
                expected="decimal degrees (WGS84)", fix="Fix the cell, or leave it empty if the postcode has no location.",
            )
    unlocated = out["lat"].isna() | out["lon"].isna() | ((out["lat"] == 0) & (out["lon"] == 0))
    unlocated |= out["lat"].isna() & (out["lon"] == 0)
    out.loc[unlocated, ["lat", "lon"]] = np.nan
    lat_bad = ~unlocated & (out["lat"].abs() > 90)
    out_of_range = lat_bad | (~unlocated & (out["lon"].abs() > 180))
    if out_of_range.any():
        i = int(np.argmax(out_of_range.to_numpy()))
        raise InputError(
            name, f"({out['lat'].iloc[i]}, {out['lon'].iloc[i]}) is not a latitude and longitude.",
            row=i + 2, column=shown(df, "lat" if lat_bad.iloc[i] else "lon"), expected="WGS84 degrees (latitude -90..90, longitude -180..180)",
            fix="Use the NSPL's lat/long columns, not its eastings and northings.",
        )
    dup = out["postcode"].duplicated()
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        raise InputError(name, f'postcode "{out["postcode"].iloc[i]}" appears twice.', row=i + 2,
                         column=shown(df, "postcode"), expected="one row per postcode", fix="Remove the duplicate row.")
    return out
