"""Figures derived from more than the workspace's files (backbone reach, from the programme
register in the records database), and how a built store follows them without a rebuild.

A derived figure is computed by the capability that owns it and handed to the pipeline by the
application object (`Derived`), so the pipeline never reaches up into a capability. It is written
by the build like any other figure (`add`, after the roll-ups and before suppression), and again
whenever the records it was derived from change (`refresh`): the new rows are written into a copy
of the store, which is renamed over it, exactly as a build replaces the store. Readers holding the
old file go on reading it; the next read opens the new one (the store's identity changed). A
refresh takes well under a second where a build takes ten, so an editor's change shows in the
stored figures, the map and the downloads at once.

A refresh never hides a figure: if a derived row would need suppressing (fewer premises than the
workspace's threshold), complementary suppression has to be worked out over every published total,
which is the build's job, so the whole store is rebuilt instead.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from ..store import Store, identity
from ..store.schema import FACT_COLUMNS
from ..workspace import Workspace

if TYPE_CHECKING:  # pandas and the build's state are imported where a figure is computed or written:
    # a derived figure's `depends`, all `observatory build` asks when nothing has changed, needs neither
    import pandas as pd

    from .state import Build

# Each figure's stamp, in the store's meta table, as the last refresh wrote it.
STAMP_KEY = "derived:{name}"
# The fingerprint of the workspace's files the store was built from, kept across refreshes (a
# refresh changes the fingerprint, which also covers the register, but not the inputs).
INPUTS_KEY = "inputs"


@dataclass
class Rows:
    """A derived figure's rows, recomputed from a built store and the records."""

    stamp: str  # what they were derived from (a digest of the register)
    facts: pd.DataFrame = field(default_factory=lambda: _no_facts())
    releases: list[dict[str, Any]] = field(default_factory=list)
    findings: list[tuple[str, str, str, int]] = field(default_factory=list)


def _no_facts() -> pd.DataFrame:
    import pandas as pd  # deferred: start-up, see the note at the imports

    return pd.DataFrame(columns=FACT_COLUMNS)


@dataclass(frozen=True)
class Derived:
    """One derived figure. `add` writes it into a build in progress; `depends` says what it read
    (for the store's fingerprint); `rows` recomputes it from a built store, or answers None when
    the stamp the store holds (`stamp_of`) is still current. `source` is the source name of its
    releases and `findings` the finding kinds it writes, which a refresh replaces; `counter` is
    the records change key (records/changes.py) whose change means it may be stale."""

    name: str
    add: Callable[[Build], None]
    depends: Callable[[Workspace], str]
    rows: Callable[[Workspace, Store, str | None], Rows | None]
    source: str
    findings: tuple[str, ...]
    counter: str


def stamp_of(store: Store, d: Derived) -> str | None:
    """The stamp of the figure as the store holds it: written by the last refresh, else the
    checksum of the figure's releases (the build's), else None (the build wrote none)."""
    meta = store.meta()
    if STAMP_KEY.format(name=d.name) in meta:
        return meta[STAMP_KEY.format(name=d.name)]
    with store.cursor() as cur:
        row = cur.execute("SELECT any_value(checksum) FROM releases WHERE source = ?", [d.source]).fetchone()
    return row[0] if row else None


