"""Ofcom's small-area coverage release as files: names, columns, revisions, CSV and ZIP bytes.

The SYNTHETIC demo release copies Ofcom's real layout exactly (member names, column names, UTF-8
BOM, CRLF line ends, one-decimal percentages, revision tokens), so only the values are made up.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

RELEASE = "202507"
AREAS = ("BD", "HD", "HX", "LS", "WF")
REISSUED_AREA = "HX"
ZIP_DATE_TIME = (2025, 7, 1, 0, 0, 0)
BOM = b"\xef\xbb\xbf"

ALL = "All Premises"
MATCHED = "All Matched Premises"


def _n(what: str) -> str:
    return "Number of premises " + what


SFBB = _n("with SFBB availability")
UFBB100 = _n("with UFBB (100Mbit/s) availability")
UFBB = _n("with UFBB availability")
GIGABIT = _n("with Gigabit availability")
U2 = _n("unable to receive 2Mbit/s")
U5 = _n("unable to receive 5Mbit/s")
U10 = _n("unable to receive 10Mbit/s")
U30 = _n("unable to receive 30Mbit/s")
USO = _n("below the USO")
NGA = _n("with NGA")
FWA = _n("able to receive decent broadband from FWA")
B30_300 = _n("with 30<300Mbit/s download speed")
B300 = _n("with >=300Mbit/s download speed")
B0_2 = _n("with 0<2Mbit/s download speed")
B2_5 = _n("with 2<5Mbit/s download speed")
B5_10 = _n("with 5<10Mbit/s download speed")
B10_30 = _n("with 10<30Mbit/s download speed")

# Count columns of the output-area files (everything the district table has except full fibre).
OA_COUNTS = (
    ALL,
    MATCHED,
    SFBB,
    UFBB100,
    UFBB,
    GIGABIT,
    U2,
    U5,
    U10,
    U30,
    USO,
    NGA,
    FWA,
    B30_300,
    B300,
    B0_2,
    B2_5,
    B5_10,
    B10_30,
)


def number_column(pct_column: str) -> str:
    """Ofcom's count column for one of its percentage columns."""
    if pct_column.endswith(" availability (% premises)"):
        return _n("with " + pct_column[: -len(" (% premises)")])
    if pct_column.startswith("% of premises "):
        return _n(pct_column[len("% of premises ") :])
    raise KeyError(pct_column)


def check_identities(d: pd.DataFrame) -> None:
    """The identities between the count columns that the generator keeps exactly at every level;
    they hold in the real West Yorkshire district rows (raises ``ValueError`` if not)."""
    bands = d[[B0_2, B2_5, B5_10, B10_30, B30_300, B300]].sum(axis=1)
    rules = {
        "bands sum to matched": bands == d[MATCHED],
        "0<2 = unable 2": d[B0_2] == d[U2],
        "<5 = unable 5": d[B0_2] + d[B2_5] == d[U5],
        "<10 = unable 10": d[B0_2] + d[B2_5] + d[B5_10] == d[U10],
        "<30 = unable 30": d[B0_2] + d[B2_5] + d[B5_10] + d[B10_30] == d[U30],
        ">=300 = UFBB": d[B300] == d[UFBB],
        "SFBB = matched - unable 30": d[SFBB] == d[MATCHED] - d[U30],
        "gigabit <= UFBB <= UFBB100 <= SFBB": (d[GIGABIT] <= d[UFBB])
        & (d[UFBB] <= d[UFBB100])
        & (d[UFBB100] <= d[SFBB]),
        "matched <= all": d[MATCHED] <= d[ALL],
        "USO <= unable 10": d[USO] <= d[U10],
        "SFBB <= NGA <= matched": (d[SFBB] <= d[NGA]) & (d[NGA] <= d[MATCHED]),
        "FWA <= matched - USO": d[FWA] <= d[MATCHED] - d[USO],
    }
    broken = [name for name, ok in rules.items() if not bool(np.all(ok))]
    if broken:
        raise ValueError(f"district table breaks identities the generator keeps: {broken}")


