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
from ..records.users import now

ENTITY = "metric_value"


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
