"""The one CSV reader: bytes (a file's, or an upload's) -> checked text -> a DataFrame or rows.

- .text: bytes to checked text, for every read. Publishers' CSVs come with or without a UTF-8
  byte-order mark and with CRLF or LF line endings (Ofcom ships both within one release); those
  are valid and read silently. Anything else that is wrong (not UTF-8, a workbook, empty,
  semicolons, a repeated heading, a title above the header) stops the read with an InputError
  naming the file, the row as a spreadsheet shows it (the header is row 1) and the column.
- .frame: publishers' files as DataFrames of strings (read_csv), and checks that stop at the
  first bad cell of a national file (numbers, check_unique, check_at_most).
- .table: files people fill in, as rows (read_table), with checks of numbers, whole numbers,
  dates, one of a list, yes/no, not empty and unique that collect every bad cell and raise one
  errors.BadCells listing them (Problems collects them for a DataFrame too).

Nothing else in the observatory parses CSV: every reader of a file calls one of these.
"""

from .frame import (
    check_at_most,
    check_unique,
    missing_column,
    numbers,
    read_csv,
    shown,
    text_column,
    text_repeated,
)
from .table import DATE, FIX_CELL, SHOWN, Problems, Row, Table, duplicates, read_table
from .text import (
    BOM,
    MAX_LINE,
    check_header,
    checked_text,
    decode,
    duplicate_headers,
    preamble,
    read_bytes,
    renamed,
)

__all__ = [
    "BOM", "DATE", "FIX_CELL", "MAX_LINE", "SHOWN", "Problems", "Row", "Table", "check_at_most", "check_header",
    "check_unique", "checked_text", "decode", "duplicate_headers", "duplicates", "missing_column", "numbers",
    "preamble", "read_bytes", "read_csv", "read_table", "renamed", "shown", "text_column",
    "text_repeated",
]
