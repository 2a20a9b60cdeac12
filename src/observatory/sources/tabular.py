"""Reading CSV text as publishers ship it, and checking its cells with messages people can act on.

Publishers' CSVs come with or without a UTF-8 byte-order mark and with CRLF or LF line endings
(Ofcom ships both within one release); those are valid and read silently. Anything else that is
wrong (not UTF-8, empty, a missing column, a bad number) stops the build with an InputError naming
the file, the row as a spreadsheet shows it (the header is row 1) and the column.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

BOM = b"\xef\xbb\xbf"


def read_bytes(path: Path) -> bytes:
    """The file's bytes, un-gzipped when its name ends .gz."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "the file does not exist.", fix="Check the path in observatory.toml.") from None
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise InputError(
                path,
                f"the gzip file is truncated or damaged ({exc}).",
                fix="Download the file again, or decompress it to see what is left.",
            ) from None
    return raw


# A CSV line longer than this is not a publisher's row (Ofcom's widest are ~700 characters): a
# damaged or hostile file, refused before pandas spends minutes and gigabytes on it.
MAX_LINE = 1_000_000

# What a file that is not CSV text starts with.
_NOT_CSV = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another ZIP archive, not CSV text",
     "Open it in Excel and save as 'CSV UTF-8 (comma delimited)', or download the CSV again."),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls), not CSV text",
     "Open it in Excel and save as 'CSV UTF-8 (comma delimited)', or download the CSV again."),
    (b"\xff\xfe", "UTF-16 text (little-endian), not UTF-8",
     "Re-save it as UTF-8 (in Excel: 'CSV UTF-8'), or download the file again."),
    (b"\xfe\xff", "UTF-16 text (big-endian), not UTF-8",
     "Re-save it as UTF-8 (in Excel: 'CSV UTF-8'), or download the file again."),
)


def decode(raw: bytes, name: str | Path) -> str:
    """UTF-8 text without a byte-order mark; a clear error naming the row for anything else."""
    for magic, what, fix in _NOT_CSV:
        if raw.startswith(magic):
            raise InputError(name, f"the file is {what}.", expected="CSV text in UTF-8", fix=fix)
    if raw[:2000].count(b"\x00") > 100:  # UTF-16 without a byte-order mark: every other byte is 0
        raise InputError(name, "the file is UTF-16 text (every other byte is zero), not UTF-8.",
                         expected="CSV text in UTF-8", fix="Re-save it as UTF-8 (in Excel: 'CSV UTF-8').")
    if raw.startswith(BOM):
        raw = raw[len(BOM):]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            name,
            f"byte 0x{raw[exc.start]:02x} is not UTF-8 text (the file looks like Latin-1 or Windows-1252).",
            row=row,
            column=_column_at(raw, exc.start) if row > 1 else None,
            expected="UTF-8, as the publishers ship their files",
            fix="Re-save the file as UTF-8 (in Excel: 'CSV UTF-8'), or download it again.",
        ) from None