def refresh(ws: Workspace, derived: Sequence[Derived], counter: str,
            fingerprint: Callable[[dict[str, str]], str], rebuild: Callable[[], Any]) -> bool:
    """Bring the store's derived figures up to date with the records; True when the store was
    replaced. `counter` is the records change counter now: a note beside the store (`_followed`)
    remembers the store file and the counter last found current, so asking again costs a `stat`
    until either changes. `fingerprint(stamps)` is the workspace's fingerprint with what each
    figure was derived from (written with the figures, so the store is current for exactly the
    records it was derived from); `rebuild` builds the whole store where a refresh cannot (suppression).

    One process at a time (a lock file beside the store): the workers of a dashboard and a
    command line may all notice the same change; the second finds the store current."""
    path = ws.store_path
    before = identity(path)
    if before is None or _followed(path) == _note(before, counter):
        return False
    with _locked(path):
        before = identity(path)
        if before is None or _followed(path) == _note(before, counter):
            return False
        with Store(path) as store:
            held = {d.name: stamp_of(store, d) for d in derived}
            fresh = {d.name: d.rows(ws, store, held[d.name]) for d in derived}
            meta = store.meta()
        if all(r is None for r in fresh.values()):
            _follow(path, _note(before, counter))
            return False
        if any(r is not None and _needs_suppression(r, ws.suppress_below) for r in fresh.values()):
            rebuild()
            _follow(path, _note(identity(path), counter))
            return True
        tmp = path.parent / f".{path.name}.{os.getpid()}.derived.tmp"
        try:
            _copy(path, tmp)
            stamps = {n: rows.stamp if rows is not None else held[n] or "" for n, rows in fresh.items()}
            _write(tmp, derived, fresh, {INPUTS_KEY: meta.get(INPUTS_KEY) or meta.get("fingerprint", ""),
                                         "fingerprint": fingerprint(stamps)})
            if identity(path) != before:  # a build replaced the store meanwhile: it is newer
                return False
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        _follow(path, _note(identity(path), counter))
        return True


def _note(ident: tuple[int, int] | None, counter: str) -> str:
    return f"{ident}:{counter}"


def _note_path(store_path: Path) -> Path:
    return store_path.parent / f".{store_path.name}.followed"


def _followed(store_path: Path) -> str | None:
    try:
        return _note_path(store_path).read_text()
    except OSError:
        return None


def _follow(store_path: Path, note: str) -> None:
    """Remember the store file and counter found current (best effort: a read-only folder only
    means the next reader checks again)."""
    tmp = _note_path(store_path).with_suffix(f".{os.getpid()}")
    try:
        tmp.write_text(note)
        os.replace(tmp, _note_path(store_path))
    except OSError:
        tmp.unlink(missing_ok=True)


def _needs_suppression(rows: Rows, threshold: int) -> bool:
    d = rows.facts["denominator"]
    return bool((d.notna() & (d < threshold)).any())


def _copy(src: Path, dst: Path) -> None:
    with open(src, "rb") as a, open(dst, "wb") as b:
        os.sendfile(b.fileno(), a.fileno(), 0, os.fstat(a.fileno()).st_size)


def _write(tmp: Path, derived: Sequence[Derived], fresh: dict[str, Rows | None], meta: dict[str, str]) -> None:
    import pandas as pd

    con = duckdb.connect(str(tmp))
    try:
        con.execute("BEGIN")
        for d in derived:
            rows = fresh[d.name]
            if rows is None:
                continue
            con.execute("DELETE FROM facts WHERE release_id IN (SELECT release_id FROM releases WHERE source = ?)",
                        [d.source])
            con.execute("DELETE FROM releases WHERE source = ?", [d.source])
            con.execute(f"DELETE FROM findings WHERE kind IN ({', '.join('?' * len(d.findings))})", list(d.findings))
            _insert(con, "facts", rows.facts)
            _insert(con, "releases", pd.DataFrame(rows.releases))
            _insert(con, "findings", pd.DataFrame(rows.findings, columns=["kind", "subject", "detail", "count"]))
            meta[STAMP_KEY.format(name=d.name)] = rows.stamp
        for key, value in meta.items():
            con.execute("DELETE FROM meta WHERE key = ?", [key])
            con.execute("INSERT INTO meta (key, value) VALUES (?, ?)", [key, value])
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _insert(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame) -> None:
    if df.empty:
        return
    cols = [c[0] for c in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
    frame = df[[c for c in cols if c in df.columns]]
    con.register("_derived", frame)
    try:
        con.execute(f"INSERT INTO {table} ({', '.join(frame.columns)}) SELECT * FROM _derived")
    finally:
        con.unregister("_derived")


@contextmanager
def _locked(store_path: Path):  # noqa: ANN202 - a context manager
    lock = store_path.parent / f".{store_path.name}.derived.lock"
    store_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
