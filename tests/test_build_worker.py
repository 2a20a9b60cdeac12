"""The build's second process (pipeline/ahead.py): work handed to it comes back the same as the
build would have computed it, and when it cannot come back the build computes it itself."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import shapely
from pmtiles.tile import tileid_to_zxy

from observatory import pipeline, workspace
from observatory.pipeline import ahead, areas, coverage, tile_archive
from observatory.pipeline.ahead import Ahead, take
from observatory.pipeline.map_tiles import map_shapes
from observatory.sources import ofcom
from observatory.store import Store
from tests.conftest import copy_workspace


def test_a_job_runs_in_another_process():
    with Ahead(enabled=True) as worker:
        job = worker.submit(os.getpid)
        pid = take(job, lambda: None)
    assert job is not None
    assert pid is not None and pid != os.getpid()


def test_a_job_that_fails_is_done_by_the_build_itself(tmp_path: Path):
    with Ahead(enabled=True) as worker:
        job = worker.submit(ofcom.read_small_area_zip, tmp_path / "missing.zip")
        assert take(job, lambda: "computed here") == "computed here"


def test_a_job_that_cannot_be_sent_is_the_builds_and_the_next_still_goes():
    with Ahead(enabled=True) as worker:
        unsendable = worker.submit(len, lambda: None)  # a function defined in place cannot be pickled
        after = worker.submit(os.getpid)
        assert take(unsendable, lambda: "computed here") == "computed here"
        assert take(after, lambda: None) not in (None, os.getpid())


def test_a_worker_that_dies_mid_job_leaves_the_job_to_the_build():
    with Ahead(enabled=True) as worker:
        job = worker.submit(time.sleep, 600)
        worker._worker.kill()
        # known to have failed as soon as the worker is gone: not after the sleep, nor the 300 s limit
        assert isinstance(job.exception(timeout=60), ahead.WorkerFailed)
        assert take(job, lambda: "computed here") == "computed here"


def test_a_stuck_worker_is_given_up_and_its_other_jobs_with_it(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(ahead, "WAIT_S", 1)
    with Ahead(enabled=True) as worker:
        stuck = worker.submit(time.sleep, 60)
        queued = worker.submit(os.getpid)
        assert take(stuck, lambda: "computed here") == "computed here"
        assert isinstance(queued.exception(timeout=10), ahead.WorkerFailed)  # not another wait
        assert worker.submit(os.getpid) is None  # nor a new worker for the rest of the build


def test_what_a_job_prints_does_not_reach_the_build():
    with Ahead(enabled=True) as worker:
        printed = worker.submit(print, "a stray line")
        after = worker.submit(os.getpid)
        assert take(printed, lambda: "lost") is None
        assert take(after, lambda: None) not in (None, os.getpid())


def test_one_process_when_the_setting_says_so(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(ahead.ENV, "1")
    with Ahead() as worker:
        assert worker.submit(os.getpid) is None
    monkeypatch.setenv(ahead.ENV, "2")
    with Ahead() as worker:
        assert worker.submit(os.getpid) is not None


def test_the_callers_own_script_is_not_run_again(tmp_path: Path):
    """multiprocessing's spawn would import the script that started the build again, running its
    top level twice; a council's script without a __main__ guard must build once."""
    script = tmp_path / "my_build.py"
    script.write_text(
        "import os\n"
        "from observatory.pipeline.ahead import Ahead, take\n"
        "print('script ran')\n"
        "with Ahead(enabled=True) as worker:\n"
        "    print('answer from another process:', take(worker.submit(os.getpid), os.getpid) != os.getpid())\n",
        encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True).stdout
    assert out.count("script ran") == 1
    assert "answer from another process: True" in out


