"""A records database created or migrated while an observatory is open (`records upgrade` run
beside a dashboard that said "no records yet") is read on the next request, and the figures
derived from the records are followed again, without a restart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from observatory.app import Observatory
from observatory.records import migrate
from observatory.records.db import NO_RECORDS
from tests.conftest import copy_workspace


def test_records_created_after_opening_are_read_without_a_restart(tmp_path: Path) -> None:
    obs = Observatory.open(copy_workspace(tmp_path / "ws"))
    try:
        assert obs.records_reason() == NO_RECORDS
        assert obs.records is None
        obs.follow_records()  # the dashboard's first request: nothing to follow yet
        assert not obs.records_moved()

        applied = migrate.upgrade(obs.records_url)

        assert applied, "a new database has every migration to apply"
        assert obs.records_moved(), "the migration is noticed by the check made before each request"
        assert obs.records_reason() is None
        assert obs.records is not None
        with obs.records.session() as s:
            assert s.execute(text("select count(*) from audit_log")).scalar() == 0
    finally:
        obs.close()


def test_a_database_already_current_is_not_announced_again(tmp_path: Path) -> None:
    obs = Observatory.open(copy_workspace(tmp_path / "ws"))
    try:
        migrate.upgrade(obs.records_url)
        obs.follow_records()
        assert not obs.records_moved()
        assert migrate.upgrade(obs.records_url) == []  # nothing to apply
        assert not obs.records_moved()
    finally:
        obs.close()


def test_a_dashboard_reads_its_records_through_the_application_objects_one_database(
        built_workspace: Path, tmp_path: Path, monkeypatch) -> None:
    """A worker holds one connection pool to the records (PostgreSQL counts each against its
    connection limit): the pages read the application object's database, never one of their own.
    Before it exists, the pages say there are no records yet; once `records upgrade` has made it,
    the next request reads it."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from observatory.web import auth
    from observatory.web.app import create_app

    root = copy_workspace(tmp_path / "ws")
    shutil.copytree(built_workspace / "build", root / "build", ignore=shutil.ignore_patterns("report", ".*"))
    app = create_app(root / "build" / "observatory.duckdb", root)
    obs = app.state.observatory
    monkeypatch.setattr(auth, "open_records", lambda *a, **k: pytest.fail("the pages opened a database of their own"))
    with TestClient(app) as client:
        assert client.get("/actions.json").status_code == 404  # no records yet, and none made
        assert obs.records is None
        migrate.upgrade(obs.records_url)
        assert client.get("/actions.json").status_code == 200
        assert obs.records is not None
