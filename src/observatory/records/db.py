"""The records database: one SQLAlchemy `Base` for every package's models, where the database is
(`database_url`), and `open_records`, which refuses a database whose schema is not at the newest
migration (so no code runs against tables it does not know)."""

from __future__ import annotations

import importlib
import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool

from ..errors import ConfigError, StoreError
from . import changes

ENV_URL = "OBSERVATORY_DATABASE_URL"
SQLITE_NAME = "records.sqlite"
UPGRADE_HINT = "run `observatory records upgrade`"
MIGRATIONS = Path(__file__).parent / "migrations"

# Constraint names fixed by convention, so migrations written on SQLite and PostgreSQL agree.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Every package whose models live on `Base`. Export/import and migrations need them all loaded;
# a module that is not (yet) present in this checkout is skipped.
MODEL_MODULES = (
    "observatory.records.users",
    "observatory.records.audit",
    "observatory.records.actions",
    "observatory.records.register",
    "observatory.programme.models",
    "observatory.strategy.models",
)


def load_models() -> list[str]:
    """Import every model module present; return the names imported."""
    loaded = []
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # the package is not in this checkout
            raise
        loaded.append(name)
    return loaded


def _workspace_root(ws: Any) -> Path:
    """A Workspace's folder, or the folder given as a path. (Not getattr(ws, "root"): a Path has
    a `root` attribute of its own, the filesystem root, "/" or "".)"""
    from ..workspace import Workspace

    return Path(ws.root if isinstance(ws, Workspace) else ws)


def workspace_records_config(ws: Any) -> dict[str, Any]:
    """The `[records]` table of a workspace's observatory.toml (empty when absent)."""
    config = _workspace_root(ws) / "observatory.toml"
    if not config.exists():
        return {}
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    table = data.get("records", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{config}: [records] must be a table (url = ..., require_login = ...).")
    return table


def database_url(ws: Any) -> str:
    """OBSERVATORY_DATABASE_URL, else `[records] url` in observatory.toml, else
    sqlite:///WORKSPACE/records.sqlite."""
    env = os.environ.get(ENV_URL)
    if env:
        return env
    configured = workspace_records_config(ws).get("url")
    if configured:
        return str(configured)
    return f"sqlite:///{(_workspace_root(ws) / SQLITE_NAME).resolve()}"


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


class Records:
    """An open records database. `session()` is one transaction: committed when the block ends,
    rolled back (nothing half-written) when it raises."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.changes = changes.folder(url)
        event.listen(self._sessions, "after_flush", _note_changes)
        event.listen(self._sessions, "after_commit", self._announce)
        event.listen(self._sessions, "after_rollback", _forget_changes)

    def _announce(self, session: Session) -> None:
        """After a commit: advance the change counters of what it wrote (records/changes.py), so
        that every worker's cached answers about those records are recomputed."""
        touched = session.info.pop(_TOUCHED, None)
        if touched:
            changes.bump(self.changes, touched)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


_TOUCHED = "observatory.touched"


def _note_changes(session: Session, _flush_context: Any) -> None:
    """Every change writes an audit entry (audit.record_change): its entity and id say what changed."""
    from .audit import AuditEntry

    for obj in session.new:
        if isinstance(obj, AuditEntry):
            session.info.setdefault(_TOUCHED, set()).update(changes.keys_for(obj.entity, obj.entity_id))


def _forget_changes(session: Session) -> None:
    session.info.pop(_TOUCHED, None)


def open_records(ws_or_url: Any, *, check: bool = True) -> Records:
    """Open the records database of a workspace (or at a URL). With `check`, refuse a database
    whose schema is not at the newest migration, naming the command that fixes it."""
    url = ws_or_url if isinstance(ws_or_url, str) and "://" in ws_or_url else database_url(ws_or_url)
    load_models()
    records = Records(url, make_engine(url))
    if check:
        from .migrate import pending

        try:
            behind = pending(records.engine)
        except Exception as exc:  # noqa: BLE001 - any connection failure is reported the same way
            records.dispose()
            raise StoreError(
                f"Cannot open the records database {describe_url(url)}: {exc}. Check "
                f"{ENV_URL} or [records] url in observatory.toml."
            ) from None
        if behind:
            records.dispose()
            raise StoreError(
                f"The records database {describe_url(url)} is not up to date (missing migration "
                f"{', '.join(behind)}): {UPGRADE_HINT} first."
            )
    return records
