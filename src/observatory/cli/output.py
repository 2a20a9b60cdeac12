"""The one way a command prints rows or writes an export, and the one --format option.

    FormatOpt        --format table, csv or json (TableOrJsonOpt: table or json), checked as the
                     command line is read, with the same message for every command
    emit(rows, ...)  a Rich table, CSV or JSON of the rows, to standard output or a file
    write(text, ...) text already made (an export), to standard output or written whole to a file

JSON is `json.dumps(indent=1, default=str)` and a newline; CSV has a header row and \\n line ends.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import ObservatoryError
from .common import out, reported

FORMATS = ("table", "csv", "json")


def _either(choices: Sequence[str]) -> str:
    return f"{', '.join(choices[:-1])} or {choices[-1]}" if len(choices) > 1 else choices[0]


def allowed(format: str, choices: Sequence[str] = FORMATS) -> str:
    """`format` if it is one of `choices`, else the message every command gives."""
    if format not in choices:
        raise ObservatoryError(f"--format '{format}' is not known. Use {_either(choices)}.")
    return format


def format_option(*choices: str) -> Any:
    """The --format option offering `choices`; a value outside them is an error message, exit 2."""
    def check(value: str) -> str:
        with reported():
            return allowed(value, choices)

    return typer.Option("--format", help=f"{_either(choices)}.", callback=check)


FormatOpt = Annotated[str, format_option(*FORMATS)]
TableOrJsonOpt = Annotated[str, format_option("table", "json")]
CsvOut = Annotated[Path | None, typer.Argument(help="CSV file to write (default: standard output).")]


def emit(rows: Any, format: str, *, columns: Sequence[str] | None = None, title: str | None = None,
         file: Path | None = None) -> None:
    """Print `rows` as a table, CSV or JSON (to `file` if given, except a table).

    Rows are dicts, or sequences in the order of `columns`. CSV and the table take `columns`
    (default: the keys of the first row). JSON writes `rows` as they are (rows given as sequences
    become dicts by `columns`), so a command may pass a whole document, e.g. {"rows": [...], ...}."""
    if format == "json":
        doc = _records(rows, columns) if columns is not None and _sequences(rows) else rows
        write(json.dumps(doc, indent=1, default=str) + "\n", file)
        return
    columns = list(columns if columns is not None else (rows[0] if rows else ()))
    if format == "csv":
        buf = io.StringIO()
        if _sequences(rows):
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(columns)
        else:
            w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
            w.writeheader()
        w.writerows(rows)
        write(buf.getvalue(), file)
        return
    table = Table(title=title, title_justify="left")
    for c in columns:
        table.add_column(c)
    for r in rows:
        cells = (r.get(c) for c in columns) if isinstance(r, Mapping) else r
        table.add_row(*["" if v is None else escape(str(v)) for v in cells])
    out.print(table)


def write(text: str, file: Path | None = None) -> None:
    """To standard output, or to `file` written whole (a .part file renamed into place, so an
    interrupted export never leaves half a file under the real name)."""
    if file is None:
        sys.stdout.write(text)
        return
    tmp = file.with_name(file.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(file)
    out.print(f"Wrote {escape(str(file))}.", highlight=False)


def _sequences(rows: Any) -> bool:
    return isinstance(rows, Sequence) and bool(rows) and not isinstance(rows[0], Mapping)


def _records(rows: Sequence[Sequence[Any]], columns: Sequence[str]) -> list[dict[str, Any]]:
    return [dict(zip(columns, r, strict=True)) for r in rows]
