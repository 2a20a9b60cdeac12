"""Backbone reach follows the programme register without a build: after an editor lights a site,
the stored figure (`observatory figures`, the map, the metric) and the figures computed from the
register (`observatory reach`, /programme, the annual update's programme section) are one figure,
with one date, and the dashboard that was already running shows it on its next request.

Reach is worked out by hand here from the premises the store holds: the premises placed within
2 km of a lit site (straight line on the British National Grid), over all premises."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from observatory.app import Observatory
from observatory.cli import app as cli
from observatory.errors import StoreError
from observatory.pipeline import fingerprint
from observatory.programme import models, reach_figures
from observatory.programme.premises import from_store
from observatory.records.users import add_user
from observatory.report.sections import Context
from observatory.report.sections import programme as programme_section
from observatory.store import identity
from observatory.strategy.board import open_board
from observatory.workspace import load as load_workspace
from tests.conftest import copy_workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from observatory.web.app import create_app

# Three sites in Leeds city centre (British National Grid), lit or built on the dates given.
SITES = {"T-0001": (429700.0, 433900.0), "T-0002": (433300.0, 431500.0), "T-0003": (425800.0, 436200.0)}


@pytest.fixture
def workspace(built_workspace: Path, tmp_path: Path) -> Path:
    """The built bundled workspace (its store copied, not rebuilt) with a records database holding
    three sites: T-0001 lit in March 2025, the others built."""
    # 2 km, so that one site reaches a share of the region's million premises that shows at one
    # decimal place
    root = copy_workspace(tmp_path / "ws", {"reach_distance_m = 200": "reach_distance_m = 2000"})
    shutil.copytree(built_workspace / "build", root / "build", ignore=shutil.ignore_patterns("report", ".*"))
    run = CliRunner().invoke(cli, ["records", "upgrade", "-w", str(root)])
    assert run.exit_code == 0, run.output
    obs = Observatory.open(root)
    with obs.records.session() as s:
        add_user(s, "setup", "ada", "Tq8-vexing-lantern-41", "editor")
        for i, (sid, (e, n)) in enumerate(SITES.items()):
            models.add_site(s, "ada", sid, name=f"Site {i}", kind="school", lat=53.8, lon=-1.55, easting=e, northing=n)
            models.set_status(s, "ada", sid, "planned", date(2024, 1, 10))
            models.set_status(s, "ada", sid, "built", date(2024, 9, 10))
        models.set_status(s, "ada", "T-0001", "lit", date(2025, 3, 12))
    obs.close()
    return root


def _by_hand(premises, lit: list[str], distance: float = 2000.0) -> float:
    """The region's share of premises within `distance` of the lit sites, to one decimal place."""
    sites = np.array([SITES[s] for s in lit])
    d = np.sqrt(((premises.xy[:, None, :] - sites[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
    return round(100.0 * premises.count[d <= distance].sum() / premises.count.sum(), 1)


def _stored(root: Path) -> dict:
    run = CliRunner().invoke(cli, ["figures", "--level", "ca", "--indicator", "backbone_reach",
                                   "--format", "json", "-w", str(root)])
    assert run.exit_code == 0, run.output
    return json.loads(run.stdout)[0]


def _reach_cli(root: Path) -> float:
    run = CliRunner().invoke(cli, ["reach", "--level", "region", "--format", "json", "-w", str(root)])
    assert run.exit_code == 0, run.output
    return json.loads(run.stdout)["rows"][0]["share"]


def test_lighting_a_site_moves_every_view_of_reach_together_without_a_build(workspace: Path) -> None:
    obs = Observatory.open(workspace)
    premises = from_store(obs.store)
    first = _by_hand(premises, ["T-0001"])
    assert first > 0
    with TestClient(create_app(obs.store_path, workspace)) as client:
        assert client.get("/programme.json").status_code == 200
        assert _stored(workspace)["value"] == first

        built_at = identity(obs.store_path)
        with obs.records.session() as s:  # an editor lights a second site
            models.set_status(s, "ada", "T-0002", "lit", date(2025, 6, 20))
        both = _by_hand(premises, ["T-0001", "T-0002"])
        assert both > first

        page = client.get("/programme.json").json()
        region = page["reach"]["region"]
        mapped = client.get("/map.json", params={"indicator": "backbone_reach", "level": "lad"}).json()
    assert identity(obs.store_path) != built_at, "the store was refreshed, not left as built"
    # (this process still holds the store as built: DuckDB hands a second connection to the same
    # path the file already open in the process, so the application object reopens it first)
    assert obs.store.meta()
    stored = _stored(workspace)
    assert stored["value"] == both and stored["release"] == "2025-06", stored
    assert _reach_cli(workspace) == both
    assert region["share"] == both
    districts = {r["code"]: r["share"] for r in page["reach"]["districts"]}
    assert mapped["release"] == "2025-06"
    assert {f["area_code"]: f["value"] for f in mapped["figures"]} == districts

    metric = open_board(obs.workspace, store=obs.store, records=obs.records).one("backbone-reach")
    assert metric["latest"] == both and metric["latest_date"][:7] == "2025-06", metric

    section = programme_section.gather(Context(obs.store, obs.workspace, 2025))
    assert section.data["reach_region"]["share"] == both
    assert obs.is_current(), "a refreshed store is current: `observatory build` has nothing to do"
    obs.close()


def test_a_status_change_makes_the_store_stale_even_in_the_second_the_digest_was_kept(
        workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`observatory build` asks whether the register changed without reading it while the records
    file is as it was when its digest was last worked out; a change, however soon after, is seen."""
    ws = load_workspace(workspace)
    sqlite = workspace / "records.sqlite"
    for path in (sqlite, sqlite.with_name("records.sqlite-wal")):
        if path.exists():
            os.utime(path, (time.time() - 60, time.time() - 60))  # last written a minute ago
    before = fingerprint(ws, [reach_figures.STEP])
    memo = ws.store_path.parent / reach_figures.REGISTER_MEMO
    assert memo.exists()

    read = []
    real_register = reach_figures._register
    monkeypatch.setattr(reach_figures, "_register", lambda w: read.append(w) or real_register(w))
    assert fingerprint(ws, [reach_figures.STEP]) == before and read == []  # the register not read

    obs = Observatory.open(workspace)
    with obs.records.session() as s:  # an editor lights a second site
        models.set_status(s, "ada", "T-0002", "lit", date(2025, 6, 20))
    obs.close()
    changed = fingerprint(ws, [reach_figures.STEP])
    assert changed != before and len(read) == 1
    # written within the last second: its state is not trusted to stand for the new digest yet
    assert fingerprint(ws, [reach_figures.STEP]) == changed and len(read) == 2


def test_premises_of_output_areas_without_a_postcode_are_placed_at_the_area(workspace: Path) -> None:
    """The bundled postcode file has no OL postcodes: Todmorden's output areas have none, and their
    premises are placed at each output area's own point, so reach counts every premises Ofcom
    counts."""
    obs = Observatory.open(workspace)
    premises = from_store(obs.store)
    with obs.store.cursor() as cur:
        (ofcom,) = cur.execute(
            "SELECT sum(denominator) FROM facts WHERE level = 'oa' AND indicator = 'sfbb' AND release_id = ?",
            [premises.release]).fetchone()
        no_postcode = cur.execute(
            "SELECT count(*), sum(f.denominator) FROM facts f WHERE f.level = 'oa' AND f.indicator = 'sfbb' "
            "AND f.release_id = ? AND f.area_code NOT IN (SELECT m.parent FROM membership m JOIN areas a "
            "ON a.code = m.child AND a.level = 'postcode' WHERE m.parent_level = 'oa')", [premises.release]).fetchone()
    assert no_postcode[0] > 0
    assert premises.total == pytest.approx(ofcom)
    assert premises.areas_at_point == no_postcode[0] and premises.at_area_point == pytest.approx(no_postcode[1])
    obs.close()


def test_a_target_edited_while_the_dashboard_runs_shows_on_the_next_request(built_workspace: Path,
                                                                             tmp_path: Path) -> None:
    """The metrics file is the one place targets are set: an officer's edit shows at once, not
    after a rebuild (the response cache must not keep the answer made with the old target)."""
    root = copy_workspace(tmp_path / "ws")
    shutil.copytree(built_workspace / "build", root / "build", ignore=shutil.ignore_patterns("report", ".*"))
    metrics = root / "metrics.toml"
    with TestClient(create_app(root / "build" / "observatory.duckdb", root)) as client:
        before = {i["id"]: i["target"] for i in client.get("/index.json").json()["indicators"]}
        assert before["sfbb"] == 90
        text = metrics.read_text(encoding="utf-8")
        old = 'indicator = "sfbb"\nvalue = 90\n'
        assert old in text
        metrics.write_text(text.replace(old, 'indicator = "sfbb"\nvalue = 97\n'), encoding="utf-8")
        after = {i["id"]: i["target"] for i in client.get("/index.json").json()["indicators"]}
    assert after["sfbb"] == 97 and after["gigabit"] == before["gigabit"]


def test_a_visitor_goes_on_while_another_request_brings_the_figures_up_to_date(tmp_path: Path, monkeypatch):
    """After a write (or a store swap) every request of a busy dashboard finds the figures to
    follow; one brings them up to date and the visitors' requests do not queue behind it (they
    held every thread of the pool for 17-30 s), while an editor's request waits for the figures."""
    import threading

    from observatory import app as app_mod

    obs = Observatory.open(copy_workspace(tmp_path / "ws"))
    refreshed: list[str] = []
    monkeypatch.setattr(app_mod, "configured", lambda ws: True)
    monkeypatch.setattr(app_mod.derived_figures, "refresh", lambda *a, **k: refreshed.append("refresh") or True)
    monkeypatch.setattr(obs, "_records_seen", lambda: ((1, 1), "register changed"))
    obs._following.acquire()  # another request is bringing the figures up to date
    answered = []
    visitor = threading.Thread(target=lambda: answered.append(obs.follow_records(wait=False)))
    visitor.start()
    visitor.join(20)  # a bound for a busy machine: a visitor held by the refresh would wait for ever
    assert answered == [False] and refreshed == []  # the visitor went on at once, nothing recomputed
    editor = threading.Thread(target=lambda: answered.append(obs.follow_records()))
    editor.start()
    editor.join(0.5)
    assert editor.is_alive()  # the editor waits for the figures ...
    obs._following.release()
    editor.join(5)
    assert answered == [False, True] and refreshed == ["refresh"]  # ... and gets them recomputed


def test_the_dashboards_check_before_each_request_never_waits_for_a_refresh(tmp_path: Path, monkeypatch):
    """The dashboard asks whether the records moved on its event loop before every request. While
    another thread reads the store and brings its figures up to date (seconds, waiting on other
    processes' refreshes), that check must answer at once: it waited for the refresh, and the
    worker's every request with it (a 6-10 s stall under 200 clients, issue 21)."""
    import threading

    from observatory import app as app_mod

    obs = Observatory.open(copy_workspace(tmp_path / "ws"))
    release = threading.Event()
    refreshing = threading.Event()

    def slow_refresh(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        refreshing.set()
        release.wait(30)
        return False

    monkeypatch.setattr(app_mod, "configured", lambda ws: True)
    monkeypatch.setattr(app_mod.derived_figures, "refresh", slow_refresh)
    monkeypatch.setattr(obs, "_records_seen", lambda: ((1, 1), "register changed"))
    def read_store() -> None:  # a request reading the store: it waits for the refresh the test holds
        with contextlib.suppress(StoreError):  # and then finds none (the copy is not built)
            _ = obs.store

    reader = threading.Thread(target=read_store, daemon=True)
    reader.start()
    try:
        assert refreshing.wait(10)
        answers = []
        check = threading.Thread(target=lambda: answers.append((obs.records_moved(), obs.workspace.root)))
        check.start()
        check.join(20)  # the refresh is held until the end: a check that waited for it would not be done
        assert not check.is_alive(), "the per-request check waited for the refresh"
        assert answers == [(True, obs.workspace.root)]
    finally:
        release.set()
        reader.join(30)
        obs.close()
