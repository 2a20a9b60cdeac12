"""Files people fill in (imports of actions, the access register, programme sites and metric
values; a council's hubs; the inclusion indicator files; the OpenStreetMap sites file) read into
rows, with cell checks that COLLECT every bad cell of the file and raise one error listing them
(errors.BadCells): each names its row as a spreadsheet shows it (the header is row 1), its
column, what was expected and how to fix it.

    table = read_table(path, required=("metric_id", "date"), optional=("note",))
    for row in table:
        day = row.day("date", required=True)  # None, and the cell noted, when it is not a date
        ...
    table.unique("metric_id", "metric")
    table.done()  # raises BadCells if any cell was bad; nothing may be written before it

The text is checked as every read checks it (.text: not UTF-8, a workbook, semicolons, a repeated
heading, a title above the header). A missing (or, with only_known, an unknown) column stops the
read at once: the cells cannot be checked without their columns.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import BadCells, InputError
from .text import check_header, checked_text, preamble, read_bytes, renamed

SHOWN = 20  # bad cells listed in one message; the rest are counted
DATE = "a date written YYYY-MM-DD (e.g. 2025-03-31)"
FIX_CELL = "Fix the cell."


class Problems:
    """The problems of one file, collected so that one error (BadCells) lists them all, in the
    order a reader meets them: the file's own first, then by row, then by column."""

    def __init__(self, file: str | Path, columns: Sequence[str] = (), shown: int = SHOWN) -> None:
        self.file = file
        self.shown = shown
        self._order = {c: i for i, c in enumerate(columns)}
        self.found: list[InputError] = []
        self._per_row: Counter[int | None] = Counter()

    def add(self, problem: str, *, row: int | None = None, column: str | None = None,
            expected: str | None = None, fix: str | None = None) -> None:
        self.found.append(InputError(self.file, problem, row=row, column=column, expected=expected, fix=fix))
        self._per_row[row] += 1

    def on_row(self, row: int) -> int:
        return self._per_row[row]

    def __len__(self) -> int:
        return len(self.found)

    def done(self) -> None:
        """Raise one BadCells listing every problem found, if there is any."""
        if self.found:
            end = len(self._order)

            def key(item: tuple[int, InputError]) -> tuple[int, int, int]:
                i, p = item
                row = p.row or 0
                if row < 2:  # the file's own problems and the header's, in the order they were found
                    return row, 0, i
                return row, -1 if p.column is None else self._order.get(p.column, end), i

            ordered = [p for _, p in sorted(enumerate(self.found), key=key)]
            raise BadCells(self.file, ordered, shown=self.shown)


def duplicates(values: Iterable[str], rows: Iterable[int], problems: Problems, column: str, what: str,
               expected: str, fix: str) -> None:
    """Note each value (not empty) found on more than one row, once, on its second row."""
    where: dict[str, list[int]] = {}
    for value, row in zip(values, rows, strict=True):
        if value:
            where.setdefault(value, []).append(row)
    for value, found in where.items():
        if len(found) > 1:
            times = "twice" if len(found) == 2 else f"{len(found)} times"
            listed = ", ".join(map(str, found[:-1])) + f" and {found[-1]}"
            problems.add(f'{what} "{value}" appears {times} (rows {listed}).', row=found[1], column=column,
                         expected=expected, fix=fix)


# Thousands separated by commas, as a spreadsheet writes them: 1,250 or -12,345,678.5
THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def _parse(text: str, whole: bool, commas: bool) -> float | None:
    """The number a cell holds, or None if it holds none (inf and nan are no numbers of anything,
    and Python's 1_000 is no spreadsheet's)."""
    if "_" in text:
        return None
    if commas and "," in text and not THOUSANDS.fullmatch(text.strip()):
        return None  # "1,5" is a decimal comma (one and a half), never fifteen
    try:
        value = float(text.replace(",", "") if commas else text)
    except ValueError:
        return None
    if not math.isfinite(value) or (whole and value != math.floor(value)):
        return None
    return value


