"""The build's second process (pipeline/ahead.py): work handed to it comes back the same as the
build would have computed it, and when it cannot come back the build computes it itself."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from observatory import pipeline, workspace
from observatory.pipeline import ahead, coverage, tile_archive
from observatory.pipeline.ahead import Ahead, take
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


def test_a_worker_that_dies_mid_job_leaves_the_job_to_the_build():
    with Ahead(enabled=True) as worker:
        job = worker.submit(time.sleep, 60)
        started = time.monotonic()
        worker._worker.kill()
        assert take(job, lambda: "computed here") == "computed here"
        assert time.monotonic() - started < 30  # did not wait for the sleep (or the 300 s limit)


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


def _facts(store: Path) -> list[tuple]:
    with Store(store) as s:
        return [tuple(r.values()) for r in s.rows(
            "SELECT area_code, indicator, release, release_id, numerator, denominator, value, suppressed FROM facts "
            "ORDER BY area_code, indicator, release, release_id")]


def _tiles(store: Path) -> dict[str, dict]:
    return {level: (archive.tiles if archive else None)
            for level in tile_archive.MAP_LEVELS
            for archive in [tile_archive.find_archive(store, level, _inputs(store), _region(store))]}


def _inputs(store: Path) -> str:
    with Store(store) as s:
        return tile_archive.inputs_of(s.meta())


def _region(store: Path) -> str | None:
    with Store(store) as s:
        return s.region()


@pytest.mark.slow
def test_a_build_with_the_worker_writes_what_one_process_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OBSERVATORY_BUILD_CACHE", "off")  # every step computed, none read back
    root = copy_workspace(tmp_path / "ws")
    monkeypatch.setenv(ahead.ENV, "1")
    alone = pipeline.run(workspace.load(root), out=tmp_path / "alone" / "observatory.duckdb")

    handed: list[str] = []  # "worker" for each job handed over, "here" for each computed in the build

    def spied(job, compute):
        def here():
            handed.append("here")
            return compute()
        if job is not None:
            handed.append("worker")
        return take(job, here)

    monkeypatch.setattr(coverage, "take", spied)
    monkeypatch.setattr(tile_archive, "take", spied)
    monkeypatch.setenv(ahead.ENV, "2")
    together = pipeline.run(workspace.load(root), out=tmp_path / "together" / "observatory.duckdb")

    # the small-area release and the five map levels went to the worker, and each came back
    assert handed == ["worker"] * 6
    assert _facts(together) == _facts(alone)
    tiles = _tiles(together)
    assert all(tiles[level] for level in tile_archive.MAP_LEVELS)
    assert tiles == _tiles(alone)
