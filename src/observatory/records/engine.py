"""Connecting to the records database: SQLite (one file, the default) or PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    url_obj = make_url(url)
    if url_obj.drivername in ("postgresql", "postgres"):
        url_obj = url_obj.set(drivername="postgresql+psycopg")
    if url_obj.get_backend_name() == "sqlite":
        # One connection per use: SQLite files are shared by several processes, and a pooled
        # connection would hold a stale view across a migration.
        engine = create_engine(url_obj, poolclass=NullPool, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA journal_mode = WAL")  # readers do not block the one writer
            cur.execute("PRAGMA busy_timeout = 30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:  # noqa: ANN001
            # Take the write lock at the start: two writers then queue (busy_timeout) instead of
            # one failing when it upgrades a read lock (SQLite's "database is locked").
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url_obj, pool_pre_ping=True, pool_size=5, max_overflow=10)


def describe_url(url: str) -> str:
    """A URL fit to print: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)
