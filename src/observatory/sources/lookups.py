"""ONS lookup tables placing districts in their parents (LAD to region, LAD to combined authority)
and a council's own grouping in the same form: one row per district, its parent's code and name."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ..workspace import Lookup
from .tabular import check_unique, read_bytes, read_csv

LEVEL_WORDS = {"rgn": "region", "ca": "combined authority", "group": "grouping"}


def read_lookup(lookup: Lookup, districts: set[str]) -> pd.DataFrame:
    """district, code, name: one row per district that has a parent of this level (a district with
    none, e.g. outside every combined authority, has a blank code or no row)."""
    name = lookup.file.name
    df = read_csv(read_bytes(lookup.file), name,
                  {"district": (lookup.district,), "code": (lookup.code,), "name": (lookup.name,)})
    for col in ("district", "code", "name"):
        df[col] = df[col].str.strip()
    df = df.assign(row=np.arange(len(df)) + 2)
    df = df[df["code"] != ""]
    check_unique(df, "district", name)
    unknown = ~df["district"].isin(districts)
    if unknown.any():
        r = df[unknown].iloc[0]
        raise InputError(
            name, f'"{r["district"]}" is not a district in the workspace\'s district boundaries.', row=int(r["row"]),
            column=lookup.district, expected="LAD codes of the same vintage as [boundaries.lad]",
            fix="Use the lookup of the same year as the district boundaries.",
        )
    names = df.groupby("code")["name"].nunique()
    if (names > 1).any():
        code = names[names > 1].index[0]
        r = df[df["code"] == code].iloc[1]
        raise InputError(
            name, f'{LEVEL_WORDS[lookup.level]} "{code}" has two names in the file.', row=int(r["row"]),
            column=lookup.name, expected="one name per code", fix="Correct the name so every row agrees.",
        )
    return df[["district", "code", "name"]].reset_index(drop=True)
