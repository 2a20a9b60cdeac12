"""The pipeline: a workspace's sources -> one fact store, written atomically.

`run()` reads like the build it performs: read boundaries, place areas in each other, read each
source, roll figures up, mark small cells, record what check should report, then write the store to
a temporary file and rename it over the old one. A failure or a kill at any point before the rename
leaves the previous store as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from .. import __version__
from ..store import SANDBOX, STORE_SCHEMA
from ..workspace import Workspace
from ..workspace import load as load_workspace
from .areas import place_areas, place_postcodes, read_all_boundaries
from .consistency import conflicting_sources, unique_release_ids
from .coverage import READERS
from .derived import Derived
from .local_names import name_msoas
from .rollups import roll_up_all, suppress
from .state import Build
from .writer import write

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
        out: Path | None = None, derived: Sequence[Derived] = ()) -> Path:
    """Build the store for a workspace; returns the store's path."""
    ws = workspace if isinstance(workspace, Workspace) else load_workspace(workspace)
    step = progress or (lambda name: None)
    b = Build(ws)
    step(STEPS[0])
    read_all_boundaries(b)
    step(STEPS[1])
    place_areas(b)
    name_msoas(b)  # readable names ([msoa_names]) or a description from the wards
    step(STEPS[2])
    place_postcodes(b)
    step(STEPS[3])
    for source in ws.sources:
        READERS[source.kind](b, source)
    unique_release_ids(b)
    conflicting_sources(b)
    step(STEPS[4])
    roll_up_all(b)
    for step_ in derived:
        step_.add(b)
    suppress(b)
    step(STEPS[5])
    return write(b, out or ws.store_path, fingerprint(ws, derived))


def fingerprint(ws: Workspace, derived: Sequence[Derived] = (), stamps: dict[str, str] | None = None) -> str:
    """Changes whenever a source file, the configuration, what a derived figure read (the
    programme register), the observatory's version or the store's schema changes (so a store of an
    older schema is rebuilt, not misread). `stamps` gives what derived figures read where the
    caller has just read it (a refresh), instead of reading it again."""
    h = hashlib.sha256(f"{__version__}:{STORE_SCHEMA}".encode())
    for f in ws.input_files():
        st = f.stat()
        h.update(f"{f}:{st.st_size}:{st.st_mtime_ns}".encode())
    for d in derived:
        stamp = (stamps or {}).get(d.name)
        h.update((stamp if stamp is not None else d.depends(ws)).encode())
    return h.hexdigest()


def is_current(ws: Workspace, derived: Sequence[Derived] = ()) -> bool:
    """The store exists and was built from the workspace's files as they are now."""
    if not ws.store_path.exists():
        return False
    try:
        # the same configuration as every other reader: DuckDB refuses a second connection to one
        # file with different settings (the dashboard may hold one open)
        con = duckdb.connect(str(ws.store_path), read_only=True, config=SANDBOX)
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        finally:
            con.close()
    except duckdb.Error:
        return False
    return bool(row) and row[0] == fingerprint(ws, derived)


def ensure_built(workspace: Workspace | str | Path | None = None, progress: Progress | None = None,
                 derived: Sequence[Derived] = ()) -> Path:
    """The store's path, building it first if it is missing or older than its sources."""
    ws = workspace if isinstance(workspace, Workspace) else load_workspace(workspace)
    if not is_current(ws, derived):
        run(ws, progress, derived=derived)
    return ws.store_path


