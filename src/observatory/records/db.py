"""The records database: one SQLAlchemy `Base` for every package's models, where the database is
(`database_url`), and `open_records`, which refuses a database whose schema is not at the newest
migration (so no code runs against tables it does not know)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from ..errors import StoreError
from ..workspace import CONFIG_NAME, Workspace
from ..workspace import load as load_workspace
from . import changes
from .audit import AuditEntry
from .base import NAMING, Base  # noqa: F401 - the base every package's tables use
from .engine import MIGRATIONS, describe_url, make_engine, sqlite_file  # noqa: F401
from .migrate import pending
from .where import ENV_URL, SQLITE_NAME, configured  # noqa: F401 - where the database is, without SQLAlchemy

UPGRADE_HINT = "run `observatory records upgrade`"

def _workspace(ws: Workspace | str | Path) -> Workspace | Path:
    """A Workspace as it is; a folder as the Workspace it holds (or as a bare folder where it
    holds no observatory.toml: its records database is then records.sqlite there)."""
    if isinstance(ws, Workspace):
        return ws
    folder = Path(ws)
    return load_workspace(folder) if (folder / CONFIG_NAME).is_file() else folder


def database_url(ws: Workspace | str | Path) -> str:
    """OBSERVATORY_DATABASE_URL, else `[records] url` in observatory.toml, else
    sqlite:///WORKSPACE/records.sqlite."""
    env = os.environ.get(ENV_URL)
    if env:
        return env
    found = _workspace(ws)
    if isinstance(found, Workspace):
        if found.records.url:
            return found.records.url
        found = found.root
    return f"sqlite:///{(Path(found) / SQLITE_NAME).resolve()}"


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
            changes.bump(self.changes, {*touched, changes.ANY})

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
            session.commit()
        except PoolTimeout:
            session.rollback()
            # every connection busy for the pool's whole wait: said so (503), never a traceback
            raise StoreError(BUSY) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


_TOUCHED = "observatory.touched"
BUSY = "The board's records are busy just now. Nothing was changed. Wait a moment and try again."


def _note_changes(session: Session, _flush_context: Any) -> None:
    """Every change writes an audit entry (audit.record_change): its entity and id say what changed."""
    for obj in session.new:
        if isinstance(obj, AuditEntry):
            session.info.setdefault(_TOUCHED, set()).update(changes.keys_for(obj.entity, obj.entity_id))


def _forget_changes(session: Session) -> None:
    session.info.pop(_TOUCHED, None)


def open_records(ws_or_url: Any, *, check: bool = True) -> Records:
    """Open the records database of a workspace (or at a URL). With `check`, refuse a database
    whose schema is not at the newest migration, naming the command that fixes it, and a SQLite
    file that is missing (never made empty in its place, then or later: its engine refuses to
    create it). Without `check`, a raw handle (tests, set-up) that may create the file."""
    url = ws_or_url if isinstance(ws_or_url, str) and "://" in ws_or_url else database_url(ws_or_url)
    file = sqlite_file(url)
    if check and file is not None and not file.exists():
        raise StoreError(f"The records database {describe_url(url)} does not exist: {UPGRADE_HINT} to create it "
                         "(nothing was created in its place).")
    records = Records(url, make_engine(url, create=not check))
    if check:
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


NO_RECORDS = "this workspace has no records database yet (run `observatory records upgrade`)."


def open_or_reason(ws: Workspace | str) -> tuple[Records | None, str | None]:
    """The workspace's records database (the caller disposes of it), or None and the sentence
    saying why there is none. Asking never creates a database: an absent SQLite file stays absent
    (opening it would leave an empty database in the workspace)."""
    url = ws if isinstance(ws, str) and "://" in ws else database_url(ws)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        return None, NO_RECORDS
    try:
        return open_records(url), None
    except StoreError as exc:
        return None, f"the records database cannot be read: {exc}"