class Row:
    """One row of a Table (a row with no cell filled in is skipped). `number` is the row as a
    spreadsheet shows it. Each check notes a bad cell in the table's Problems instead of raising,
    returning None for a bad number or date (False for a bad yes or no), so that the rest of the
    row and the file is checked too; the caller's table.done() then raises them all."""

    __slots__ = ("table", "number", "_cells")

    def __init__(self, table: Table, number: int, cells: list[str]) -> None:
        self.table, self.number, self._cells = table, number, cells

    def __getitem__(self, column: str) -> str:
        """The cell as the file has it ("" for a column the file or the row lacks)."""
        i = self.table.index.get(column)
        return self._cells[i] if i is not None and i < len(self._cells) else ""

    @property
    def ok(self) -> bool:
        """No problem noted on this row so far."""
        return self.table.problems.on_row(self.number) == 0

    def fail(self, column: str | None, problem: str, expected: str | None, fix: str | None) -> InputError:
        """The error for one cell, to raise at once (after the checks, when writing)."""
        return InputError(self.table.file, problem, row=self.number, column=column, expected=expected, fix=fix)

    def bad(self, column: str | None, problem: str, expected: str | None, fix: str | None = FIX_CELL) -> None:
        """Note a bad cell of this row."""
        self.table.problems.add(problem, row=self.number, column=column, expected=expected, fix=fix)

    def text(self, column: str, required: bool = False) -> str:
        value = self[column].strip()
        if required and not value:
            self.bad(column, "the cell is empty.", "a value", "Fill it in or remove the row.")
        return value

    def numeric(self, column: str, required: bool = False, *, expected: str = "a number", whole: bool = False,
                lo: float | None = None, hi: float | None = None, outside: str | None = None,
                outside_fix: str | None = None, commas: bool = False, fix: str = FIX_CELL) -> float | None:
        """A number (whole: a whole number; commas: thousands separators allowed) from lo to hi;
        None when empty or bad. `outside` is the problem of a number out of range, said after the
        cell ('is outside Great Britain'), and `outside_fix` its fix (else `fix`)."""
        text = self.text(column)
        if not text:
            if required:
                self.bad(column, "the cell is empty.", expected, "Fill it in or remove the row.")
            return None
        value = _parse(text, whole, commas)
        if value is None:
            self.bad(column, f'"{text}" is not a {"whole " if whole else ""}number.', expected, fix)
        elif (lo is not None and value < lo) or (hi is not None and value > hi):
            self.bad(column, f'"{text}" {outside or "is out of range"}.', expected, outside_fix or fix)
            return None
        return value

    def whole(self, column: str, required: bool = False, *, expected: str = "a whole number",
              lo: float | None = None, hi: float | None = None, outside: str | None = None) -> int | None:
        value = self.numeric(column, required, expected=expected, whole=True, lo=lo, hi=hi, outside=outside)
        return None if value is None else int(value)

    def day(self, column: str, required: bool = False) -> date | None:
        value = self.text(column, required)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.bad(column, f'"{value}" is not a date.', DATE, FIX_CELL)
            return None

    def choice(self, column: str, allowed: Sequence[str], required: bool = True) -> str:
        value = self.text(column, required)
        if value and value not in allowed:
            self.bad(column, f'"{value}" is not allowed.', f"one of: {', '.join(allowed)}", FIX_CELL)
        return value

    def flag(self, column: str) -> bool:
        value = self.text(column).lower()
        if value in ("", "no", "false", "0"):
            return False
        if value in ("yes", "true", "1"):
            return True
        self.bad(column, f'"{value}" is not yes or no.', "yes or no", FIX_CELL)
        return False


class Table:
    """The rows of a CSV file and the problems found in it (see the module's docstring)."""

    def __init__(self, file: str | Path, header: list[str], records: list[tuple[int, list[str]]],
                 problems: Problems, optional: Sequence[str] = ()) -> None:
        self.file = file
        self.header = header
        self.index = {c: i for i, c in enumerate(header)}
        self.optional = [c for c in optional if c not in self.index]  # absent from the file: empty
        self.rows = [Row(self, n, cells) for n, cells in records]
        self.problems = problems

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def has(self, column: str) -> bool:
        """Whether the file has the column (an optional one may be absent)."""
        return column in self.index

    def column(self, column: str) -> list[str]:
        return [row[column].strip() for row in self.rows]

    def numbers(self, column: str, required: bool = False, *, expected: str = "a number", whole: bool = False,
                lo: float | None = None, hi: float | None = None, outside: str | None = None,
                outside_fix: str | None = None, fix: str = FIX_CELL) -> np.ndarray:
        """The column as floats (NaN where empty or bad), every bad cell noted (as Row.numeric)."""
        cells = pd.Series(self.column(column), dtype=object)
        filled = (cells != "").to_numpy()
        values = pd.to_numeric(cells.where(filled), errors="coerce").to_numpy(dtype="float64", copy=True)
        bad = (np.isnan(values) & filled) | np.isinf(values)
        if whole:
            bad |= np.isfinite(values) & (values != np.floor(values))
        out = ~bad & np.isfinite(values) & (
            (values < lo if lo is not None else False) | (values > hi if hi is not None else False))
        empty = ~filled if required else np.zeros(len(cells), dtype=bool)
        for i in np.flatnonzero(bad | out | empty):
            row, text = self.rows[i], cells.iloc[i]
            if empty[i]:
                row.bad(column, "the cell is empty.", expected, "Fill it in or remove the row.")
            elif bad[i]:
                row.bad(column, f'"{text}" is not a {"whole " if whole else ""}number.', expected, fix)
            else:
                row.bad(column, f'"{text}" {outside or "is out of range"}.', expected, outside_fix or fix)
        values[bad | out] = np.nan
        return values

    def one_of(self, column: str, allowed: Sequence[str], required: bool = True,
               expected: str | None = None) -> None:
        for row in self.rows:
            value = row.text(column, required)
            if value and value not in allowed:
                row.bad(column, f'"{value}" is not allowed.', expected or f"one of: {', '.join(allowed)}", FIX_CELL)

    def non_empty(self, column: str) -> None:
        for row in self.rows:
            row.text(column, required=True)

    def unique(self, column: str, what: str | None = None, expected: str = "each value once",
               fix: str = "Remove or merge the repeated rows.") -> None:
        """Note each value of the column found on more than one row (on its second row)."""
        duplicates(self.column(column), (r.number for r in self.rows), self.problems, column,
                   what or f'the {column}', expected, fix)

    def frame(self, strip: bool = True) -> pd.DataFrame:
        """The rows as a DataFrame of strings (each cell stripped of surrounding spaces unless not
        `strip`), indexed by row number as a spreadsheet shows it; absent optional columns are empty."""
        width = len(self.header)
        cells = [r._cells if len(r._cells) == width else r._cells + [""] * (width - len(r._cells)) for r in self.rows]
        df = pd.DataFrame(cells, columns=self.header, index=pd.Index([r.number for r in self.rows], name="row"),
                          dtype=str)
        if strip:
            for i in range(width):
                df.isetitem(i, df.iloc[:, i].str.strip())
        for column in self.optional:
            df[column] = ""
        return df

    def done(self) -> None:
        """Raise one BadCells listing every problem noted, if there is any."""
        self.problems.done()


