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

from observatory.web import api, shared_answers
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

    monkeypatch.setattr(api, "profile", broken)
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
