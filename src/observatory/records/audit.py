"""The audit trail: one row per change, written in the same transaction as the change, so a
change and its record commit or roll back together. The database itself refuses UPDATE and DELETE
on the table (triggers created by migration 0001_records), so no code path and no role can
rewrite history."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base

AUDIT_TABLE = "audit_log"

# Created by migration 0001_records (kept here so tests and docs can name them).
def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class AuditEntry(Base):
    __tablename__ = AUDIT_TABLE

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=_now, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    entity: Mapped[str] = mapped_column(String(80))
    entity_id: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[str | None] = mapped_column(Text, nullable=True)
    after: Mapped[str | None] = mapped_column(Text, nullable=True)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(timespec="seconds"),
            "actor": self.actor,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "action": self.action,
            "before": json.loads(self.before) if self.before else None,
            "after": json.loads(self.after) if self.after else None,
        }


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def record_change(session: Session, actor: str, entity: str, entity_id: Any, action: str,
                  before: dict[str, Any] | None, after: dict[str, Any] | None) -> AuditEntry:
    """Add the audit row for a change to `session` (same transaction as the change itself)."""
    entry = AuditEntry(
        actor=actor, entity=entity, entity_id=str(entity_id), action=action,
        before=None if before is None else json.dumps(before, default=_default, sort_keys=True),
        after=None if after is None else json.dumps(after, default=_default, sort_keys=True),
    )
    session.add(entry)
    return entry


def history(session: Session, entity: str, entity_id: Any) -> list[dict[str, Any]]:
    """One record's changes, oldest first."""
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.id)
    )
    return [r.public() for r in rows]


def entries(session: Session, limit: int | None = 200, entity: str | None = None,
            actor: str | None = None) -> list[dict[str, Any]]:
    """The newest entries first (all of them when `limit` is None)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if limit is not None:
        query = query.limit(limit)
    return [r.public() for r in session.scalars(query)]
