"""Ward and district indicator values from LSOA values, then scaled like LSOAs.

Councils work in wards, so the index is also given for the May 2025 wards (the ONS LSOA 2021 to
ward best-fit lookup places each LSOA in one ward) and for districts. Each indicator is aggregated
first and scaled afterwards (scaling averaged scores would not be min-max within the wards):

    ward value = sum(w_lsoa * x_lsoa) / sum(w_lsoa)

with w = usual residents (Census 2021) for the census and deprivation indicators, and w = premises
for the coverage indicators (so a ward's coverage gap is its premises' share, as Ofcom counts it).
LSOAs with no figure for an indicator are left out of that indicator's sums. A ward built from a
best-fit lookup is an approximation: about 4% of West Yorkshire's LSOAs straddle a ward boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .indicators import Raw

LEVELS = ("lsoa", "ward", "lad")


@dataclass
class LevelData:
    level: str
    codes: np.ndarray
    names: np.ndarray
    lad: np.ndarray  # the district each area is in
    values: np.ndarray  # (areas, indicators)
    agg_weight: np.ndarray  # (areas, indicators)
    residents: np.ndarray
    aged_75: np.ndarray
    members: np.ndarray  # LSOAs per area


def lsoa_level(raw: Raw) -> LevelData:
    return LevelData("lsoa", raw.codes, raw.names, raw.lad, raw.values, raw.agg_weight, raw.residents,
                     raw.aged_75, np.ones(len(raw.codes), dtype=int))


def aggregate(raw: Raw, level: str) -> LevelData:
    if level == "lsoa":
        return lsoa_level(raw)
    parent = raw.ward if level == "ward" else raw.lad
    keep = parent != ""
    codes, groups = np.unique(parent[keep].astype(str), return_inverse=True)
    n, k = len(codes), raw.values.shape[1]
    x = raw.values[keep]
    w = raw.agg_weight[keep]
    have = ~np.isnan(x)
    num = np.zeros((n, k))
    den = np.zeros((n, k))
    np.add.at(num, groups, np.where(have, x * w, 0.0))
    np.add.at(den, groups, np.where(have, w, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        values = np.where(den > 0, num / den, np.nan)
    residents = np.bincount(groups, weights=raw.residents[keep], minlength=n)
    aged_75 = np.bincount(groups, weights=raw.aged_75[keep], minlength=n)
    members = np.bincount(groups, minlength=n)
    if level == "ward":
        # a ward's district: that of its LSOAs (the lookup never splits a ward between districts)
        first = np.zeros(n, dtype=int)
        first[groups[::-1]] = np.arange(len(groups))[::-1]
        lad = raw.lad[keep][first]
        names = np.array([raw.ward_names.get(c, c) for c in codes], dtype=object)
    else:
        lad = codes.astype(object)
        names = np.array([raw.lad_names.get(c, c) for c in codes], dtype=object)
    return LevelData(level, codes.astype(object), names, lad, values, den, residents, aged_75, members)
