"""The application object: one observatory, opened once, that every view reads.

`Observatory.open(folder)` reads the workspace (observatory.toml and every file it names, parsed
and checked once), and from it knows the analytic store, the records database or the reason there
is none, and one cache of derived answers. The command line, the web app, the report and the tests
open it the same way, so a question has one answer whichever view asks it.

The cache is keyed on what an answer depends on: the store's identity (the file's inode and
modification time, which a rebuild changes, since the build renames a new file into place) and,
for answers that read the records database, the records change counter (records/changes.py),
which every committed write advances. An answer is therefore never stale after a rebuild or an
edit, and is computed once between them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from . import pipeline
from .challenges import models as _challenge_models  # noqa: F401 - declares the challenges' records tables
from .derived import DERIVED  # kept up to date with the records between builds (pipeline.derived)
from .errors import ConfigError, StoreError
from .pipeline import derived as derived_figures
from .programme import models as programme_models  # declares the programme's records tables too
from .programme import trajectory as programme_trajectory
from .records import changes
from .records.db import Records, configured, database_url, open_or_reason
from .store import Store, identity
from .strategy import models as _strategy_models  # noqa: F401 - declares the metric values' records tables
from .strategy import sources as metric_sources
from .workspace import Workspace
from .workspace import load as load_workspace
from .workspace.metrics import MetricsConfig
from .workspace.programme import ProgrammeConfig

T = TypeVar("T")


NO_STORE = "this workspace has not been built yet (run `observatory build`)."


def _sites_lit(session: Any, cfg: ProgrammeConfig) -> metric_sources.Counted:
    """The programme's sites lit for the strategy metric, with the programme's own completion
    rate (programme.progress), so the metric and the programme pages give one forecast."""
    p = programme_trajectory.progress(programme_models.list_sites(session), cfg)
    f = p["forecast"]
    points, illustrative = programme_models.sites_lit_series(session)
    return metric_sources.Counted(
        points=points, illustrative=illustrative,
        provenance="Full Fibre programme register: sites lit at the end of each month",
        empty="no programme site is lit yet.", rate_per_year=f["rate_per_month"] * 12,
        as_of=date.fromisoformat(f["as_of"]), ceiling=float(f["in_programme"]),
        reaches=f["reaches"] if f["goal"] == f["target"] else None)


metric_sources.register_figure("programme_sites_lit", _sites_lit)


class Observatory:
    """One workspace's observatory: its settings, store, records database and derived answers."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._settings_stamp = _stamp(workspace)
        self._store: Store | None = None
        self._store_id: tuple[int, int] | None = None
        self._records: Records | None = None
        self._records_reason: str | None = None
        self._records_tried: str | None = None  # the schema counter when last opened
        self._cache: dict[tuple, tuple[tuple, Any]] = {}
        self._lock = threading.RLock()
        self._records_lock = threading.Lock()
        self._followed: tuple[tuple[int, int] | None, str] | None = None
        self._following = threading.Lock()  # one thread at a time brings derived figures up to date
        self.settings_generation = 0  # advanced each time the settings are read again

    @classmethod
    def open(cls, folder: str | Path | None = None) -> Observatory:
        return cls(load_workspace(folder))

    @property
    def workspace(self) -> Workspace:
        """The settings, read again when observatory.toml or the metrics file has changed (a
        long-running dashboard follows an edited target without a restart)."""
        workspace = self._workspace
        if _stamp(workspace) == self._settings_stamp:
            # unchanged, without the lock: the dashboard asks on its event loop before every
            # request, which must never wait for a thread that holds the lock (issue 21)
            return workspace
        with self._lock:
            if _stamp(self._workspace) != self._settings_stamp:
                self._workspace = load_workspace(self._workspace.root)
                self._settings_stamp = _stamp(self._workspace)
                self._cache.clear()
                self.settings_generation += 1
            return self._workspace

    @property
    def metrics(self) -> MetricsConfig | None:
        """The strategy's metrics and coverage targets; None when there are none or the metrics
        file is broken (the metrics pages and `observatory check` say why)."""
        try:
            return self.workspace.metrics
        except ConfigError:
            return None

    # --- the analytic store ----------------------------------------------------------------

    @property
    def store_path(self) -> Path:
        return self.workspace.store_path

    @property
    def store(self) -> Store:
        """The store as built now, its derived figures following the records (`follow_records`);
        reopened when a build or a refresh has replaced the file."""
        # followed before the lock is taken: a refresh takes seconds, and waits for other
        # processes' refreshes, while everything else here needs the lock only for a moment
        self.follow_records()
        with self._lock:
            now = identity(self.store_path)
            if now is None:
                raise StoreError(f"No store at {self.store_path}: {NO_STORE}")
            if self._store is None or now != self._store_id:
                if self._store is not None:
                    self._store.close()
                self._store, self._store_id = Store(self.store_path), now
            return self._store

    def build(self, progress: pipeline.Progress | None = None, out: Path | None = None, force: bool = False) -> Path:
        """Build the store from the workspace's files and the figures derived from its records
        (left as it is when built from them as they are now, unless `force`)."""
        return pipeline.run(self.workspace, progress, out, derived=DERIVED, force=force)

    def ensure_built(self, progress: pipeline.Progress | None = None) -> Path:
        """The store's path, built first if missing or older than its files or its register."""
        return pipeline.ensure_built(self.workspace, progress, derived=DERIVED)

    def follow_records(self, wait: bool = True) -> bool:
        """Recompute the stored figures derived from the records (backbone reach from the
        programme register) when the records they read have changed since; True when the store
        file was replaced. Costs two `stat`s when nothing changed. Called before every read of the
        store here, and by the dashboard before each request (web/follow_records.py).

        One thread at a time does it, under a lock of its own: with `wait` False, a caller that
        finds another thread at it goes on with the store as it is (a visitor's request), instead
        of every request of a busy dashboard queueing behind it (issue 21: after a store swap,
        which moves the store's identity, each worker's whole thread pool waited 17-30 s)."""
        seen = self._records_seen()
        if seen == self._followed:
            return False
        if seen[0] is None or not configured(self.workspace):
            self._followed = seen
            return False
        if not self._following.acquire(blocking=wait):
            return False
        try:
            seen = self._records_seen()
            if seen == self._followed:  # brought up to date by the thread this one waited for
                return False
            replaced = derived_figures.refresh(
                self.workspace, DERIVED, seen[1],
                fingerprint=lambda stamps: pipeline.fingerprint(self.workspace, DERIVED, stamps),
                rebuild=self.build)
            self._followed = self._records_seen()
            return replaced
        finally:
            self._following.release()

    def records_moved(self) -> bool:
        """Whether the records the derived figures read, or the store, changed since they were
        last followed (two `stat`s; `follow_records` then says whether the figures changed)."""
        return self._records_seen() != self._followed

    def _records_seen(self) -> tuple[tuple[int, int] | None, str]:
        keys = [changes.SCHEMA, *(d.counter for d in DERIVED)]
        return identity(self.store_path), changes.stamp(changes.folder(self.records_url), keys)

    def is_current(self) -> bool:
        return pipeline.is_current(self.workspace, derived=DERIVED)

    @property
    def has_store(self) -> bool:
        return identity(self.store_path) is not None

    # --- the records database --------------------------------------------------------------

    @property
    def records_url(self) -> str:
        return database_url(self.workspace)

    def records_reason(self) -> str | None:
        """Why there is no records database to read, in one sentence for the reader; None when
        there is one. Asking never creates a database (an empty SQLite file is not left behind)."""
        self._open_records()
        return self._records_reason

    @property
    def records(self) -> Records | None:
        """The records database, or None (`records_reason()` says why)."""
        self._open_records()
        return self._records

    def _open_records(self) -> None:
        """Open the records database once; again only when there was none and `records upgrade`
        has since created or migrated it (its schema counter moved). Under a lock of its own:
        connecting can take a while, and nothing of the store need wait for it."""
        with self._records_lock:
            schema = changes.stamp(changes.folder(self.records_url), [changes.SCHEMA])
            if self._records_tried == schema:
                return
            if self._records is not None:  # opened and usable: a later migration changes nothing here
                self._records_tried = schema
                return
            self._records_tried = schema
            self._records, self._records_reason = open_or_reason(self.records_url)

    def records_version(self, keys: Iterable[str] = (changes.ANY,)) -> tuple[int, ...]:
        """The records change counters of `keys` (changes.ANY: any change at all)."""
        return changes.versions(changes.folder(self.records_url), keys)

    # --- derived answers -------------------------------------------------------------------

    def cached(self, name: Any, compute: Callable[[], T], records_keys: Iterable[str] = ()) -> T:
        """`compute()` once per store identity and version of the records it reads."""
        keys = tuple(records_keys)
        depends = (identity(self.store_path), self.records_version(keys) if keys else ())
        with self._lock:
            hit = self._cache.get(name)
            if hit is not None and hit[0] == depends:
                return hit[1]
        value = compute()
        with self._lock:
            self._cache[name] = (depends, value)
        return value

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
            self._cache.clear()
        with self._records_lock:  # not inside the other: opening the records may read the settings
            if self._records is not None:
                self._records.dispose()
                self._records = None
            self._records_tried = None

    def __enter__(self) -> Observatory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stamp(ws: Workspace) -> tuple[tuple[str, int], ...]:
    out = []
    for f in ws.settings_files():
        try:
            out.append((str(f), f.stat().st_mtime_ns))
        except OSError:
            out.append((str(f), -1))
    return tuple(out)
