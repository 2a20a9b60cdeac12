"""The build's cache: what does not change between builds, kept beside the store, keyed by what
it was computed from.

A build step whose inputs are unchanged (the same file contents, the same settings, the same
observatory code) reads its result from WORKSPACE/build/cache instead of computing it again:
parsed, repaired and simplified boundaries; areas placed in their parents; postcodes placed; each
source read. A key is a SHA-256 over everything the step reads: the input files' bytes (never
their dates, so a copied or touched file still hits), the settings it uses, the source code of the
packages it runs (so editing the observatory invalidates every entry) and the geometry library's
version. A changed source misses only its own entry; a changed boundary file misses what depends
on it.

Entries are Arrow IPC files and a small JSON file (no pickle: nothing in the cache is executed),
written to a temporary folder and renamed into place, so concurrent builds (two test workers, the
dashboard and the command line) never see half an entry; an unreadable entry is a miss. Each slot
(a boundary level, a source key, a step) keeps its newest entry only.

OBSERVATORY_BUILD_CACHE names another folder (the tests share one between workspaces); "off"
switches the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

# pandas, Arrow and shapely are imported where an entry is read or written: the store's
# fingerprint (code_digest) is worked out without them, so an unchanged build answers at once.
if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

ENV = "OBSERVATORY_BUILD_CACHE"
FORMAT = 1  # bump when the layout of an entry changes
_PACKAGE = Path(__file__).resolve().parents[1]
# The code a cached step runs: a change to any of it makes every entry a miss.
_CODE = ("sources", "geography", "pipeline", "workspace", "indicators", "levels.py", "months.py", "errors.py")


@cache
def code_digest() -> str:
    """The observatory's code the build runs and the versions of the libraries it computes with
    (their installed versions, read without importing them)."""
    versions = ":".join(metadata.version(lib) for lib in ("shapely", "pandas", "pyarrow", "numpy"))
    h = hashlib.sha256(f"{FORMAT}:{versions}".encode())
    for name in _CODE:
        path = _PACKAGE / name
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for f in files:
            h.update(f.relative_to(_PACKAGE).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()


_sums: dict[tuple[str, int, int], str] = {}


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (remembered per path, size and modification time in this process)."""
    st = path.stat()
    memo = (str(path), st.st_size, st.st_mtime_ns)
    if memo not in _sums:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        _sums[memo] = h.hexdigest()
    return _sums[memo]


def relative(path: Path, root: Path) -> str:
    """A source file's name as the store and the cache keys give it: relative to the workspace
    where it lies inside it (so a moved workspace keeps its keys), else its bare name."""
    path, root = path.resolve(), root.resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name


