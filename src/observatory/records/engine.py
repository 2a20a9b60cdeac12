"""Connecting to the records database: SQLite (one file, the default) or PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).parent / "migrations"


MISSING = "unable to open database file: the records database is missing"

# PostgreSQL, per process. Every thread that may hold a session at once gets a connection without
# waiting: the web app's thread pool (Starlette runs sync routes on anyio's default limiter, 40
# threads) and sign-in's Argon2 threads (asyncio's default executor: min(32, CPUs + 4)). A
# smaller pool made requests queue for a connection behind writers waiting on a row lock, for up
# to the pool's 30 s timeout (issue 21's benchmark: an editor timed out, a tile took 27.8 s).
PG_POOL_KEPT = 8  # connections kept open between bursts
PG_POOL_MOST = 40 + min(32, (os.cpu_count() or 1) + 4)
PG_POOL_WAIT = 10  # seconds a checkout may wait (only when something else holds connections)
# Waits inside PostgreSQL end with an error instead of a hang (the pages answer 503, "busy: try
# again"): a lock (a row another editor is changing, the audit log's sealing lock) after
# LOCK_WAIT_MS; a transaction left open and idle after IDLE_IN_TRANSACTION_MS (it holds its locks).
LOCK_WAIT_MS = 5000
IDLE_IN_TRANSACTION_MS = 60_000


def make_engine(url: str, create: bool = True) -> Engine:
    """An engine for the records database at `url`. `create`: a missing SQLite file is made (for
    the migrations, which set a database up); without it a missing file is refused, never
    recreated empty under a running dashboard (sqlite3 would otherwise make one at connect)."""
    url_obj = make_url(url)
    if url_obj.drivername in ("postgresql", "postgres"):
        url_obj = url_obj.set(drivername="postgresql+psycopg")
    if url_obj.get_backend_name() == "sqlite":
        # One connection per use: SQLite files are shared by several processes, and a pooled
        # connection would hold a stale view across a migration.
        engine = create_engine(url_obj, poolclass=NullPool, connect_args={"timeout": 30})
        path = sqlite_file(url_obj)

        @event.listens_for(engine, "do_connect")
        def _private(_dialect, _record, _cargs, _cparams) -> None:  # noqa: ANN001
            if path is None:
                return
            if create:
                create_private(path)
            elif not path.exists():
                raise sqlite3.OperationalError(MISSING)

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
            # one failing when it upgrades a read lock (SQLite's "database is locked"). A file
            # that cannot be written (read-only) is still read: a plain BEGIN, and a write then
            # fails with SQLite's "readonly database", which the pages put in words.
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except Exception as exc:  # noqa: BLE001 - only the read-only case is handled here
                if "readonly" not in str(exc).lower():
                    raise
                conn.exec_driver_sql("BEGIN")

        return engine
    options = f"-c lock_timeout={LOCK_WAIT_MS} -c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}"
    return create_engine(url_obj, pool_pre_ping=True, pool_size=PG_POOL_KEPT,
                         max_overflow=PG_POOL_MOST - PG_POOL_KEPT, pool_timeout=PG_POOL_WAIT,
                         connect_args={"options": options})


def sqlite_file(url) -> Path | None:  # noqa: ANN001 - a URL object or its text
    """The file of a SQLite URL (None for an in-memory database or another engine)."""
    url = make_url(url) if isinstance(url, str) else url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:" \
            or url.database.startswith("file:"):
        return None
    return Path(url.database)


def create_private(path: Path) -> None:
    """Create the database file readable and writable by its owner only (it holds password hashes):
    SQLite would create it with the process's umask, usually readable by everyone. SQLite gives its
    -wal and -shm files the same mode as the database. An existing file is left as it is."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        pass  # a missing folder or no permission: SQLite's own connect reports it


def make_private(path: Path) -> list[Path]:
    """Take group and other access away from an existing database file and its -wal and -shm
    files; return the files changed."""
    changed = []
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            mode = p.stat().st_mode
        except FileNotFoundError:
            continue
        if mode & 0o077:
            p.chmod(mode & 0o700)
            changed.append(p)
    return changed


def describe_url(url: str) -> str:
    """A database fit to print: a SQLite file's path (not its URL), another URL with the password hidden."""
    file = sqlite_file(url)
    return str(file) if file is not None else make_url(url).render_as_string(hide_password=True)
