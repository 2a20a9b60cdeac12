"""A running dashboard follows its store: `observatory build` writes a new file and moves it into
place (a new inode), and the next requests see the new figures, map layers and footer, without a
restart, while a request already reading the old store finishes on it."""

from __future__ import annotations

import os
import threading
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from observatory.store import Store
from observatory.web.app import create_app

from .fixture_store import make_variant

LEEDS_GIGABIT = "/api/v1/figures?indicator=gigabit&level=lad&area=E08000035"
REBUILD = (
    "UPDATE facts SET numerator = 360000, value = 90.0 "
    "WHERE area_code = 'E08000035' AND indicator = 'gigabit' AND release = '2025-07' AND level = 'lad' "
    "AND method = 'published'",
    "UPDATE areas SET name = 'Headingley and Hyde Park' WHERE code = 'E05001420'",
    "UPDATE meta SET value = '2026-02-01T09:30:00' WHERE key = 'built'",
)


def rebuild(base: Path, live: Path, *statements: str) -> None:
    """What a build does: write the new store beside the live one, then move it into place."""
    tmp = make_variant(base, live.with_name(live.name + ".tmp"), *statements)
    os.replace(tmp, live)


@pytest.fixture
def live_path(fixture_store_path: Path, tmp_path: Path) -> Path:
    return make_variant(fixture_store_path, tmp_path / "observatory.duckdb")


def test_a_rebuilt_store_is_served_without_a_restart(fixture_store_path, live_path):
    with TestClient(create_app(live_path, check_every=0)) as c:
        assert c.get(LEEDS_GIGABIT).json()["figures"][0]["value"] == 85.0
        # Warm the response cache and the layer cache on the old store.
        assert c.get("/map.json?level=lad").json()["figures"][1]["value"] == 85.0
        layer = c.get("/api/v1/geometry/ward")
        assert "1 December 2025" in c.get("/sources").text
        inode = live_path.stat().st_ino

        rebuild(fixture_store_path, live_path, *REBUILD)
        assert live_path.stat().st_ino != inode

        assert c.get(LEEDS_GIGABIT).json()["figures"][0]["value"] == 90.0
        assert c.get("/map.json?level=lad").json()["figures"][1]["value"] == 90.0
        again = c.get("/api/v1/geometry/ward", headers={"If-None-Match": layer.headers["etag"]})
        assert again.status_code == 200, "the old layer's ETag must not match the new store's"
        assert again.headers["etag"] != layer.headers["etag"]
        assert "Headingley and Hyde Park" in {f["properties"]["name"] for f in again.json()["features"]}
        assert "Headingley and Hyde Park" in c.get("/map?level=ward").text
        sources = c.get("/sources").text  # the footer's build time is the new store's
        assert "1 February 2026 at 09:30" in sources and "1 December 2025" not in sources
    # The link the new store was opened through is gone: only the store is left.
    assert sorted(p.name for p in live_path.parent.iterdir()) == ["observatory.duckdb"]


def test_a_rebuild_is_followed_where_the_store_cannot_be_linked(fixture_store_path, live_path, monkeypatch):
    with TestClient(create_app(live_path, check_every=0)) as c:
        assert c.get(LEEDS_GIGABIT).json()["figures"][0]["value"] == 85.0

        def refuse(*args):
            raise PermissionError("read-only directory")

        monkeypatch.setattr(os, "link", refuse)
        rebuild(fixture_store_path, live_path, *REBUILD)
        assert c.get(LEEDS_GIGABIT).json()["figures"][0]["value"] == 90.0
    # Nothing is left beside the store (or in the temporary directory) by serving it.
    assert sorted(p.name for p in live_path.parent.iterdir()) == ["observatory.duckdb"]


def test_a_missing_store_is_reported_as_before(tmp_path):
    from observatory.errors import StoreError

    with pytest.raises(StoreError, match="No store at"):
        create_app(tmp_path / "observatory.duckdb")


