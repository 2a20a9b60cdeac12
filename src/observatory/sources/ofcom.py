"""Ofcom Connected Nations fixed-coverage files, as downloaded.

Column names are Ofcom's (Connected Nations 2025, "About this data - fixed coverage and full-fibre
take-up"); the rest of the observatory sees only our indicator ids. Three forms:
- the local-authority table (`YYYYMM_fixed_laua_coverage_rNN.csv`): counts and percentages, the
  only level with full fibre;
- the full-fibre take-up table (whole percentages, no counts);
- a release ZIP holding the output-area files (all premises and `_res_` residential; counts) and
  postcode files (one per postcode area; percentages only). Files are reissued with a higher
  revision token (r01 -> r02); the highest revision of each file wins, and the files used are
  recorded in the release's provenance.
"""

from __future__ import annotations

import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from ..indicators.definitions import RESIDENTIAL_SUFFIX
from .boundaries import THREADS
from .percentages import check_percentages
from .tabular import (
    check_at_most,
    check_unique,
    missing_column,
    numbers,
    read_csv,
    text_column,
    text_repeated,
)

ALL = "All Premises"
MATCHED = "All Matched Premises"

# indicator -> (Ofcom's count column, Ofcom's percentage column, other spellings of the percentage)
COUNTED = {
    "sfbb": ("Number of premises with SFBB availability", "SFBB availability (% premises)", ()),
    "ufbb100": (
        "Number of premises with UFBB (100Mbit/s) availability",
        "UFBB (100Mbit/s) availability (% premises)",
        (),
    ),
    "ufbb": ("Number of premises with UFBB availability", "UFBB availability (% premises)", ()),
    "full_fibre": (
        "Number of premises with Full Fibre availability",
        "Full Fibre availability (% premises)",
        (),
    ),
    "gigabit": ("Number of premises with Gigabit availability", "Gigabit availability (% premises)", ()),
    "below_uso": (
        "Number of premises below the USO",
        "% of premises below the USO",
        ("% of premises unable to receive decent broadband from fixed or FWA",),
    ),
    "unable_30": (
        "Number of premises unable to receive 30Mbit/s",
        "% of premises unable to receive 30Mbit/s",
        (),
    ),
}
SMALL_AREA = tuple(i for i in COUNTED if i != "full_fibre")  # withheld below districts

TIDY = ["area_code", "area_name", "indicator", "numerator", "denominator", "value", "row"]


def _tidy_counts(df: pd.DataFrame, name: str, indicators: tuple[str, ...], suffix: str = "",
                 derive: bool = False, notes: list[str] | None = None) -> pd.DataFrame:
    """Counts and percentages per area -> one row per area and indicator. With `derive`, the value
    is the count / All Premises (as Ofcom defines every percentage) and the published percentage
    is checked against it."""
    total = numbers(df, ALL, name, required=True)
    frames = []
    for ind in indicators:
        count_col, pct_col, aliases = COUNTED[ind]
        count = numbers(df, count_col, name, required=True)
        check_at_most(df, count, total, count_col, ALL, name)
        with np.errstate(invalid="ignore", divide="ignore"):
            derived = np.where(total > 0, count / total * 100, np.nan)
        pct_col = next((c for c in (pct_col, *aliases) if c in df.columns), None)
        if pct_col is None:
            pct = derived
        elif derive:
            pct = check_percentages(df, numbers(df, pct_col, name, kind="percent"), derived, pct_col, name, notes)
        else:
            pct = numbers(df, pct_col, name, kind="percent")
        frames.append(
            pd.DataFrame(
                {
                    "area_code": df["area_code"].to_numpy(),
                    "area_name": df["area_name"].to_numpy() if "area_name" in df else None,
                    "indicator": ind + suffix,
                    "numerator": count,
                    "denominator": total,
                    "value": pct,
                    "row": np.arange(len(df)) + 2,  # as a spreadsheet numbers it, header = 1
                }
            )
        )
    return pd.concat(frames, ignore_index=True)[TIDY]


def _required(indicators: tuple[str, ...], with_pct: bool = True) -> dict[str, tuple[str, ...]]:
    req: dict[str, tuple[str, ...]] = {ALL: ()}
    for ind in indicators:
        count_col, pct_col, aliases = COUNTED[ind]
        req[count_col] = ()
        if with_pct:
            req[pct_col] = aliases
    return req


