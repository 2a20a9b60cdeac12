"""Bytes to checked CSV text: the first stage of every read (publishers' files and people's).

Publishers' CSVs come with or without a UTF-8 byte-order mark and with CRLF or LF line endings
(Ofcom ships both within one release); those are valid and read silently. A file that is not CSV
text (a workbook, UTF-16, Latin-1), is empty, has a line no CSV row could be, is separated by
semicolons or tabs, repeats a column heading or has a title above its header stops with an
InputError naming the file, the row as a spreadsheet shows it (the header is row 1) and the column.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import zlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ...errors import InputError

BOM = b"\xef\xbb\xbf"

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


def read_bytes(path: Path, fix: str = "Check the path in observatory.toml.") -> bytes:
    """The file's bytes, un-gzipped when its name ends .gz. `fix` says what to do when it is not there."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "the file does not exist.", fix=fix) from None
    except IsADirectoryError:
        raise InputError(path, "is a folder, not a file.", fix=fix) from None
    except OSError as exc:
        raise InputError(path, f"the file cannot be read ({exc.strerror or exc}).",
                         fix="Check that the file is readable, then try again.") from None
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


def checked_text(raw: bytes, name: str | Path) -> str:
    """The file's text, refused (InputError) if it is not CSV text, is empty, has a line no CSV
    row could be, or is separated by semicolons or tabs instead of commas."""
    check_lines(raw, name)
    text = decode(raw, name)
    if not text.strip():
        raise InputError(name, "the file is empty.", fix="Download the file again.")
    check_delimiter(text, name)
    return text


def check_lines(raw: bytes, name: str | Path) -> None:
    if len(raw) <= MAX_LINE:
        return
    # every line's length from where the newlines are (one vectorised pass; a regular expression
    # looking for a long run of non-newlines took a second over a national file)
    ends = np.append(np.flatnonzero(np.frombuffer(raw, dtype=np.uint8) == ord("\n")), len(raw))
    lengths = ends - np.concatenate(([0], ends[:-1] + 1))
    long = np.flatnonzero(lengths > MAX_LINE)
    if len(long):
        line = int(long[0])
        raise InputError(name, f"the line is {int(lengths[line]):,} characters long.", row=line + 1,
                         expected=f"CSV rows of at most {MAX_LINE:,} characters",
                         fix="The file is damaged or not the publisher's: download it again.")


def check_delimiter(text: str, name: str | Path) -> None:
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


def header_of(text: str) -> list[str]:
    """The headings on the file's first line, as a CSV reader splits them (csv.Error if it cannot)."""
    return next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])


def duplicate_headers(text: str, name: str | Path) -> None:
    """pandas renames a repeated header to 'X.1' and the first copy silently wins: refuse instead."""
    check_header(header_of(text), name)


def check_header(header: list[str], name: str | Path) -> None:
    """Each column heading once (compared without surrounding spaces)."""
    seen: dict[str, int] = {}
    for i, col in enumerate(header, start=1):
        key = col.strip()
        if key in seen:
            raise InputError(
                name, f'the header "{key}" appears twice (columns {seen[key]} and {i}).', row=1, column=key,
                expected="each column heading once", fix="Delete or rename one of the two columns.",
            )
        seen[key] = i


def preamble(text: str, name: str | Path, names: Iterable[str]) -> None:
    """A title or notes above the header (Nomis puts some there): name the rows to delete.
    `names` are the column headings the file should have."""
    names = set(names)
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


def renamed(column: str, others: Iterable[str]) -> str | None:
    """The heading among `others` that looks like `column` renamed: the same but for case and
    spacing, or a close spelling (the caller leaves out the headings the file must have)."""
    others = list(others)
    squash = " ".join(column.split()).casefold()
    close = [c for c in others if " ".join(c.split()).casefold() == squash]
    close = close or difflib.get_close_matches(column, others, n=1, cutoff=0.9)
    return close[0] if close else None


def _column_at(raw: bytes, offset: int) -> str | None:
    """The header name of the column holding byte `offset` (for pointing at a bad character)."""
    start = raw.rfind(b"\n", 0, offset) + 1
    before = raw[start:offset].decode("utf-8", "replace")
    index = max(len(next(csv.reader([before]), [])) - 1, 0)
    header = next(csv.reader([raw.split(b"\n", 1)[0].decode("utf-8", "replace").strip()]), [])
    return header[index].strip() if index < len(header) else None