def with_speed_bands(v: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The counts plus the six speed-band columns, which follow exactly from the nested counts."""
    v = dict(v)
    v[B300] = v[UFBB]
    v[B30_300] = v[SFBB] - v[UFBB]
    v[B10_30] = v[U30] - v[U10]
    v[B5_10] = v[U10] - v[U5]
    v[B2_5] = v[U5] - v[U2]
    v[B0_2] = v[U2]
    return v


_MEMBER = re.compile(r"^(?P<stem>.+)_r(?P<rev>\d+)(?P<tail>(_[A-Z]{1,2})?\.csv)$")


def latest_revisions(names: list[str]) -> list[str]:
    """Keep, for each file, only its newest revision (``r02`` beats ``r01``); sorted names.

    Ofcom reissues a file under a higher revision token and the release keeps the old one; a
    reader must use the highest revision of each (level, residential, postcode area) file.
    Names without a revision token are returned unchanged.
    """
    best: dict[tuple[str, str], tuple[int, str]] = {}
    out = []
    for name in names:
        m = _MEMBER.match(name)
        if not m:
            out.append(name)
            continue
        key = (m["stem"], m["tail"])
        rev = int(m["rev"])
        if key not in best or rev > best[key][0]:
            best[key] = (rev, name)
    out.extend(name for _, name in best.values())
    return sorted(out)


def oa_member(residential: bool) -> str:
    """Name of the all-premises or residential output-area file."""
    return f"{RELEASE}_fixed_oa{'_res' if residential else ''}_coverage_r01.csv"


def pc_member(area: str, residential: bool = False, revision: int = 1) -> str:
    """Name of one postcode area's all-premises or residential postcode file."""
    return f"{RELEASE}_fixed_pc{'_res' if residential else ''}_coverage_r{revision:02d}_{area}.csv"


def member_names() -> list[str]:
    """The ZIP's members, in the order written."""
    names = ["README_SYNTHETIC.txt", oa_member(False), oa_member(True)]
    for area in AREAS:
        names.append(pc_member(area))
        if area == REISSUED_AREA:
            names.append(pc_member(area, revision=2))
        names.append(pc_member(area, residential=True))
    return names


_TENTHS = np.array([f"{i / 10:.1f}" for i in range(1001)], dtype=object)


def _cells(col: pd.Series) -> np.ndarray:
    """One column as text: percentages with one decimal ("%.1f"), integers, strings as is."""
    v = col.to_numpy()
    if np.issubdtype(v.dtype, np.floating):
        tenths = np.rint(v * 10.0).astype(np.int64)
        if tenths.min() < 0 or tenths.max() > 1000:
            raise ValueError(f"percentage out of range in {col.name!r}")
        return _TENTHS[tenths]
    if np.issubdtype(v.dtype, np.integer):
        return v.astype(str).astype(object)
    out = v.astype(str).astype(object)
    if any("," in s or '"' in s for s in out):
        raise ValueError(f"unquoted text would break the CSV in {col.name!r}")
    return out


def csv_bytes(df: pd.DataFrame, bom: bool = True) -> bytes:
    """CSV as Ofcom writes it: CRLF line ends, optional UTF-8 BOM, one-decimal percentages."""
    lines = [",".join(df.columns)]
    lines += [",".join(row) for row in zip(*(_cells(df[c]) for c in df.columns), strict=True)]
    text = "\r\n".join(lines) + "\r\n"
    return (BOM if bom else b"") + text.encode("utf-8")


def oa_frame(
    oa_code: np.ndarray, district_columns: pd.Index, counts: dict[str, np.ndarray]
) -> pd.DataFrame:
    """An output-area file's table: the district table's columns (full fibre withheld), with
    percentages recomputed from the counts as count / All Premises x 100 to 1 dp."""
    P = counts[ALL]
    cols: dict[str, np.ndarray] = {"output_area": oa_code, ALL: P, MATCHED: counts[MATCHED]}
    for col in district_columns:
        if col in ("laua_name", ALL, MATCHED) or "Full Fibre" in col:
            continue
        if "%" in col:
            num = counts[number_column(col)]
            cols[col] = np.round(100.0 * num / np.maximum(P, 1), 1)
        else:
            cols[col] = counts[col]
    return pd.DataFrame(cols)


def write_zip(out_zip: Path, members: dict[str, bytes]) -> Path:
    """Write ``members`` (all of :func:`member_names`) in that order with fixed timestamps,
    permissions and compression, through a temporary file so a failed run leaves no half ZIP."""
    out_zip = Path(out_zip)
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_zip.with_name(out_zip.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name in member_names():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, members[name], compresslevel=9)
    tmp.replace(out_zip)
    return out_zip
