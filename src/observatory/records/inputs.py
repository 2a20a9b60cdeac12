"""What a person may type into a record, checked the same way whether it came from a web form, the
API or an import file: one length limit per field, no control characters (a NUL byte, a bell, an
escape sequence), and numbers read by one function.

Each check returns the problem in words (or None), so that a form or the API can refuse the value
with that sentence and an import can list it with its row and column among every other bad cell.
"""

from __future__ import annotations

import math
import re
import unicodedata

from ..errors import ObservatoryError

# Characters, not bytes. The database's own column sizes where it has one; for free text, enough
# for a long paragraph and small enough that every cell of an export reads back in an import.
LIMITS = {
    "meeting_body": 200,
    "meeting_title": 300,
    "source_url": 500,
    "agenda_item": 300,
    "resolution": 10_000,
    "owner": 200,
    "illustrative_note": 300,
    "text": 10_000,  # an action's update
    "organisation": 300,
    "org_code": 20,
    "parts": 10_000,
    "basis": 10_000,
    "username": 80,
    "display_name": 200,
    "label": 200,
    "note": 10_000,
}
# Fields that may hold line breaks and tabs (a paragraph); every other field is one line.
MULTILINE = frozenset({"resolution", "text", "parts", "basis", "note"})

LABELS = {
    "meeting_body": "the meeting's body", "meeting_title": "the meeting's title", "source_url": "the source link",
    "agenda_item": "the agenda item", "resolution": "the resolution", "owner": "the owner",
    "illustrative_note": "the illustrative note", "text": "the update", "organisation": "the organisation",
    "org_code": "the organisation code", "parts": "the parts of the record", "basis": "the basis",
    "username": "the username", "display_name": "the display name", "label": "the label", "note": "the note",
}


def text_problem(field: str, value: str) -> str | None:
    """Why `value` cannot be stored in `field` (a sentence), or None."""
    limit = LIMITS.get(field)
    if limit is not None and len(value) > limit:
        return f"{LABELS.get(field, field).capitalize()} is {len(value):,} characters long: at most {limit:,} fit."
    allowed = "\n\r\t" if field in MULTILINE else ""
    for i, ch in enumerate(value):
        if ch not in allowed and unicodedata.category(ch) in ("Cc", "Cs"):
            name = "a NUL byte" if ch == "\0" else f"the control character U+{ord(ch):04X}"
            return (f"{LABELS.get(field, field).capitalize()} holds {name} at character {i + 1}, which is not text "
                    "(it often comes from a copy out of another program). Retype that part.")
    return None


def check_text(field: str, value: str | None) -> str | None:
    """`value`, or an ObservatoryError saying why it cannot be stored in `field`."""
    if value is None:
        return None
    problem = text_problem(field, value)
    if problem:
        raise ObservatoryError(problem)
    return value


def check_fields(fields: dict[str, object]) -> None:
    """check_text for every text value of a record's fields."""
    for field, value in fields.items():
        if isinstance(value, str):
            check_text(field, value)


_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_PLAIN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
LARGEST = 1e15  # no count or measure of the observatory comes near; past it a typo is likelier


def number_problem(text: str, *, whole: bool = False) -> tuple[float | None, str | None]:
    """A number as people write it (12500, 12,500, 72.5, -3) and the problem, if any, in words.
    A comma is a thousands separator only between groups of three digits: "1,5" is refused, never
    read as 15 (a decimal comma, as much of Europe writes it)."""
    s = text.strip()
    if not s:
        return None, "the cell is empty."
    if "," in s:
        if not _GROUPED.fullmatch(s):
            return None, (f'"{s}" has a comma that is not a thousands separator. Write decimals with a point '
                          f"(e.g. {s.replace(',', '.', 1)}), and thousands as 12,500 or 12500.")
        s = s.replace(",", "")
    if not _PLAIN.fullmatch(s):
        return None, f'"{text.strip()}" is not a number.'
    value = float(s)
    if not math.isfinite(value) or abs(value) > LARGEST:
        return None, f'"{text.strip()}" is too large to be a real figure (at most {LARGEST:,.0f}).'
    if whole and value != math.floor(value):
        return None, f'"{text.strip()}" is not a whole number: a count has no fractions.'
    return value, None


def number(text: str, field: str = "The value", *, whole: bool = False) -> float:
    """The number in `text`, or an ObservatoryError naming `field` and saying what is wrong."""
    value, problem = number_problem(text, whole=whole)
    if problem:
        raise ObservatoryError(f"{field}: {problem}")
    return value
