"""Publishers' CSV files as pandas DataFrames of strings, and the checks of their cells.

read_csv renames each required column to its canonical name (publishers have spelt some several
ways) and refuses a file whose text, shape or header is wrong (InputError, see .text). The checks
below stop at the first bad cell: the build reads national files of millions of rows, whose
problems are a damaged download rather than cells to correct one by one. Files that people fill
in are read by .table, which lists every bad cell at once.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ...errors import InputError
from .text import BOM, checked_text, duplicate_headers, header_of, preamble, renamed


def read_csv(raw: bytes, name: str | Path, required: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Parse CSV bytes into strings, renaming each required column to its canonical name.

    `required` maps a canonical name to the spellings publishers have used for it.
    """
    text = checked_text(raw, name)
    try:
        df = _by_arrow(raw, text)
        if df is None:
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=False)
            _no_short_row(text, name, len(df.columns), required)
    except pd.errors.ParserError as exc:
        preamble(text, name, _names(required))
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
            preamble(text, name, _names(required))
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


def _by_arrow(raw: bytes, text: str) -> pd.DataFrame | None:
    """The file as pandas reads it (every cell a string, empty cells "", the header's names), parsed
    by Arrow's CSV reader: three times quicker on the release ZIP's postcode files, and no Python
    string made per cell. None wherever the two could differ, for pandas to read as before and to
    word any error: a header that is not one plain line, an empty or repeated heading (pandas
    renames those), a row with more or fewer cells than the header (pandas pads a short one, which
    read_csv then refuses), a quote left open, or a column that came out other than text."""
    try:
        header = header_of(text)
    except csv.Error:
        return None
    if not header or "" in header or len(set(header)) < len(header):
        return None
    body = raw[len(BOM):] if raw.startswith(BOM) else raw  # checked_text decoded it: UTF-8
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()),
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowException, ValueError):
        return None
    if table.column_names != header or not all(pa.types.is_string(t) for t in table.schema.types):
        return None
    return table.to_pandas(types_mapper=_TEXT.get)


# Arrow's strings as pandas' own text columns (pandas 3's "str": Arrow storage, NaN for missing)
_TEXT = {pa.string(): pd.StringDtype(na_value=np.nan), pa.large_string(): pd.StringDtype(na_value=np.nan)}


def text_column(values: pa.Array | pa.ChunkedArray) -> pd.Series:
    """Arrow strings as a pandas text column, the kind every reader makes, without a Python string
    per cell (making a column from a numpy array of Python strings converts each one: a sixth of a
    second for half a million codes)."""
    return values.to_pandas(types_mapper=_TEXT.get)


def text_repeated(value: str, n: int, index: pd.Index | None = None) -> pd.Series:
    """`value` n times as a text column (a release's id on each of its million figures). pandas
    repeats a string through Arrow's take, a twentieth of a second per million cells; here its
    bytes are laid end to end once, in a fifth of the time."""
    data = value.encode()
    offsets = np.arange(n + 1, dtype=np.int64) * len(data)
    column = text_column(pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data * n)))
    if index is not None:
        column.index = index
    return column


def _no_short_row(text: str, name: str | Path, width: int, required: dict[str, tuple[str, ...]]) -> None:
    """A row with fewer cells than the header is refused, as one with more is. pandas pads it
    with empty cells, so a postcode row cut off after its code would be read as a postcode with
    no coordinates, and a build would leave out its figures without a word. Only files Arrow did
    not read come here (Arrow refuses such a row), so the rows are counted again only for those."""
    reader = csv.reader(io.StringIO(text))
    next(reader, None)  # the header
    for cells in reader:
        if cells and len(cells) < width:
            preamble(text, name, _names(required))  # a title above the header says so instead
            raise InputError(
                name, f"the row has {len(cells)} cell{'' if len(cells) == 1 else 's'} but the header has {width}.",
                row=reader.line_num,
                expected="the same number of cells on every row",
                fix="Fix the row, or download the file again: it may have been cut short.",
            )


def _names(required: dict[str, tuple[str, ...]]) -> set[str]:
    return {s for c, spellings in required.items() for s in (c, *spellings)}


def missing_column(df: pd.DataFrame, name: str | Path, column: str, taken: set[str]) -> None:
    close = renamed(column, [c for c in df.columns if c not in taken])
    hint = f" A column named \"{close}\" is there: was it renamed?" if close else ""
    raise InputError(
        name,
        f"the column is missing.{hint}",
        row=1,
        column=column,
        expected=f'a column headed "{column}"',
        fix="Use the file as the publisher ships it, or rename the column back.",
    )


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
    values = _floats(cells)
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


def _floats(cells: pd.Series) -> np.ndarray:
    """Stripped cells as floats, blank and unreadable ones NaN (numbers() then says which cell).
    Arrow parses a column of numbers about ten times quicker than pandas (a million postcodes'
    counts); a column it refuses, having a cell that is not a number, is read by pandas instead,
    which leaves that cell NaN for the check to find."""
    try:
        arrow = pa.array(cells, type=pa.string())
        return pc.cast(pc.if_else(pc.equal(arrow, ""), None, arrow), pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return pd.to_numeric(cells.replace("", None), errors="coerce").to_numpy(dtype="float64")


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
