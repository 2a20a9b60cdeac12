"""ONS "Explore local statistics": gigabit-capable broadband by local authority, a time series.

ONS republishes Ofcom's local-authority gigabit percentages, one period per Connected Nations
snapshot, without premises counts. Two shapes are read: the harmonised series (area_code,
area_name, geography, period, gigabit_pct_premises) and ONS's own download (areacd, areanm,
geography, period 'YYYY-MM-DD', observation).

Upper-tier counties (GSS prefix E10) overlap the districts inside them, so they are returned
separately and never summed with districts (ONS Code History Database: E10 = county).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import InputError
from .tabular import numbers, read_csv, shown

UPPER_TIER_PREFIXES = ("E10", "E11")  # counties, metropolitan counties


def read_gigabit_series(raw: bytes, name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(district rows, upper-tier rows), each tidy with a `release` column (YYYY-MM)."""
    df = read_csv(
        raw,
        name,
        {
            "area_code": ("areacd",),
            "area_name": ("areanm",),
            "period": (),
            "value": ("gigabit_pct_premises", "observation"),
        },
    )
    df["area_code"] = df["area_code"].str.strip()
    months = df["period"].str.strip().str[:7]
    bad = ~months.str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])")
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        raise InputError(
            name,
            f'"{df["period"].iloc[i]}" is not a period.',
            row=i + 2,
            column=shown(df, "period"),
            expected="a month like 2025-07 or a date like 2025-07-01",
            fix="Fix the cell or remove the row.",
        )
    tidy = pd.DataFrame(
        {
            "area_code": df["area_code"],
            "area_name": df["area_name"],
            "indicator": "gigabit",
            "numerator": np.nan,
            "denominator": np.nan,
            "value": numbers(df, "value", name, kind="percent"),
            "release": months,
            "row": np.arange(len(df)) + 2,
        }
    )
    dup = tidy.duplicated(["area_code", "release"])
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        raise InputError(
            name,
            f'area "{tidy["area_code"].iloc[i]}" has two rows for period {tidy["release"].iloc[i]}.',
            row=i + 2,
            column=shown(df, "area_code"),
            expected="one row per area and period",
            fix="Remove the duplicate row.",
        )
    tidy = tidy.dropna(subset=["value"])
    upper = tidy["area_code"].str.startswith(UPPER_TIER_PREFIXES)
    unknown = ~tidy["area_code"].str.fullmatch(r"[ENSW]\d{8}")
    if unknown.any():
        i = int(np.argmax(unknown.to_numpy()))
        raise InputError(
            name,
            f'"{tidy["area_code"].iloc[i]}" is not a GSS area code.',
            row=int(tidy["row"].iloc[i]),
            column=shown(df, "area_code"),
            expected="a nine-character ONS code (a letter, then eight digits: E08..., W06...)",
            fix="Fix the cell or remove the row.",
        )
    return tidy[~upper].reset_index(drop=True), tidy[upper].reset_index(drop=True)


def is_gss(code: str) -> bool:
    return bool(re.fullmatch(r"[EKNSW]\d{8}", code))
