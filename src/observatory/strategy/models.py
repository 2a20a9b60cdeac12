"""Values people enter for a metric, in the records database. Every change is audited
(records.audit.record_change, same transaction); a value is never edited in place: a correction is
a new value for the same date, and the newest entry for a date is the one used."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..errors import ObservatoryError
from ..records.audit import record_change
from ..records.db import Base
from ..records.inputs import number_problem
from ..records.users import now

ENTITY = "metric_value"

# Units measured on a scale (any fraction, never negative); every other unit but "%" counts
# things (people, sites, actions), so its values are whole.
MEASURES = frozenset({"days", "hours", "minutes", "seconds", "weeks", "months", "years", "£", "GBP", "Mbit/s"})


def is_count(unit: str) -> bool:
    return unit != "%" and unit not in MEASURES


def value_problem(unit: str, value: float, whole: bool = True) -> str | None:
    """Why `value` cannot be a value of a metric measured in `unit`, in words (or None): a
    percentage lies from 0 to 100, a count is whole (`whole`: checked) and not negative, a measure
    not negative. (Imports check the range only: values kept before counts had to be whole still
    read back.)"""
    shown = _shown(value)
    if unit == "%":
        if not 0 <= value <= 100:
            return f"{shown}% is not a percentage from 0 to 100. Give the percentage itself, e.g. 72.5."
        return None
    if value < 0:
        return f"{shown} is below zero, which a number of {unit} cannot be."
    if whole and is_count(unit) and value != int(value):
        return f"{shown} is not a whole number: a count of {unit} has no fractions."
    return None


def _shown(value: float) -> str:
    return f"{int(value):,}" if value == int(value) else f"{value:,}"


def parse_value(unit: str, text: str) -> tuple[float | None, str | None]:
    """A value as typed in a form, read by the one number parser (records.inputs) and checked
    against the metric's unit: the number, or the problem in words."""
    number, problem = number_problem(text, whole=is_count(unit))
    if problem:
        if problem == "the cell is empty.":
            return None, "Enter the value, as a number without its unit (e.g. 72.5)."
        return None, problem[:1].upper() + problem[1:]
    problem = value_problem(unit, number)
    return (None, problem) if problem else (number, None)


def latest_id(session: Session, metric_id: str) -> int:
    """The newest value entered for a metric (0 for none): the version a value form is made from."""
    return session.scalar(select(func.max(EnteredValue.id)).where(EnteredValue.metric_id == metric_id)) or 0


def entered_since(session: Session, metric_id: str, on: date, seen: int) -> EnteredValue | None:
    """A value someone else entered for the same metric and date after version `seen`."""
    return session.scalar(select(EnteredValue).where(EnteredValue.metric_id == metric_id, EnteredValue.date == on,
                                                     EnteredValue.id > seen)
                          .order_by(EnteredValue.id.desc()).limit(1))


class EnteredValue(Base):
    __tablename__ = "metric_values"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    metric_id: Mapped[str] = mapped_column(String(120), index=True)
    value: Mapped[float] = mapped_column(Float)
    date: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)


def value_dict(v: EnteredValue) -> dict[str, Any]:
    return {"id": v.id, "metric_id": v.metric_id, "value": v.value, "date": v.date.isoformat(),
            "note": v.note, "author": v.author, "recorded_at": v.recorded_at.isoformat(timespec="seconds"),
            "illustrative": v.illustrative}


def add_value(session: Session, actor: str, metric_id: str, value: float, on: date, note: str = "",
              illustrative: bool = False) -> EnteredValue:
    """Record a value (audited). The caller checks the metric exists and takes entered values."""
    if not isinstance(value, int | float) or value != value or value in (float("inf"), float("-inf")):
        raise ObservatoryError(f"Metric {metric_id}: the value must be a number, not {value!r}.")
    if not isinstance(on, date):
        raise ObservatoryError(f"Metric {metric_id}: the date must be a date (YYYY-MM-DD).")
    if on > date.today():
        raise ObservatoryError(f"Metric {metric_id}: {on.isoformat()} is in the future. A value is recorded for "
                               "the date it was measured.")
    row = EnteredValue(metric_id=metric_id, value=float(value), date=on, note=note.strip(), author=actor,
                       recorded_at=now(), illustrative=illustrative)
    session.add(row)
    session.flush()
    record_change(session, actor, ENTITY, row.id, "create", None, value_dict(row))
    return row


def values_for(session: Session, metric_id: str) -> list[dict[str, Any]]:
    """Every value entered for a metric, oldest date first; for a date entered more than once, the
    newest entry only (a correction replaces, the audit log keeps the old one)."""
    rows = session.scalars(select(EnteredValue).where(EnteredValue.metric_id == metric_id)
                           .order_by(EnteredValue.date, EnteredValue.recorded_at, EnteredValue.id))
    latest: dict[date, EnteredValue] = {}
    for r in rows:
        latest[r.date] = r
    return [value_dict(v) for v in sorted(latest.values(), key=lambda v: v.date)]


def all_values(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(EnteredValue).order_by(EnteredValue.metric_id, EnteredValue.date, EnteredValue.id))
    return [value_dict(v) for v in rows]


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(EnteredValue)) or 0
