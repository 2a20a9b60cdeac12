"""The pipeline: a workspace's sources -> one fact store, written atomically.

`run()` reads like the build it performs: read boundaries, place areas in each other, read each
source, roll figures up, mark small cells, record what check should report, then write the store to
a temporary file and rename it over the old one. A failure or a kill at any point before the rename
leaves the previous store as it was.
"""

from __future__ import annotations

import gc
import hashlib
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..store.schema import SANDBOX, STORE_SCHEMA
from ..workspace import Source, Workspace
from ..workspace import load as load_workspace
from . import cache
from .ahead import GC_THRESHOLD, Ahead

if TYPE_CHECKING:
    from .derived import Derived
    from .state import Build

# The build's steps (pandas, shapely, DuckDB and the rest) are imported when a build runs, not
# here: `observatory build` on a workspace whose store is current answers from the fingerprint
# alone, without loading them.

Progress = Callable[[str], None]


STEPS = (
    "Reading boundaries",
    "Placing areas in their parents",
    "Placing postcodes",
    "Reading coverage sources",
    "Rolling figures up",
    "Writing the store",
)


def run(workspace: Workspace | str | Path | None = None, progress: Progress | None = None,
        out: Path | None = None, derived: Sequence[Derived] = (), force: bool = False) -> Path:
    """Build the store for a workspace; returns the store's path.

    A store already built from the files as they are now (the same fingerprint) is left as it is
    unless `force`; steps whose inputs are unchanged are read from the build cache (cache.py)."""
    ws = workspace if isinstance(workspace, Workspace) else load_workspace(workspace)
    target = out or ws.store_path
    fp = fingerprint(ws, derived)
    if not force and _fingerprint_of(target) == fp:
        return target
    # imported here, not at the top, to defer start-up cost: a current store is answered from its
    # fingerprint without loading pandas, shapely, Arrow or DuckDB's query modules (no cycle hides here;
    # the worker's helper, ahead.py, needs only the standard library, about 10 ms, so it is imported above)
    from .areas import (
        geography_keys,
        parent_shapes,
        place_areas,
        place_postcodes,
        read_all_boundaries,
        shapes_ahead,
    )
    from .consistency import conflicting_sources, unique_release_ids
    from .coverage import READERS, parse_ahead
    from .local_names import name_msoas
    from .rollups import roll_up_all, suppress
    from .state import Build
    from .tile_archive import cut_ahead, write_archives
    from .writer import StoreWriter

    step = progress or (lambda name: None)
    b = Build(ws, cache=cache.Cache.for_store(ws.store_path))
    b.keys.update(geography_keys(ws))
    # A second process (ahead.py) pays when the boundaries are to be read: it loads its modules
    # meanwhile, and its jobs are ready when the build reaches them. With the boundaries in the
    # cache the build reaches its sources within a second, before a worker could have parsed one.
    reading = any(not b.cache.has(f"boundaries-{level}", b.keys[f"boundaries-{level}"] or "")
                  for level in ws.boundaries)
    with _fewer_collections(), Ahead() if reading else Ahead(enabled=False) as ahead:
        ahead.start()
        # the sources' files are parsed from the start: the boundaries' threads leave a core idle
        # two fifths of the time (their longest chain, the UK's districts, is one file), and the
        # worker has nothing else to do until the areas are placed
        b.jobs.update(parse_ahead(b, ahead, lambda source: source_key(b, source)))
        step(STEPS[0])
        read_all_boundaries(b)
        step(STEPS[1])
        place_areas(b)
        # the worker's next jobs: the parents' shapes and the map's tiles, once areas are placed
        shapes_ahead(b, ahead)
        b.jobs.update(cut_ahead(b, ahead))
        name_msoas(b)  # readable names ([msoa_names]) or a description from the wards
        step(STEPS[2])
        place_postcodes(b)
        step(STEPS[3])
        for source in ws.sources:
            cache.step(b, f"source-{source.key}", source_key(b, source),
                       lambda source=source: READERS[source.kind](b, source))
        unique_release_ids(b)
        conflicting_sources(b)
        step(STEPS[4])
        parent_shapes(b)
        # the areas and their links are final: written from a thread while figures are rolled up
        writer = StoreWriter(b, target)
        try:
            roll_up_all(b)
            for step_ in derived:
                step_.add(b)
            suppress(b)
            step(STEPS[5])
            store = writer.finish(fp)
        except BaseException:
            writer.abandon()
            raise
        # the map's tiles, cut from the store just written into an archive per level beside it
        return write_archives(store, b.cache, b.jobs)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cycle collector runs less often while a build runs. A build makes few cycles but
    many short-lived objects (rows parsed, frames taken apart), and every 700 of them started a
    collection: some 400 a build, 0.15 s of it (measured with gc.callbacks). The setting is the
    process's: the dashboard may run two builds in its threads at once, so the first to start
    raises it and the last to end puts it back."""
    with _BUILDS_LOCK:
        if not _BUILDS:
            _BUILDS.append(gc.get_threshold())
            gc.set_threshold(GC_THRESHOLD, *_BUILDS[0][1:])
        _BUILDS.append(None)
    try:
        yield
    finally:
        with _BUILDS_LOCK:
            _BUILDS.pop()
            if len(_BUILDS) == 1:
                gc.set_threshold(*_BUILDS.pop())


# The collector's setting before the builds now running started, then one entry per build.
_BUILDS: list[tuple[int, ...] | None] = []
_BUILDS_LOCK = threading.Lock()


def source_key(b: Build, source: Source) -> str | None:
    """A source's cache key: its file's bytes and settings, and everything its reader looks at
    (the geography it places rows in, the postcodes, the workspace's code changes)."""
    geo = b.keys.get("geography")
    pcs = b.keys.get("postcodes") if b.ws.postcodes is not None else "none"
    if geo is None or pcs is None:
        return None
    settings = {f.name: getattr(source, f.name) for f in fields(source) if f.name != "file"}
    try:
        return cache.key("source", cache.file_digest(source.file), cache.relative(source.file, b.ws.root), settings,
                         geo, pcs, sorted(b.ws.code_changes.items()))
    except OSError:
        return None


def fingerprint(ws: Workspace, derived: Sequence[Derived] = (), stamps: dict[str, str] | None = None) -> str:
    """Changes whenever a source file, the configuration, what a derived figure read (the
    programme register), the observatory's version or the store's schema changes (so a store of an
    older schema is rebuilt, not misread). `stamps` gives what derived figures read where the
    caller has just read it (a refresh), instead of reading it again."""
    h = hashlib.sha256(f"{__version__}:{STORE_SCHEMA}:{cache.code_digest()}".encode())
    for f in ws.input_files():
        st = f.stat()
        h.update(f"{f}:{st.st_size}:{st.st_mtime_ns}".encode())
    for d in derived:
        stamp = (stamps or {}).get(d.name)
        h.update((stamp if stamp is not None else d.depends(ws)).encode())
    return h.hexdigest()


def is_current(ws: Workspace, derived: Sequence[Derived] = ()) -> bool:
    """The store exists and was built from the workspace's files as they are now."""
    return _fingerprint_of(ws.store_path) == fingerprint(ws, derived)


def _fingerprint_of(store: Path) -> str | None:
    """The fingerprint a store was built with; None when there is no readable store."""
    if not store.exists():
        return None
    import duckdb

    try:
        # the same configuration as every other reader: DuckDB refuses a second connection to one
        # file with different settings (the dashboard may hold one open)
        con = duckdb.connect(str(store), read_only=True, config=SANDBOX)
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        finally:
            con.close()
    except duckdb.Error:
        return None
    return row[0] if row else None


def ensure_built(workspace: Workspace | str | Path | None = None, progress: Progress | None = None,
                 derived: Sequence[Derived] = ()) -> Path:
    """The store's path, building it first if it is missing or older than its sources."""
    ws = workspace if isinstance(workspace, Workspace) else load_workspace(workspace)
    if not is_current(ws, derived):
        run(ws, progress, derived=derived)
    return ws.store_path


