"""The GOV.UK form pattern for every records form (actions, the register, site status, metric
values, users): a form that cannot be saved is shown again, with an error summary at the top
linking to each field, the field's own message beside it, and what was typed kept. The messages
are the observatory's own sentences, in plain words.

A handler collects problems in a `Problems` (field -> sentence), and when there are any, renders
its page again with `form` (the typed values) and `errors` (the problems), answering 422 (or 409
when someone else changed the record meanwhile: records/versions.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ..errors import InputError, ObservatoryError
from ..records.inputs import text_problem
from ..records.versions import StaleRecord

STALE = "version"  # the error summary's key for "someone else changed this record"


class Problems(dict):
    """Field -> the problem with it, in words, in the order found (the summary's order)."""

    def add(self, field: str, text: str) -> None:
        self.setdefault(field, text)

    def texts(self, fields: dict[str, Any], ids: dict[str, str] | None = None) -> None:
        """Length and control-character problems of each text field (records/inputs.py), put
        against the field's id in the page (`ids`, where it differs from the field's name)."""
        for field, value in fields.items():
            if isinstance(value, str):
                problem = text_problem(field, value)
                if problem:
                    self.add((ids or {}).get(field, field), problem)

    def day(self, field: str, value: str, label: str, *, required: bool = False,
            not_after: date | None = None) -> date | None:
        """A date typed in a form (a date field sends YYYY-MM-DD; a person may type 7/12/2026)."""
        text = value.strip()
        if not text:
            if required:
                self.add(field, f"Enter {label}.")
            return None
        found = _read_day(text)
        if found is None:
            self.add(field, f"{label[:1].upper()}{label[1:]} must be a real date, for example 31 March 2026 "
                            f"(you typed \u201c{text}\u201d).")
            return None
        if not_after is not None and found > not_after:
            self.add(field, f"{label[:1].upper()}{label[1:]} must be today or in the past: a change is recorded "
                            "when it has happened.")
            return None
        return found

    def error(self, exc: ObservatoryError, field: str) -> None:
        """A problem the records refused the change with, put against `field`."""
        if isinstance(exc, StaleRecord):
            self.add(STALE, str(exc))
        elif isinstance(exc, InputError):
            text = exc.problem.strip()
            self.add(field, text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))
        else:
            self.add(field, str(exc))

    @property
    def status(self) -> int:
        return 409 if STALE in self else 422


_MONTHS = {m.lower(): i + 1 for i, m in enumerate(
    ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"))}


def _read_day(text: str) -> date | None:
    """YYYY-MM-DD, D/M/YYYY or '7 December 2026'; None if none of them."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    parts = text.replace("/", " ").replace("-", " ").replace(".", " ").split()
    if len(parts) == 3:
        d, m, y = parts
        month = _MONTHS.get(m.lower()) or next((v for k, v in _MONTHS.items() if k[:3] == m.lower()[:3]
                                                and not m.isdigit()), None)
        try:
            return date(int(y), int(m) if m.isdigit() else (month or 0), int(d))
        except ValueError:
            return None
    return None