@pytest.mark.slow
def test_what_the_worker_computes_is_what_the_build_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A cold build (no build cache: every step computed) hands its source files' parsing, the
    regions' shapes and the five map levels' tiles to the worker; the shapes, the tiles and the
    small-area figures are compared with the same work done here, from the store the build wrote."""
    monkeypatch.setenv("OBSERVATORY_BUILD_CACHE", "off")
    monkeypatch.setenv(ahead.ENV, "2")
    handed: list[str] = []  # "worker" for each job handed over, "here" for each computed in the build

    def spied(job, compute):
        def here():
            handed.append("here")
            return compute()
        if job is not None:
            handed.append("worker")
        return take(job, here)

    for module in (coverage, areas, tile_archive):
        monkeypatch.setattr(module, "take", spied)
    ws = workspace.load(copy_workspace(tmp_path / "ws"))
    path = pipeline.run(ws)
    # every source file parsed, the regions' shapes and the five map levels' tiles, all answered
    assert handed == ["worker"] * (len(ws.sources) + 1 + len(tile_archive.MAP_LEVELS))

    with Store(path) as store:
        region = store.region()
        inputs = tile_archive.inputs_of(store.meta())
        for level in tile_archive.MAP_LEVELS:
            codes, names, geoms = map_shapes(store, level, region)
            here = {tileid_to_zxy(t): body for t, body in tile_archive.cut_tiles(
                level, codes, names, shapely.to_wkb(geoms))}
            assert here and tile_archive.find_archive(path, level, inputs, region).tiles == here, level

        parents = store.rows("SELECT code, geometry FROM areas WHERE level IN ('ca', 'rgn', 'group')")
        assert len(parents) > 20  # 15 combined authorities, 9 regions
        district_shapes = {g["code"]: shapely.from_wkb(g["geometry"]) for g in store.geometries("lad")
                           if g["geometry"] is not None}
        for parent in parents:
            districts = [district_shapes[c["code"]] for c in store.children(parent["code"], "lad")]
            assert shapely.equals(shapely.from_wkb(parent["geometry"]), shapely.union_all(districts)), parent["code"]

        source = next(s for s in ws.sources if s.kind == coverage.SMALL_AREA_ZIP)
        release = ofcom.read_small_area_zip(source.file)
        with store.cursor() as cur:  # a million rows: compared as frames, not row by row
            stored = cur.execute("SELECT area_code, indicator, value FROM facts WHERE release_id = ? "
                                 "AND method = 'published'", [source.key]).df()
            oas = cur.execute("SELECT code FROM areas WHERE level = 'oa'").df()["code"]
            postcodes = cur.execute("SELECT code FROM areas WHERE level = 'postcode'").df()["code"]
        parsed = pd.concat([frame.loc[frame["area_code"].isin(inside), ["area_code", "indicator", "value"]]
                            for frame, inside in ((release.oa, oas), (release.postcodes, postcodes))])
        assert len(stored) > 100_000

        def in_order(frame: pd.DataFrame) -> pd.DataFrame:
            return frame.astype({"area_code": str, "indicator": str}).sort_values(
                ["area_code", "indicator", "value"], ignore_index=True)
        pd.testing.assert_frame_equal(in_order(stored), in_order(parsed), check_dtype=False)


def test_a_build_with_its_boundaries_in_the_cache_starts_no_worker(built_workspace: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch):
    """A warm build reaches its sources within a second, before a worker could have loaded its
    modules: it does the work itself. (The session's build of the workspace filled the cache.)"""
    started: list[bool] = []
    monkeypatch.setattr(Ahead, "_start", lambda self: started.append(True) or False)
    pipeline.run(workspace.load(built_workspace), out=tmp_path / "observatory.duckdb", force=True)
    assert started == []


def test_builds_that_overlap_leave_the_collectors_setting_as_it_was(built_workspace: Path, tmp_path: Path):
    """A build makes Python's cycle collector run less often while it runs. The dashboard may run
    two builds at once, started and ended in either order: here another (the same setting entered
    in a thread) starts first and ends while a whole build runs; afterwards the setting is back."""
    before = gc.get_threshold()
    inside, may_end = threading.Event(), threading.Event()
    during: list[tuple[int, ...]] = []

    def other_build() -> None:
        with pipeline._fewer_collections():
            inside.set()
            may_end.wait(60)

    other = threading.Thread(target=other_build)
    other.start()
    assert inside.wait(60)

    def progress(name: str) -> None:
        if other.is_alive():  # the other build ends first
            may_end.set()
            other.join()
            during.append(gc.get_threshold())

    pipeline.run(workspace.load(built_workspace), out=tmp_path / "observatory.duckdb", force=True, progress=progress)
    assert during and during[0] != before  # this build still ran with fewer collections
    assert gc.get_threshold() == before
