"""Every records test runs on both engines: `records_url` is a fresh, empty database on SQLite (a
temporary file) and on a real PostgreSQL server (one throwaway cluster per test session, a new
database per test). `records` is the same database migrated to head and opened."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from observatory.records.db import open_records
from observatory.records.migrate import upgrade

from .postgres import Cluster

_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster(tmp_path_factory: pytest.TempPathFactory):
    cluster = Cluster(tmp_path_factory.mktemp("pg") / "cluster").start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def records_url(request: pytest.FixtureRequest, tmp_path: Path, cheap_passwords: None) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'records.sqlite'}"
    cluster = request.getfixturevalue("pg_cluster")
    return cluster.create_database(f"records_{next(_names)}")


@pytest.fixture
def records(records_url: str):
    upgrade(records_url)
    r = open_records(records_url)
    yield r
    r.dispose()


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.web.fixture_store import make_store

    return make_store(tmp_path_factory.mktemp("recstore") / "fixture.duckdb")


PASSWORD = "correct horse battery"


@pytest.fixture
def people(records) -> dict[str, str]:
    """One user of each role (password PASSWORD)."""
    from observatory.records.users import add_user

    with records.session() as s:
        for name in ("viewer", "editor", "admin"):
            add_user(s, "setup", f"{name}1", PASSWORD, name)
    return {"viewer": "viewer1", "editor": "editor1", "admin": "admin1"}


@pytest.fixture
def app(records, store_path: Path):
    from observatory.web.app import create_app

    application = create_app(store_path)
    application.state.records_url = records.url
    return application


@pytest.fixture
def web(app):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        yield c
    records = getattr(app.state, "records", None)
    if records is not None:
        records.dispose()