def read_laua(raw: bytes, name: str, notes: list[str] | None = None) -> pd.DataFrame:
    """The local-authority coverage table, any year from 2018: the indicators the file has.

    Figures are derived from the counts (Ofcom: every percentage is its count / All Premises x 100),
    and each published percentage is checked against its own count. `notes` collects what was done
    differently from the column headings, so `sources` and `check` can say so per release.
    """
    notes = notes if notes is not None else []
    df = read_csv(raw, name, {"area_code": ("laua",), "area_name": ("laua_name",), ALL: ()})
    df["area_code"] = df["area_code"].str.strip()
    check_unique(df, "area_code", name)
    present = tuple(ind for ind, (count_col, _, _) in COUNTED.items() if count_col in df.columns)
    for ind, (count_col, pct_col, aliases) in COUNTED.items():
        if ind not in present and any(c in df.columns for c in (pct_col, *aliases)):
            missing_column(df, name, count_col, {c for c, _, _ in COUNTED.values() if c in df.columns})
    if not present:
        raise InputError(name, "has no Ofcom coverage count columns.", row=1,
                         expected='columns such as "Number of premises with SFBB availability"',
                         fix="Check this is Ofcom's fixed coverage table by local authority.")
    missing = [ind for ind in COUNTED if ind not in present]
    if missing:
        notes.append(f"not in this release: {', '.join(missing)}")
    tidy = _tidy_counts(df, name, present, derive=True, notes=notes)
    return _superfast_from_unable_30(df, tidy, name, notes)


def _superfast_from_unable_30(df: pd.DataFrame, tidy: pd.DataFrame, name: str, notes: list[str]) -> pd.DataFrame:
    """Connected Nations 2018 counts "SFBB" as 30 to under 300 Mbit/s (SFBB + UFBB + unable to
    receive 30 Mbit/s = All Matched Premises), not 30 Mbit/s or more as every later table does. For
    a series that means the same thing every year, superfast = All Premises - unable to receive 30."""
    if not {"sfbb", "ufbb", "unable_30"} <= set(tidy["indicator"]):
        return tidy
    by = {ind: part.set_index("area_code") for ind, part in tidy.groupby("indicator")}
    total = by["sfbb"]["denominator"]
    bands = by["sfbb"]["numerator"] + by["ufbb"]["numerator"] + by["unable_30"]["numerator"]
    matched = numbers(df, MATCHED, name) if MATCHED in df.columns else total.to_numpy()
    if by["sfbb"]["numerator"].sum() >= 0.9 * (total - by["unable_30"]["numerator"]).sum():
        return tidy
    if abs(bands.sum() - matched.sum()) > 0.01 * matched.sum():
        return tidy
    sf = tidy["indicator"] == "sfbb"
    unable = by["unable_30"]["numerator"].reindex(tidy.loc[sf, "area_code"]).to_numpy()
    tidy.loc[sf, "numerator"] = tidy.loc[sf, "denominator"].to_numpy() - unable
    tidy.loc[sf, "value"] = 100 * tidy.loc[sf, "numerator"] / tidy.loc[sf, "denominator"]
    notes.append("superfast: this table's SFBB column counts 30 to under 300 Mbit/s only, so superfast "
                 "(30 Mbit/s or more) = All Premises - premises unable to receive 30 Mbit/s")
    return tidy


TAKEUP = {
    "full_fibre_takeup": "Full-fibre take-up (% of full-fibre coverage)",
    "full_fibre_takeup_all": "Full-fibre take-up (% of all premises)",
}


def read_takeup(raw: bytes, name: str) -> pd.DataFrame:
    """Full-fibre take-up by local authority: whole percentages, no counts."""
    df = read_csv(raw, name, {"area_code": ("laua",), "area_name": ("laua_name",), **{c: () for c in TAKEUP.values()}})
    df["area_code"] = df["area_code"].str.strip()
    check_unique(df, "area_code", name)
    frames = [
        pd.DataFrame(
            {
                "area_code": df["area_code"],
                "area_name": df["area_name"],
                "indicator": ind,
                "numerator": np.nan,
                "denominator": np.nan,
                "value": numbers(df, col, name, kind="percent"),
                "row": np.arange(len(df)) + 2,
            }
        )
        for ind, col in TAKEUP.items()
    ]
    return pd.concat(frames, ignore_index=True)[TIDY]