def read_csv(raw: bytes, name: str | Path, required: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Parse CSV bytes into strings, renaming each required column to its canonical name.

    `required` maps a canonical name to the spellings publishers have used for it.
    """
    _check_lines(raw, name)
    text = decode(raw, name)
    if not text.strip():
        raise InputError(name, "the file is empty.", fix="Download the file again.")
    _check_delimiter(text, name, required)
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=False)
    except pd.errors.ParserError as exc:
        _preamble(text, name, required)
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise InputError(
                name, f"the row has {m[3]} cells but the header has {m[1]}.", row=int(m[2]),
                expected="the same number of cells on every row", fix="Fix the row, or download the file again.",
            ) from None
        problem = str(exc).strip().splitlines()[0]
        raise InputError(name, f"is not a well-formed CSV file ({problem}).", fix="Download the file again.") from None
    duplicate_headers(text, name)
    df.columns = [str(c).strip() for c in df.columns]
    rename = {}
    for canonical, spellings in required.items():
        found = next((s for s in (canonical, *spellings) if s in df.columns), None)
        if found is None:
            _preamble(text, name, required)
            taken = {s for c, sp in required.items() for s in (c, *sp) if s in df.columns}
            missing_column(df, name, canonical, taken)
        rename[found] = canonical
    df = df.rename(columns=rename)
    df.attrs["source_columns"] = {canonical: found for found, canonical in rename.items()}
    if df.empty:
        raise InputError(
            name, "has a header but no rows of data.", row=2, fix="Download the file again; it may have been cut short."
        )
    return df


def _check_lines(raw: bytes, name: str | Path) -> None:
    if len(raw) <= MAX_LINE:
        return
    long = _LONG_LINE.search(raw)
    if long:
        line_end = raw.find(b"\n", long.start())
        length = (len(raw) if line_end < 0 else line_end) - (raw.rfind(b"\n", 0, long.start()) + 1)
        raise InputError(name, f"the line is {length:,} characters long.", row=raw.count(b"\n", 0, long.start()) + 1,
                         expected=f"CSV rows of at most {MAX_LINE:,} characters",
                         fix="The file is damaged or not the publisher's: download it again.")


_LONG_LINE = re.compile(rb"[^\n]{%d}" % (MAX_LINE + 1))


def _check_delimiter(text: str, name: str | Path, required: dict[str, tuple[str, ...]]) -> None:
    """A file saved with semicolons (Excel in many European locales) or tabs is one column wide
    to a comma reader: say so, instead of 'column missing'."""
    header = text.split("\n", 1)[0]
    if "," in header:
        return
    for sep, word in ((";", "semicolons"), ("\t", "tabs")):
        if header.count(sep) >= 2:
            raise InputError(name, f"the columns are separated by {word}, not commas.", row=1,
                             expected="comma-separated values, as the publisher ships the file",
                             fix="Save it as 'CSV UTF-8 (comma delimited)', or download the file again.")


def duplicate_headers(text: str, name: str | Path) -> None:
    """pandas renames a repeated header to 'X.1' and the first copy silently wins: refuse instead."""
    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
    seen: dict[str, int] = {}
    for i, col in enumerate(header, start=1):
        key = col.strip()
        if key in seen:
            raise InputError(
                name, f'the header "{key}" appears twice (columns {seen[key]} and {i}).', row=1, column=key,
                expected="each column heading once", fix="Delete or rename one of the two columns.",
            )
        seen[key] = i


def _preamble(text: str, name: str | Path, required: dict[str, tuple[str, ...]]) -> None:
    """A title or notes above the header (Nomis puts some there): name the rows to delete."""
    names = {s for c, spellings in required.items() for s in (c, *spellings)}
    lines = text.splitlines()[:40]
    for i, line in enumerate(lines, start=1):
        cells = {c.strip() for c in next(csv.reader([line]), [])}
        if len(cells & names) >= min(2, len(names)):
            if i == 1:
                return
            raise InputError(
                name,
                f"the first {i - 1} lines look like a title or notes; the header is on row {i}.",
                row=1,
                expected="the column names on the first line",
                fix=f"Delete rows 1 to {i - 1} so the header is the first line.",
            )


def missing_column(df: pd.DataFrame, name: str | Path, column: str, taken: set[str]) -> None:
    import difflib

    # A renamed column: the same name but for case and spacing, or a close spelling that is not
    # itself one of the columns this file must have.
    others = [c for c in df.columns if c not in taken]
    squash = " ".join(column.split()).casefold()
    close = [c for c in others if " ".join(c.split()).casefold() == squash]
    close = close or difflib.get_close_matches(column, others, n=1, cutoff=0.9)
    hint = f" A column named \"{close[0]}\" is there: was it renamed?" if close else ""
    raise InputError(
        name,
        f"the column is missing.{hint}",
        row=1,
        column=column,
        expected=f'a column headed "{column}"',
        fix="Use the file as the publisher ships it, or rename the column back.",
    )


def _column_at(raw: bytes, offset: int) -> str | None:
    """The header name of the column holding byte `offset` (for pointing at a bad character)."""
    start = raw.rfind(b"\n", 0, offset) + 1
    before = raw[start:offset].decode("utf-8", "replace")
    index = max(len(next(csv.reader([before]), [])) - 1, 0)
    header = next(csv.reader([raw.split(b"\n", 1)[0].decode("utf-8", "replace").strip()]), [])
    return header[index].strip() if index < len(header) else None


def numbers(df: pd.DataFrame, column: str, name: str | Path, kind: str = "count",
            required: bool = False) -> np.ndarray:
    """A column as floats. kind: 'count' (whole, >= 0) or 'percent' (0-100). Blank cells are NaN,
    unless `required`: a blank premises count would silently drop the area from its parents.
    'inf', 'Infinity' and overflowing numbers such as 1e400 are never numbers of anything."""
    cells = df[column].str.strip()
    if required and (cells == "").any():
        i = int(np.argmax((cells == "").to_numpy()))
        raise InputError(name, "the cell is blank.", row=i + 2, column=shown(df, column),
                         expected="a whole number, 0 or more",
                         fix="Fill in the count from the publisher's file, or remove the row.")
    values = pd.to_numeric(cells.replace("", None), errors="coerce").to_numpy(dtype="float64")
    bad = (np.isnan(values) & (cells != "").to_numpy()) | np.isinf(values)
    if kind == "count":
        bad |= ~np.isnan(values) & ((values < 0) | (values != np.floor(values)))
    else:
        bad |= ~np.isnan(values) & ((values < 0) | (values > 100))
    if bad.any():
        i = int(np.argmax(bad))
        cell, value = df[column].iloc[i], values[i]
        if np.isinf(value):
            problem = f'"{cell}" is not a finite number.'
            expected = "a whole number, 0 or more" if kind == "count" else "a number from 0 to 100"
        elif kind == "count":
            problem = f'"{cell}" is not a whole number of premises.'
            if value < 0:
                problem = f'"{cell}" is a negative number of premises.'
            expected = "a whole number, 0 or more"
        else:
            problem = f'"{cell}" is not a percentage.'
            if value > 100:
                problem = f'"{cell}" is a percentage over 100.'
            elif value < 0:
                problem = f'"{cell}" is a negative percentage.'
            expected = "a number from 0 to 100"
        raise InputError(
            name, problem, row=i + 2, column=shown(df, column), expected=expected, fix="Fix the cell or remove the row."
        )
    return values


def shown(df: pd.DataFrame, column: str) -> str:
    """The column's name as the file spells it (read_csv renames columns to canonical names)."""
    return df.attrs.get("source_columns", {}).get(column, column)


def check_unique(df: pd.DataFrame, column: str, name: str | Path) -> None:
    dup = df[column].duplicated()
    if dup.any():
        i = int(np.argmax(dup.to_numpy()))
        first = int(np.argmax((df[column] == df[column].iloc[i]).to_numpy()))
        raise InputError(
            name,
            f'area code "{df[column].iloc[i]}" appears twice (rows {first + 2} and {i + 2}).',
            row=i + 2,
            column=shown(df, column),
            expected="one row per area",
            fix="Remove the duplicate row.",
        )


def check_at_most(
    df: pd.DataFrame, part: np.ndarray, whole: np.ndarray, part_col: str, whole_col: str, name: str | Path
) -> None:
    """A count of premises with something can never exceed the premises there are."""
    over = part > whole
    part_col, whole_col = shown(df, part_col), shown(df, whole_col)
    if over.any():
        i = int(np.argmax(over))
        raise InputError(
            name,
            f'{part[i]:.0f} premises is more than "{whole_col}" ({whole[i]:.0f}) on the same row.',
            row=i + 2,
            column=part_col,
            expected=f'a number no larger than "{whole_col}"',
            fix="Fix the cell; the file may be damaged, so download it again.",
        )
