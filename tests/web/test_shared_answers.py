"""Worker processes of `observatory serve --workers N` read each other's computed answers, and
never an answer computed from a store that has since been rebuilt."""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from observatory.web import pages, shared_answers, tiles
from observatory.web.app import create_app

from .fixture_store import make_variant

PROFILE = "/api/v1/areas/E08000035"


def test_a_second_worker_answers_from_the_firsts_work_until_the_store_changes(
        fixture_store_path: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(shared_answers, "root", lambda: tmp_path / "answers")
    store = tmp_path / "store.duckdb"
    shutil.copyfile(fixture_store_path, store)
    first = TestClient(create_app(store, check_every=0, shared_answers=True))
    second = TestClient(create_app(store, check_every=0, shared_answers=True))

    answer = first.get(PROFILE, headers={"accept": "application/json"})
    assert answer.status_code == 200

    # The second worker cannot compute a profile at all, yet answers: from the first's work.
    def broken(*_args, **_kwargs):
        raise RuntimeError("the second worker computed the profile itself")

    monkeypatch.setattr(pages, "profile", broken)  # what the profile page and its API read
    again = second.get(PROFILE, headers={"accept": "application/json"})
    assert again.status_code == 200
    assert again.json() == answer.json()

    # A rebuild replaces the file: the answers of the old store are not reused.
    monkeypatch.undo()
    monkeypatch.setattr(shared_answers, "root", lambda: tmp_path / "answers")
    rebuilt = make_variant(store, tmp_path / "rebuilt.duckdb",
                           "UPDATE facts SET value = value / 2 WHERE area_code = 'E08000035'")
    os.replace(rebuilt, store)
    fresh = second.get(PROFILE, headers={"accept": "application/json"})
    assert fresh.status_code == 200
    assert fresh.json() != answer.json()
    assert first.get(PROFILE, headers={"accept": "application/json"}).json() == fresh.json()


def test_an_empty_map_tile_is_kept_and_shared_as_empty(fixture_store_path: Path, tmp_path: Path, monkeypatch) -> None:
    """A tile with no area in it is answered 204 (no content); that answer is kept and shared like
    any other, so a worker that did not look does not answer 200, and none looks twice."""
    monkeypatch.setattr(shared_answers, "root", lambda: tmp_path / "answers")
    store = tmp_path / "store.duckdb"
    shutil.copyfile(fixture_store_path, store)
    first = TestClient(create_app(store, check_every=0, shared_answers=True))
    second = TestClient(create_app(store, check_every=0, shared_answers=True))
    # zoom 8 over the middle of the Atlantic (30 W, 50 N): x = (180 - 30) / 360 * 256 = 106.7,
    # y = (1 - asinh(tan(50 deg)) / pi) / 2 * 256 = 86.8
    empty = "/api/v1/tiles/ward/8/106/86.pbf"
    assert first.get(empty).status_code == 204

    def no_cutting(*_args, **_kwargs):
        raise RuntimeError("the tile was cut again")

    monkeypatch.setattr(tiles.Tiles, "get", no_cutting)
    monkeypatch.setattr(tiles.Tiles, "cached", lambda *_a: (False, None))
    for client in (first, second, first):
        again = client.get(empty)
        assert again.status_code == 204
        assert again.content == b""


def test_a_worker_seeing_a_new_store_does_not_wait_for_old_answers_to_be_removed(tmp_path: Path, monkeypatch) -> None:
    """The folder of a new store's answers is asked for on the event loop; removing the folders of
    stores replaced long ago (thousands of files each) must not hold it."""
    import threading

    from observatory.web.shared_answers import SharedAnswers

    removing = threading.Event()
    finish = threading.Event()

    def slow_sweep(self, current):  # noqa: ANN001, ANN202
        removing.set()
        finish.wait(30)

    monkeypatch.setattr(SharedAnswers, "_sweep", slow_sweep)
    shared = SharedAnswers(tmp_path)
    got = []
    asking = threading.Thread(target=lambda: got.append(shared.folder((1, 2))))
    asking.start()
    try:
        asking.join(20)  # the old folders are held for 30 s: an answer waiting for them is not here by 20
        assert got and got[0] is not None, "asking for the folder waited for the old ones to be removed"
        assert removing.wait(5) and not finish.is_set()  # they are being removed meanwhile, elsewhere
    finally:
        finish.set()
        asking.join(30)