def read_table(source: Path | bytes, name: str | Path | None = None, *, required: Sequence[str] = (),
               optional: Sequence[str] = (), only_known: bool = False, fold_case: bool = False,
               expected: str | None = None, fix: str | None = None, shown: int = SHOWN,
               missing_file: str = "Give the path of a CSV file.") -> Table:
    """A file (a path, or the bytes of an upload named `name`) as a Table of its rows.

    The header must have the `required` columns; `optional` ones may be absent (read as empty);
    with `only_known` any other column is refused. Headings are compared without surrounding
    spaces, and in lower case with `fold_case` (give the columns in lower case then). `expected`
    and `fix` are said when a column is missing or unknown; `missing_file` when there is no file.
    A row with more cells than the header is noted and left out of the rows (its cells cannot be
    told apart); a row with fewer reads its missing cells as empty."""
    if isinstance(source, bytes | bytearray):
        raw, name = bytes(source), name or "upload.csv"
    else:
        raw, name = read_bytes(Path(source), fix=missing_file), name or source
    text = checked_text(raw, name)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() if fold_case else h.strip() for h in next(reader, [])]
        check_header(header, name)
        problems = Problems(name, header, shown)
        _check_columns(text, name, header, problems, required, optional, only_known, expected, fix)
        records = []
        for number, cells in enumerate(reader, start=2):
            if not "".join(cells).strip():  # a blank row (or one of empty cells): skipped
                continue
            if len(cells) > len(header):
                problems.add(f"the row has {len(cells)} cells but the header has {len(header)}.", row=number,
                             expected="as many cells on every row as the header has",
                             fix="Put quotes around cells that contain commas, or remove the extra cells.")
                continue
            records.append((number, cells))
    except csv.Error as exc:
        raise InputError(name, f"is not a well-formed CSV file ({exc}).", row=reader.line_num or None,
                         fix="Fix the row, or save the file again as CSV from a spreadsheet.") from None
    return Table(name, header, records, problems, optional)


def _check_columns(text: str, name: str | Path, header: list[str], problems: Problems, required: Sequence[str],
                   optional: Sequence[str], only_known: bool, expected: str | None, fix: str | None) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        preamble(text, name, (*required, *optional))  # a title above the header: say so instead
    known = (*required, *optional)
    unknown = [h for h in header if h not in known] if only_known else []
    listed = ", ".join(required) + (f"; optionally {', '.join(optional)}" if optional else "")
    if missing:
        close = [renamed(c, [h for h in header if h not in known]) for c in missing]
        hints = "".join(f' A column named "{h}" is there: is it "{c}" renamed?' for c, h in zip(missing, close,
                                                                                               strict=True) if h)
        problems.add(f"the header has no column{'s' if len(missing) > 1 else ''} "
                     f"{', '.join(repr(c) for c in missing)}.{hints}", row=1, column=missing[0],
                     expected=expected or f"the columns {listed}",
                     fix=fix or "Add the column, or use the file as it was made (by its publisher or an export).")
    if unknown:
        problems.add(f"unknown column {', '.join(repr(c) for c in unknown)}.", row=1,
                     expected=f"only the columns {', '.join(known)}", fix="Rename or remove the column.")
    problems.done()
