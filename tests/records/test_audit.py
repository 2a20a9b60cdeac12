"""The audit log is append-only in the database itself, on both engines."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from observatory.errors import StoreError
from observatory.records.audit import entries, record_change
from observatory.records.db import open_records


def test_change_and_its_audit_row_commit_together(records) -> None:
    with records.session() as s:
        record_change(s, "ann", "action", 7, "update", {"status": "open"}, {"status": "done"})
    with records.session() as s:
        [row] = entries(s)
    assert (row["actor"], row["entity"], row["entity_id"], row["action"]) == ("ann", "action", "7", "update")
    assert row["before"] == {"status": "open"} and row["after"] == {"status": "done"}


def test_a_failed_change_leaves_no_audit_row(records) -> None:
    with pytest.raises(RuntimeError), records.session() as s:
        record_change(s, "ann", "action", 7, "update", None, {"status": "done"})
        raise RuntimeError("the change failed")
    with records.session() as s:
        assert entries(s) == []


@pytest.mark.parametrize("statement", [
    "UPDATE audit_log SET actor = 'mallory'",
    "DELETE FROM audit_log",
])
def test_the_database_refuses_to_rewrite_the_audit_log(records, statement: str) -> None:
    with records.session() as s:
        record_change(s, "ann", "action", 1, "create", None, {"status": "open"})
    # Straight SQL on the engine, as any role or tool with a connection would send it.
    with pytest.raises(DBAPIError, match="append-only"), records.engine.begin() as conn:
        conn.execute(text(statement))
    with records.session() as s:
        assert [r["actor"] for r in entries(s)] == ["ann"]


def test_an_unmigrated_database_is_refused_with_the_command_to_run(records_url: str) -> None:
    with pytest.raises(StoreError, match="run `observatory records upgrade`"):
        open_records(records_url)