def test_the_store_is_checked_at_most_once_per_interval(fixture_store_path, live_path):
    with TestClient(create_app(live_path, check_every=3600)) as c:
        assert c.get(LEEDS_GIGABIT).json()["figures"][0]["value"] == 85.0
        rebuild(fixture_store_path, live_path, *REBUILD)
        # Within the interval the store is not even looked at: still the one opened.
        assert c.get(LEEDS_GIGABIT + "&x=1").json()["figures"][0]["value"] == 85.0


def test_a_missing_or_broken_store_file_keeps_the_open_one_serving(fixture_store_path, live_path):
    with TestClient(create_app(live_path, check_every=0)) as c:
        live_path.unlink()  # a build between removing and replacing, say
        assert c.get(LEEDS_GIGABIT).json()["figures"][0]["value"] == 85.0
        broken = live_path.with_name("broken.tmp")
        broken.write_bytes(b"not a duckdb file")
        os.replace(broken, live_path)
        assert c.get(LEEDS_GIGABIT).status_code == 200
        rebuild(fixture_store_path, live_path, *REBUILD)
        assert c.get(LEEDS_GIGABIT).json()["figures"][0]["value"] == 90.0


def test_a_request_keeps_its_store_until_it_ends(fixture_store_path, live_path):
    app = create_app(live_path, check_every=0)
    watch = app.state.watch
    old = watch.acquire()  # a request in flight on the old store
    rebuild(fixture_store_path, live_path, *REBUILD)
    assert watch.stale()
    new = watch.reload()
    assert new is not old and watch.current is new
    # The old store still answers the request holding it...
    assert old.store.figures("lad", "gigabit", area="E08000035")[0]["value"] == 85.0
    assert new.store.figures("lad", "gigabit", area="E08000035")[0]["value"] == 90.0
    watch.release(old)
    # ...and is closed once that request ends.
    with pytest.raises(Exception):  # noqa: B017 - duckdb's error for a closed connection
        old.store.meta()
    watch.close()


@pytest.mark.slow
def test_concurrent_requests_during_swaps_never_fail(fixture_store_path, live_path):
    app = create_app(live_path, check_every=0)
    watch = app.state.watch
    errors: list[BaseException] = []
    seen: set[float] = set()
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            snap = watch.acquire()
            try:
                seen.add(snap.store.figures("lad", "gigabit", area="E08000035")[0]["value"])
                snap.layers.get("ward")
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                watch.release(snap)

    threads = [threading.Thread(target=reader) for _ in range(6)]
    for t in threads:
        t.start()
    try:
        for i in range(6):
            rebuild(fixture_store_path, live_path, *(REBUILD if i % 2 == 0 else ()))
            watch.reload()
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    watch.close()
    assert not errors, errors[:3]
    assert seen == {85.0, 90.0}


def test_closing_the_app_closes_the_store(live_path):
    with TestClient(create_app(live_path)) as c:
        assert c.get("/api/v1/levels").status_code == 200
        store: Store = c.app.state.watch.current.store
    with pytest.raises(Exception):  # noqa: B017
        store.meta()


def test_a_rebuilt_stores_exclusion_model_is_ready_before_it_is_swapped_in(fixture_store_path, live_path):
    """Loading the exclusion-risk model takes seconds; requests that waited for it after a swap held
    every thread of the pool (30 s stalls under load). It is loaded while the old store serves."""
    from observatory.web import inclusion

    with TestClient(create_app(live_path, check_every=0)) as c:
        c.get(LEEDS_GIGABIT)
        rebuild(fixture_store_path, live_path, *REBUILD)
        assert c.get(LEEDS_GIGABIT).json()["figures"][0]["value"] == 90.0  # the new store is served
        new_store = c.app.state.watch.current.store
        assert new_store in inclusion._models  # loaded (here: found missing) by the swap, not by a request
