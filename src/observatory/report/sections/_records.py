"""The one question every records-based section asks first: is there a records database for this
workspace, and if not, why (one sentence for the reader)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from ...errors import ObservatoryError
from ...records.db import NO_RECORDS, Records, open_or_reason
from .base import Context

NO_RECORDS_YET = "No records are kept in this observatory yet."

T = TypeVar("T")


def records_or_reason(ctx: Context) -> Records | str:
    """The workspace's records database (the caller disposes of it), or the sentence saying why
    there is none, as a sentence of the report."""
    records, reason = open_or_reason(ctx.workspace)
    if records is not None:
        return records
    # for the board: no records kept yet is not a fault (an officer's `check` says how to start them)
    return NO_RECORDS_YET if reason == NO_RECORDS else (reason or "")[0].upper() + (reason or "")[1:]


def read_records(ctx: Context, read: Callable[[Session], T]) -> T | str:
    """`read(session)` over the workspace's records database, or the sentence saying why it could
    not be read (no database, or an error reading it)."""
    records = records_or_reason(ctx)
    if isinstance(records, str):
        return records
    try:
        with records.session() as s:
            return read(s)
    except ObservatoryError as exc:
        return str(exc)
    finally:
        records.dispose()
