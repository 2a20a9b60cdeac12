"""A rebuilt store swapped in under load never holds up a request (issue 21: requests stalled for up
to 30 s): a busy server goes on answering from the open store while the new one is opened in the
background, and an idle one reads the new store at once. A good build swapped in clears the "last
build failed" banner."""

from __future__ import annotations

import threading
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from observatory.web.app import create_app
from observatory.web.live import FollowStore

from .fixture_store import make_variant
from .test_reload import LEEDS_GIGABIT, REBUILD, rebuild


@pytest.fixture
def live_path(fixture_store_path: Path, tmp_path: Path) -> Path:
    return make_variant(fixture_store_path, tmp_path / "observatory.duckdb")


def _follow_store(app) -> FollowStore:  # noqa: ANN001
    layer = app.middleware_stack
    while not isinstance(layer, FollowStore):
        layer = layer.app
    return layer


def _value(client: TestClient, extra: str) -> float:
    return client.get(LEEDS_GIGABIT + extra).json()["figures"][0]["value"]


def test_a_busy_server_answers_from_the_open_store_while_the_new_one_opens(fixture_store_path, live_path) -> None:
    app = create_app(live_path, check_every=0)
    watch = app.state.watch
    with TestClient(app) as c:
        assert _value(c, "") == 85.0
        follow = _follow_store(app)
        opening = threading.Event()
        ready = threading.Event()
        derive = watch._derive

        def slow(store, ident, generation):  # noqa: ANN001, ANN202 - opening a big store under load
            opening.set()
            ready.wait(60)
            return derive(store, ident, generation)

        watch._derive = slow
        rebuild(fixture_store_path, live_path, *REBUILD)
        follow.inflight += 1  # another request is being answered: the server is busy
        try:
            # answered from the open store while the rebuilt one is still being opened
            assert _value(c, "&a=1") == 85.0
            assert opening.wait(30) and watch.reloading
            assert _value(c, "&b=1") == 85.0  # and again: nobody waits for the reload
        finally:
            ready.set()
            follow.inflight -= 1
        while watch.reloading:
            opening.wait(0.05)
        assert _value(c, "&c=1") == 90.0  # swapped in once ready


def test_an_idle_server_reads_a_rebuilt_store_at_once(fixture_store_path, live_path) -> None:
    with TestClient(create_app(live_path, check_every=0)) as c:
        assert _value(c, "") == 85.0
        rebuild(fixture_store_path, live_path, *REBUILD)
        assert _value(c, "&a=1") == 90.0


def test_a_good_build_clears_the_failed_build_banner(fixture_store_path, live_path) -> None:
    app = create_app(live_path, check_every=0, build_error="the Ofcom file for July 2025 could not be read.")
    with TestClient(app) as c:
        assert "the Ofcom file for July 2025 could not be read." in c.get("/sources").text
        rebuild(fixture_store_path, live_path, *REBUILD)
        page = c.get("/sources").text
        assert "could not be read" not in page and "1 February 2026 at 09:30" in page
        assert app.state.build_error is None


def test_workers_take_turns_to_prepare_a_rebuilt_store(tmp_path: Path, monkeypatch) -> None:
    """On a 2-core server one worker at a time opens and prepares a rebuilt store (all four at once
    took both cores, and every request waited); a worker kept waiting too long goes ahead."""
    from observatory.web import live

    monkeypatch.setattr(live.os, "cpu_count", lambda: 2)
    store = tmp_path / "observatory.duckdb"
    inside: list[str] = []
    first_in = threading.Event()
    first_may_leave = threading.Event()

    def first() -> None:
        with live._one_worker_at_a_time(store):
            inside.append("first in")
            first_in.set()
            first_may_leave.wait(10)
            inside.append("first out")

    def second() -> None:
        with live._one_worker_at_a_time(store):
            inside.append("second in")

    a = threading.Thread(target=first)
    a.start()
    assert first_in.wait(10)
    b = threading.Thread(target=second)
    b.start()
    b.join(0.5)
    assert b.is_alive() and inside == ["first in"]  # its turn has not come
    first_may_leave.set()
    a.join(10)
    b.join(10)
    assert inside == ["first in", "first out", "second in"]

    monkeypatch.setattr(live, "TURN_WAIT", 0.2)
    first_in.clear()
    first_may_leave.clear()
    inside.clear()
    a = threading.Thread(target=first)
    a.start()
    assert first_in.wait(10)
    second()  # waits 0.2 s at most, then goes ahead
    assert inside == ["first in", "second in"]
    first_may_leave.set()
    a.join(10)


def test_a_cycle_frozen_out_of_collections_is_still_freed_by_the_idle_collection() -> None:
    """A server worker freezes what has lived a while out of Python's full collections (they paused
    every request of the worker for up to a second); a cycle of frozen objects no longer used
    (part of a store swapped out) must still be freed, by the full collection made when idle."""
    import gc
    import weakref

    from observatory.web import memory

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # a reference cycle: only the collector frees it
    gone = weakref.ref(a)
    try:
        gc.freeze()
        del a, b
        gc.collect()
        assert gone() is not None  # frozen: the ordinary collections leave it
        memory.collect()
        assert gone() is None
    finally:
        gc.unfreeze()
