"""The audit trail: one row per change, written in the same transaction as the change, so a
change and its record commit or roll back together.

Nobody can rewrite it:
- The database refuses UPDATE and DELETE on the table (triggers of migration 0001_records), and on
  SQLite also a REPLACE of an existing row (0004_audit_seal); on PostgreSQL the application's own
  role may only add rows and read them (records/roles.py).
- Each row is sealed: it stores the SHA-256 of its content and of the previous row's seal (a hash
  chain), so a row changed or removed outside the observatory, even by someone who can get round
  the triggers, breaks the chain at that row. `verify` (`observatory records verify`) finds the
  first broken link.

Rows are sealed when their transaction commits (before_commit, below), under a lock that puts
writers one after another (SQLite: the write lock every transaction takes; PostgreSQL: an advisory
lock), so the chain follows the order of commits and ids never interleave. Taking that lock as
the last step of a commit, after every row lock the change took, means it can never deadlock with
them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, Text, event, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..errors import ObservatoryError
from .base import Base

AUDIT_TABLE = "audit_log"
GENESIS = "0" * 64  # the "previous seal" of the first row
# pg_advisory_xact_lock key for sealing (any fixed number; only the observatory takes it).
_SEAL_LOCK = 0x0B5E_A0D1
_PENDING = "observatory.audit_pending"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class AuditEntry(Base):
    __tablename__ = AUDIT_TABLE

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime, default=_now, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    entity: Mapped[str] = mapped_column(String(80))
    entity_id: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    before: Mapped[str | None] = mapped_column(Text, nullable=True)
    after: Mapped[str | None] = mapped_column(Text, nullable=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hash: Mapped[str | None] = mapped_column(String(64), nullable=True)

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


def seal(prev_hash: str, id: int, at: datetime, actor: str, entity: str, entity_id: str, action: str,
         before: str | None, after: str | None) -> str:
    """The SHA-256 of a row's content and the previous row's seal. Migration 0004_audit_seal
    holds a frozen copy (it sealed the rows written before it): the two must never differ."""
    content = json.dumps([prev_hash, id, at.isoformat(), actor, entity, entity_id, action, before, after],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def seal_of(row: Any) -> str:
    """The seal a row (an AuditEntry, or a mapping with its columns) should have."""
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    return seal(get("prev_hash") or "", get("id"), get("at"), get("actor"), get("entity"), get("entity_id"),
                get("action"), get("before"), get("after"))


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def record_change(session: Session, actor: str, entity: str, entity_id: Any, action: str,
                  before: dict[str, Any] | None, after: dict[str, Any] | None) -> AuditEntry:
    """The audit row for a change, written with the change when `session` commits (it is numbered
    and sealed then: until the commit it is not in the table)."""
    entry = AuditEntry(
        at=_now(), actor=actor, entity=entity, entity_id=str(entity_id), action=action,
        before=None if before is None else json.dumps(before, default=_default, sort_keys=True),
        after=None if after is None else json.dumps(after, default=_default, sort_keys=True),
    )
    session.info.setdefault(_PENDING, []).append(entry)
    return entry


@event.listens_for(Session, "before_commit")
def _seal_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    if session.get_bind().dialect.name == "postgresql":
        # Held until this transaction ends: the next writer reads the tail after this one committed.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SEAL_LOCK})
    tail = session.execute(select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    last_id, last_hash = (tail.id, tail.hash or GENESIS) if tail else (0, GENESIS)
    for entry in pending:
        last_id += 1
        entry.id, entry.prev_hash = last_id, last_hash
        entry.hash = last_hash = seal_of(entry)
    session.add_all(pending)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


# --- checking the chain --------------------------------------------------------------------

@dataclass(frozen=True)
class BrokenLink:
    """The first row where the chain does not hold, and why, in words."""

    id: int
    problem: str


@dataclass(frozen=True)
class ChainReport:
    rows: int
    last_id: int | None
    last_hash: str | None
    broken: BrokenLink | None


def _describe(row: Any) -> str:
    at = row["at"].isoformat(sep=" ", timespec="seconds")
    return f"entry {row['id']} ({at}, {row['actor']}, {row['action']} {row['entity']} {row['entity_id']})"


def check_chain(rows: Any, known: str | None = None) -> ChainReport:
    """Walk rows (mappings with the audit columns, in id order) and report the first broken link.
    `known`: a seal (or its first 16 or more characters) noted from an earlier check, which some
    row must still have: the chain alone cannot show that rows were cut off its end."""
    count, prev, last_hash = 0, None, GENESIS
    found = known is None
    for row in rows:
        count += 1
        if row["prev_hash"] != last_hash:
            where = "the start of the log" if prev is None else f"entry {prev['id']}"
            return ChainReport(count, row["id"], row["hash"], BrokenLink(
                row["id"], f"{_describe(row).capitalize()} does not follow on from {where}: an entry "
                "before it was removed or replaced, or this one was added by hand."))
        if row["hash"] != seal_of(row):
            return ChainReport(count, row["id"], row["hash"], BrokenLink(
                row["id"], f"{_describe(row).capitalize()} was changed after it was written: its "
                "content no longer matches its seal."))
        prev, last_hash = row, row["hash"]
        found = found or row["hash"].startswith(known)
    last_id, last = (prev["id"], prev["hash"]) if prev else (None, None)
    if not found:
        return ChainReport(count + 1, last_id, last, BrokenLink(
            (last_id or 0) + 1, f"No entry has the seal {known} noted earlier: entries were removed from the "
            f"end of the log{f' after entry {last_id}' if last_id else ''}."))
    return ChainReport(count, last_id, last, None)


def verify(session: Session, known: str | None = None) -> ChainReport:
    """Check the whole audit log's hash chain, oldest row first (see check_chain for `known`)."""
    if known is not None and len(known.strip()) < 16:
        raise ObservatoryError("Give at least the first 16 characters of the seal you noted.")
    result = session.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)
                             .execution_options(yield_per=1000))
    return check_chain((r._mapping for r in result), known.strip().lower() if known else None)


# --- reading -------------------------------------------------------------------------------

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
