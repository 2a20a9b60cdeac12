"""CSV cells a spreadsheet will not run, and read back exactly as they were.

A spreadsheet opening a CSV treats a cell that starts with `=`, `+`, `-` or `@` as a formula (and
a leading tab or carriage return can hide one), so a cell such as `=HYPERLINK("http://...")` or
`+cmd|' /C calc'!A0` typed into a record would run on the computer of whoever opens the export.
Following OWASP's advice on CSV injection, every such cell is written with a single quote in front
(`'=HYPERLINK(...)`), which makes a spreadsheet show it as text.

So that an import gives back exactly what was exported, a cell that itself starts with a quote is
quoted too (`'it'` is written `''it'`), and so is one that starts with a backslash (the records
export writes an empty value, NULL, as `\\N`). `restore` then takes the quote off every cell that
starts with a quote followed by one of those characters, and off no other: restore(neutralise(x))
is always x. Numbers (`-12.5`, `+3`, `1e-5`) are left as they are: they run nothing, and a
spreadsheet must still read them as numbers.

Every CSV the records produce is written through `writer` (or `neutralise` for one cell), and every
records import reads its cells through `restore`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
# Also escaped, so that restore never mistakes a value of our own for one it quoted.
_ESCAPED = (*FORMULA, QUOTE, "\\")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class Verbatim(str):
    """A cell the writer itself chose (the records export's NULL marker), written as it is."""


def neutralise(value: Any) -> Any:
    """A cell as it is safe to write: text that a spreadsheet would run (or that starts with a
    quote or backslash) with a quote in front; numbers and anything else as they are."""
    if isinstance(value, str) and not isinstance(value, Verbatim) and value.startswith(_ESCAPED) \
            and not _NUMBER.fullmatch(value):
        return QUOTE + value
    return value


def restore(cell: str) -> str:
    """A cell as it was before `neutralise`: the quote it added taken off (and no other)."""
    if len(cell) > 1 and cell[0] == QUOTE and cell[1] in _ESCAPED:
        return cell[1:]
    return cell


class SafeWriter:
    """csv.writer, with every cell neutralised."""

    def __init__(self, out: TextIO, **options: Any) -> None:
        self._w = csv.writer(out, lineterminator="\n", **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._w.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: TextIO, **options: Any) -> SafeWriter:
    """The one CSV writer of the records (and of the web's CSV exports)."""
    return SafeWriter(out, **options)
