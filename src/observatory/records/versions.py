"""Optimistic locking: every record people edit carries a version (migration 0006_record_versions),
1 when written and raised by one at each change. A form, or an API client through `If-Match`,
says which version it was made from; a change from an older version is refused with StaleRecord,
which carries the record as it is now and who changed it last, so the page can show the other
editor's change beside the typing (never losing either)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ObservatoryError
from .audit import AuditEntry
from .words import moment_words


class StaleRecord(ObservatoryError):
    """A change made from a version of a record that someone else has changed since."""

    def __init__(self, what: str, seen: int, current: int, by: str | None = None,
                 at: datetime | None = None) -> None:
        self.what, self.seen, self.current, self.by, self.at = what, seen, current, by, at
        who = f" by {by}" if by else ""
        when = f" on {moment_words(at)}" if at else ""
        super().__init__(
            f"Someone else changed {what} while you were editing it{who}{when}. The record as it is now "
            "is shown; your changes were not saved. Check them against it and save again.")


def parse(value: Any) -> int | None:
    """A version as a form or an If-Match header sends it ("3", '"3"', 'W/"3"'); None when absent."""
    if value is None:
        return None
    text = str(value).strip()
    if text.startswith("W/"):
        text = text[2:]
    text = text.strip('"').strip()
    if not text or text == "*":
        return None
    if not text.isdigit():
        raise ObservatoryError(f"The record version '{value}' is not a version: reload the page and try again.")
    return int(text)


def check(session: Session, record: Any, seen: int | None, what: str, entity: str, entity_id: Any) -> None:
    """Refuse (StaleRecord) a change made from version `seen` of `record` when it has moved on.
    `seen` None: the caller did not say (the command line, an import), and the change is applied."""
    if seen is None or seen == record.version:
        return
    last = session.scalar(select(AuditEntry).where(AuditEntry.entity == entity,
                                                   AuditEntry.entity_id == str(entity_id))
                          .order_by(AuditEntry.id.desc()).limit(1))
    raise StaleRecord(what, seen, record.version, last.actor if last else None, last.at if last else None)


def bump(record: Any) -> None:
    """The record changes: its version moves on (under the row lock the change already holds)."""
    record.version = (record.version or 1) + 1