# e.g. 202601_fixed_oa_coverage_r1.csv, 202507_fixed_oa_res_coverage_r01.csv,
#      202601_fixed_pc_coverage_r2_CW.csv, 202601_fixed_postcode_res_coverage_r01_LS.csv
_MEMBER = re.compile(
    r"^(?P<month>\d{6})_fixed_(?P<level>oa|pc|postcode)(?P<res>_res)?_coverage_r(?P<rev>\d+)"
    r"(?:_(?P<area>[A-Za-z]{1,2}))?\.csv$",
    re.IGNORECASE,
)


@dataclass
class SmallAreaRelease:
    """What one release ZIP holds, newest revision of each file only."""

    month: str
    files_used: list[str] = field(default_factory=list)
    files_superseded: list[str] = field(default_factory=list)
    # one row per area and indicator (RELEASE_COLUMNS)
    oa: pd.DataFrame | None = None  # all premises and residential (indicator suffix _res)
    # each postcode file as it reads: a row per postcode, its code and a percentage per indicator.
    # A million rows a release, so kept a row per postcode (a seventh of the size) until wanted:
    # the build's worker hands them back over a pipe.
    postcode_files: list[pd.DataFrame] = field(default_factory=list)

    @property
    def postcodes(self) -> pd.DataFrame | None:
        """Every postcode's figures: one row per postcode and indicator (RELEASE_COLUMNS), value only."""
        return self.postcode_figures()

    def postcode_figures(self, wanted: pd.Series | None = None) -> pd.DataFrame | None:
        """The figures of the postcodes in `wanted` (all when None), one row per postcode and
        indicator: file by file, indicator by indicator, in the files' order of postcodes."""
        if not self.postcode_files:
            return None
        keep = None if wanted is None else pa.array(pd.Series(wanted).astype(str), type=pa.large_string())
        frames = []
        for wide in self.postcode_files:
            codes = pa.array(wide["area_code"], type=pa.large_string())
            values = wide.drop(columns="area_code")
            if keep is not None:
                chosen = pc.is_in(codes, value_set=keep)
                codes, values = codes.filter(chosen), values[chosen.to_numpy(zero_copy_only=False)]
            for indicator in values.columns:
                frames.append(pd.DataFrame({
                    "area_code": text_column(codes), "indicator": text_repeated(indicator, len(codes)),
                    "numerator": np.nan, "denominator": np.nan, "value": values[indicator].to_numpy(),
                }))
        return pd.concat(frames, ignore_index=True)[RELEASE_COLUMNS]


def pick_members(names: list[str]) -> tuple[dict[tuple[str, bool, str], str], list[str]]:
    """The newest revision of each (level, residential, postcode area) file; and the rest."""
    best: dict[tuple[str, bool, str], tuple[int, str]] = {}
    for n in names:
        m = _MEMBER.match(Path(n).name)
        if not m:
            continue
        level = "oa" if m["level"].lower() == "oa" else "postcode"
        key = (level, bool(m["res"]), (m["area"] or "").upper())
        rev = int(m["rev"])
        if key not in best or rev > best[key][0]:
            best[key] = (rev, n)
    chosen = {k: v[1] for k, v in best.items()}
    superseded = sorted(n for n in names if _MEMBER.match(Path(n).name) and n not in chosen.values())
    return chosen, superseded


def read_small_area_zip(path: Path) -> SmallAreaRelease:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            path, f"is not a readable ZIP file ({exc}).", fix="Download the release ZIP from Ofcom again."
        ) from None
    with zf:
        chosen, superseded = pick_members(zf.namelist())
        if not chosen:
            raise InputError(
                path,
                "holds no Ofcom output-area or postcode coverage files.",
                expected="members named like 202601_fixed_oa_coverage_r1.csv or 202601_fixed_pc_coverage_r2_LS.csv",
                fix="Check this is the fixed-coverage release ZIP, unchanged.",
            )
        month = _MEMBER.match(Path(next(iter(chosen.values()))).name)["month"]
    release = SmallAreaRelease(month=f"{month[:4]}-{month[4:]}", files_superseded=superseded)
    oa_frames, pc_frames = [], []
    members = sorted(chosen.items())
    # the members are read side by side (unzipping and parsing let go of Python's lock for much of
    # the time); taken in order, so the first bad member in the ZIP is the one reported
    with ThreadPoolExecutor(THREADS) as pool:
        tidied = [pool.submit(_read_member, path, member, level, res) for (level, res, _area), member in members]
        try:
            for ((level, _res, _area), member), future in zip(members, tidied, strict=True):
                (oa_frames if level == "oa" else pc_frames).append(future.result())
                release.files_used.append(member)
        finally:
            for future in tidied:
                future.cancel()
    release.oa = _figures(oa_frames)
    release.postcode_files = pc_frames
    return release