def key(*parts: object) -> str:
    """A key over the observatory's code and `parts` (strings, numbers, lists, dicts: JSON)."""
    text = json.dumps([code_digest(), _geos_version(), *parts], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


@cache
def _geos_version() -> str:
    """The geometry library shapely runs (a wheel bundles its own; a source build links another)."""
    import shapely

    return shapely.geos_version_string


class Cache:
    """Entries under `folder`/<slot>/<key>/; `folder` None: nothing is kept (every load misses)."""

    def __init__(self, folder: Path | None, prune: bool = True) -> None:
        self.folder = folder
        self.prune = prune
        self.hits: list[str] = []
        self.misses: list[str] = []

    @classmethod
    def for_store(cls, store: Path) -> Cache:
        setting = os.environ.get(ENV, "").strip()
        if setting.lower() in ("off", "0", "no", "false"):
            return cls(None)
        if setting:
            # a folder shared between workspaces: other builds' entries are not ours to remove
            return cls(Path(setting), prune=False)
        return cls(store.parent / "cache")

    def _entry(self, slot: str, k: str) -> Path:
        return self.folder / _safe(slot) / k

    def has(self, slot: str, k: str) -> bool:
        """An entry is kept under `slot` and `k` (it may still prove unreadable when loaded)."""
        return self.folder is not None and (self._entry(slot, k) / "meta.json").is_file()

    def load(self, slot: str, k: str) -> tuple[dict, dict[str, pd.DataFrame]] | None:
        """(meta, tables) stored under `slot` and key `k`, or None."""
        if self.folder is None:
            return None
        import pyarrow as pa
        import pyarrow.feather as feather

        entry = self._entry(slot, k)
        try:
            meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
            tables = {name: feather.read_table(entry / f"{name}.arrow", memory_map=False).to_pandas()
                      for name in meta.pop("_tables")}
        except (OSError, ValueError, KeyError, pa.ArrowException):
            self.misses.append(slot)
            return None
        self.hits.append(slot)
        return meta, tables

    def save(self, slot: str, k: str, meta: dict, tables: dict[str, pd.DataFrame | pa.Table]) -> None:
        if self.folder is None:
            return
        import pyarrow as pa
        import pyarrow.feather as feather

        parent = self.folder / _safe(slot)
        arrow = {name: t if isinstance(t, pa.Table) else pa.Table.from_pandas(t, preserve_index=False)
                 for name, t in tables.items()}
        try:
            parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=parent))
            for name, t in arrow.items():
                feather.write_feather(t, tmp / f"{name}.arrow", compression="uncompressed")
            (tmp / "meta.json").write_text(json.dumps({**meta, "_tables": list(tables)}), encoding="utf-8")
            try:
                os.rename(tmp, parent / k)
            except OSError:  # another build saved the same entry first: theirs is as good
                shutil.rmtree(tmp, ignore_errors=True)
            if self.prune:
                for old in parent.iterdir():
                    if old.name != k and not old.name.startswith(".tmp-"):
                        shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass  # a cache that cannot be written only costs time: the build goes on


def _safe(slot: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in slot)


def digests(paths: Iterable[Path]) -> list[str]:
    return [file_digest(p) for p in paths]


def step(b, slot: str, k: str | None, compute, whole_links: bool = False) -> None:
    """Run `compute()` on the build `b`, or replay what it added last time its inputs were the same.

    What a step adds to the build is kept: facts, releases, findings, area rows appended, and the
    membership links (all of them when `whole_links`, for a step that also changes existing links;
    else the rows it appended). A step that sets anything else is not run through here.
    """
    if k is None or b.cache.folder is None:
        compute()
        return
    import pandas as pd
    import pyarrow as pa

    hit = b.cache.load(slot, k)
    if hit is not None:
        meta, tables = hit
        b.facts.extend(tables[f"facts{i}"] for i in range(meta["facts"]))
        b.areas.extend(tables[f"areas{i}"] for i in range(meta["areas"]))
        b.releases.extend(meta["releases"])
        b.findings.extend(tuple(f) for f in meta["findings"])
        if "links" in tables:
            b.links = tables["links"]
        elif "links_added" in tables:
            b.links = pd.concat([b.links, tables["links_added"]], ignore_index=True)
        return
    n_facts, n_areas, n_rel, n_find = len(b.facts), len(b.areas), len(b.releases), len(b.findings)
    links0 = b.links
    n_links = 0 if links0 is None else len(links0)
    compute()
    tables: dict[str, pd.DataFrame] = {}
    for i, f in enumerate(b.facts[n_facts:]):
        tables[f"facts{i}"] = f
    for i, a in enumerate(b.areas[n_areas:]):
        tables[f"areas{i}"] = a
    if whole_links:
        tables["links"] = b.links
    elif b.links is not links0:
        tables["links_added"] = b.links.iloc[n_links:]
    meta = {"facts": len(b.facts) - n_facts, "areas": len(b.areas) - n_areas,
            "releases": b.releases[n_rel:], "findings": [list(f) for f in b.findings[n_find:]]}
    try:
        json.dumps(meta)
    except (TypeError, ValueError):
        return  # something the JSON file cannot hold exactly: not kept
    try:
        b.cache.save(slot, k, meta, tables)
    except (pa.ArrowException, TypeError, ValueError):
        pass  # a frame Arrow cannot hold: not kept, computed again next time
