"""Readable MSOA names: the House of Commons Library's "MSOA Names".

ONS names an MSOA by its district and a number ("Bradford 001"), which nobody recognises. The
House of Commons Library publishes a name for every MSOA in England and Wales, chosen with local
authorities from the places people know ("Ilkley North"): https://houseofcommonslibrary.github.io/msoanames/
(MSOA-Names-Latest.csv), under the Open Government Licence v3.0. Version 1.x names the 2011 MSOAs
(columns msoa11cd, msoa11nm, msoa11nmw, msoa11hclnm, msoa11hclnmw, Laname); version 2.x names the
2021 MSOAs (msoa21cd, msoa21nm, msoa21nmw, msoa21hclnm, msoa21hclnmw, ...). Only the code and the
English readable name are read.

The file covers England and Wales: codes that are not MSOAs of the workspace are expected (they are
counted, for `check`), but a file none of whose codes are the workspace's MSOAs is the wrong year.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import InputError
from ..workspace import MsoaNames
from .tabular import Problems, duplicates, read_bytes, read_csv, shown

# The Library's column headings, newest first (2021 MSOAs, then 2011), in the case ONS and the
# Library have both used.
CODE_COLUMNS = ("msoa21cd", "MSOA21CD", "msoa11cd", "MSOA11CD")
NAME_COLUMNS = ("msoa21hclnm", "MSOA21HCLNM", "msoa11hclnm", "MSOA11HCLNM")
# An MSOA's GSS code: E02 (England) or W02 (Wales) and six digits.
MSOA_CODE = re.compile(r"^[EW]02\d{6}$")


def read_msoa_names(spec: MsoaNames, msoas: set[str]) -> tuple[pd.DataFrame, int]:
    """(code, name) for the workspace's MSOAs that the file names, and how many of the file's
    codes are not MSOAs of the workspace."""
    file = spec.file.name
    df = read_csv(read_bytes(spec.file), file, {})
    code = _column(df, file, (spec.code,) if spec.code else CODE_COLUMNS, "code", "E02002183")
    name = _column(df, file, (spec.name,) if spec.name else NAME_COLUMNS, "name", "Ilkley North")
    problems = Problems(file, list(df.columns))
    df = df.rename(columns={code: "code", name: "name"})
    df.attrs["source_columns"] = {"code": code, "name": name}
    _one_year(df, file)
    df["code"] = df["code"].str.strip()
    df["name"] = df["name"].str.strip()
    rows = np.arange(len(df)) + 2  # as a spreadsheet numbers them: the header is row 1
    for i in np.flatnonzero(~df["code"].str.match(MSOA_CODE.pattern).to_numpy()):
        problems.add(
            f'"{df["code"].iloc[i]}" is not an MSOA code.', row=int(rows[i]), column=code,
            expected="an MSOA code: E02 or W02 and six digits, e.g. E02002183",
            fix="Use the House of Commons Library's MSOA Names file as published, or fix the cell.",
        )
    duplicates(df["code"], rows.tolist(), problems, code, "area code", expected="one row per area",
               fix="Remove the duplicate row.")
    for i in np.flatnonzero((df["name"] == "").to_numpy()):
        problems.add(
            f'MSOA {df["code"].iloc[i]} has no name.', row=int(rows[i]), column=name,
            expected="a readable name on every row",
            fix="Fill in the name from the publisher's file, or remove the row (the MSOA is then "
                "described by its wards).",
        )
    problems.done()  # every bad cell at once
    inside = df["code"].isin(msoas).to_numpy()
    if msoas and not inside.any():
        raise InputError(
            file, f"none of its {len(df):,} MSOA codes is an MSOA of the workspace's [boundaries.msoa] "
            f"(first: {df['code'].iloc[0]}).", column=shown(df, "code"),
            expected="MSOA codes of the same year as the MSOA boundaries",
            fix="Use the names file of the boundaries' year: version 1.x names the 2011 MSOAs "
                "(msoa11cd), version 2.x the 2021 MSOAs (msoa21cd).",
        )
    return df.loc[inside, ["code", "name"]].reset_index(drop=True), int((~inside).sum())


def _column(df: pd.DataFrame, file: str, spellings: tuple[str, ...], what: str, example: str) -> str:
    found = next((c for c in spellings if c in df.columns), None)
    if found is not None:
        return found
    headed = " or ".join(f'"{c}"' for c in spellings if c == c.lower()) or f'"{spellings[0]}"'
    raise InputError(
        file, f"the MSOA {what} column is missing (the header has: {', '.join(map(str, df.columns[:8]))}).",
        row=1, column=spellings[0], expected=f"a column headed {headed} (e.g. {example})",
        fix="Use the House of Commons Library's MSOA Names file as published, or set "
            f"[msoa_names].{what} in observatory.toml to the heading of the {what} column.",
    )


def _one_year(df: pd.DataFrame, file: str) -> None:
    """The code and name columns must be of one year: a 2011 code beside a 2021 name is a file
    put together by hand."""
    code, name = shown(df, "code").lower(), shown(df, "name").lower()
    if code[:6] in ("msoa11", "msoa21") and name[:6] in ("msoa11", "msoa21") and code[:6] != name[:6]:
        raise InputError(
            file, f'the codes ("{shown(df, "code")}") and the names ("{shown(df, "name")}") are of '
            "different years.", row=1, column=shown(df, "name"),
            expected=f'the name column of the same year, "{code[:6]}hclnm"',
            fix="Use the House of Commons Library's file as published.",
        )