# What the build keeps of a release's rows: output areas and postcodes are named by their codes,
# and every check that names a row is made as the member is read (so no name, nor row number).
RELEASE_COLUMNS = ["area_code", "indicator", "numerator", "denominator", "value"]


def _figures(frames: list[pd.DataFrame]) -> pd.DataFrame | None:
    return pd.concat([f[RELEASE_COLUMNS] for f in frames], ignore_index=True) if frames else None


def _read_member(path: Path, member: str, level: str, res: bool) -> pd.DataFrame:
    """One member of the release ZIP, tidy (its own handle on the ZIP: one per thread)."""
    name = f"{path.name}:{member}"
    with zipfile.ZipFile(path) as zf:
        _check_size(zf.getinfo(member), path)
        raw = zf.read(member)
    suffix = RESIDENTIAL_SUFFIX if res else ""
    return _read_oa(raw, name, suffix) if level == "oa" else _read_postcodes(raw, name, suffix)


# Ofcom's largest member, the UK output-area file, is well under 200 MB; text compresses about
# 10:1. A member claiming gigabytes, or compressed 200:1, is a damaged or hostile archive (a "ZIP
# bomb"): refused before a byte of it is expanded.
MAX_MEMBER = 1 << 30
MAX_RATIO = 200


def _check_size(info: zipfile.ZipInfo, path: Path) -> None:
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > MAX_MEMBER or ratio > MAX_RATIO:
        raise InputError(
            path, f"member {info.filename} would expand to {info.file_size:,} bytes "
            f"({ratio:,.0f} times its compressed size).",
            expected=f"members under {MAX_MEMBER:,} bytes, as Ofcom's are",
            fix="The archive is damaged or not Ofcom's: download the release ZIP again.",
        )


def _read_oa(raw: bytes, name: str, suffix: str) -> pd.DataFrame:
    df = read_csv(raw, name, {"area_code": ("output_area", "oa11cd", "oa21cd"), **_required(SMALL_AREA, with_pct=False)})
    df["area_code"] = df["area_code"].str.strip()
    check_unique(df, "area_code", name)
    tidy = _tidy_counts(df, name, SMALL_AREA, suffix)
    matched = numbers(df, MATCHED, name) if MATCHED in df.columns else None
    if matched is not None:
        check_at_most(df, matched, numbers(df, ALL, name), MATCHED, ALL, name)
    return tidy


def format_postcode(text: str) -> str:
    """'ls11ab' or ' LS1 1AB ' -> 'LS1 1AB' (the inward code is always the last three characters)."""
    compact = re.sub(r"\s+", "", str(text)).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


# Python's \s on ASCII text, spelt out for Arrow's regular expressions (RE2's \s leaves out \v and
# the four separators \x1c-\x1f)
_ASCII_SPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f ]+"


def format_postcodes(codes: pd.Series) -> pd.Series:
    """format_postcode over a column, in Arrow for ASCII text (every postcode file seen), so a
    national file of 1.7 million postcodes is not formatted one string at a time in Python."""
    text = pa.array(codes.to_numpy(dtype=object), type=pa.string()) if codes.dtype == object else \
        pa.array(codes, type=pa.string())
    if text.null_count or not pc.all(pc.string_is_ascii(text)).as_py():
        return codes.map(format_postcode)
    compact = pc.ascii_upper(pc.replace_substring_regex(text, _ASCII_SPACE, ""))
    spaced = pc.binary_join_element_wise(pc.utf8_slice_codeunits(compact, 0, -3),
                                         pc.utf8_slice_codeunits(compact, -3), " ")
    formatted = pc.if_else(pc.greater(pc.utf8_length(compact), 3), spaced, compact)
    return text_column(formatted).set_axis(codes.index).rename(codes.name)


def _read_postcodes(raw: bytes, name: str, suffix: str) -> pd.DataFrame:
    pct_cols = {COUNTED[i][1]: COUNTED[i][2] for i in SMALL_AREA}
    df = read_csv(raw, name, {"postcode": (), **pct_cols})
    codes = df["postcode_space"] if "postcode_space" in df.columns else df["postcode"]
    df["area_code"] = format_postcodes(codes)
    check_unique(df, "area_code", name)
    return pd.DataFrame({"area_code": df["area_code"],
                         **{ind + suffix: numbers(df, COUNTED[ind][1], name, kind="percent") for ind in SMALL_AREA}})
