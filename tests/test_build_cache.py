"""The build cache (pipeline/cache.py): a build with nothing changed leaves the store alone; a
forced build reads every step from the cache and writes the same store as a cold build; a changed
source misses only its own entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from observatory import pipeline, workspace
from observatory.pipeline.cache import Cache

from .conftest import WORKSPACE, copy_workspace

pytestmark = pytest.mark.slow


def same_tables(a: Path, b: Path) -> list[str]:
    """The tables whose rows differ between two stores (as multisets; meta without its date)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
    differ = []
    for (table,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_catalog = 'a'").fetchall():
        where = " WHERE key != 'built'" if table == "meta" else ""
        for x, y in (("a", "b"), ("b", "a")):
            n = con.execute(f"SELECT count(*) FROM (SELECT * FROM {x}.{table}{where} "
                            f"EXCEPT ALL SELECT * FROM {y}.{table}{where})").fetchone()[0]
            if n:
                differ.append(table)
                break
    con.close()
    return differ


def test_cache_skips_unchanged_work_and_writes_the_same_store(tmp_path, monkeypatch):
    monkeypatch.setenv("OBSERVATORY_BUILD_CACHE", str(tmp_path / "cache"))
    caches: list[Cache] = []
    for_store = Cache.for_store

    def watched(store: Path) -> Cache:
        caches.append(for_store(store))
        return caches[-1]

    monkeypatch.setattr(Cache, "for_store", watched)
    root = copy_workspace(tmp_path / "ws")
    path = pipeline.run(workspace.load(root))
    assert caches[-1].hits == []  # a fresh cache: everything computed
    cold = shutil.copy(path, tmp_path / "cold.duckdb")

    inode = path.stat().st_ino
    assert pipeline.run(workspace.load(root)) == path
    assert len(caches) == 1 and path.stat().st_ino == inode, "nothing changed, yet the store was rebuilt"

    pipeline.run(workspace.load(root), force=True)
    warm = caches[-1]
    assert warm.misses == []
    ws = workspace.load(root)
    assert set(warm.hits) >= {f"boundaries-{level}" for level in ws.boundaries} | {
        "best-fit", "parent-shapes", "postcodes", *(f"source-{s.key}" for s in ws.sources)}
    assert same_tables(Path(cold), path) == []

    # One source's file changed (the same table behind a UTF-8 byte order mark, which reads the
    # same): only that source is read again.
    name = "ofcom_202309_fixed_laua_coverage_r01.csv"
    plain = (WORKSPACE / "data" / "coverage" / name).read_bytes()
    assert not plain.startswith(b"\xef\xbb\xbf")
    (root / name).write_bytes(b"\xef\xbb\xbf" + plain)
    text = (root / "observatory.toml").read_text(encoding="utf-8")
    (root / "observatory.toml").write_text(text.replace(f"data/coverage/{name}", name), encoding="utf-8")
    pipeline.run(workspace.load(root))
    assert len(caches) == 3, "the settings changed, yet the store was not rebuilt"
    assert caches[-1].misses == ["source-ofcom-laua-2023-09"], (caches[-1].misses, caches[-1].hits)
    # the same figures; the release has the new file's checksum, the store a new fingerprint
    assert set(same_tables(Path(cold), path)) == {"releases", "meta"}
