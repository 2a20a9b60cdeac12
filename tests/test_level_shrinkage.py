"""`observatory check` fails when a level loses most of its figures since the previous build.

Every input can pass its own checks and the build still lose most of a level (issue 7: swapped
coordinates took 1,182,603 figures to 113,979 and check said "All roll-ups match"). Here the
release ZIP loses its postcode file: the build succeeds (a release may hold output areas only),
but check must exit 1 and name the level and both counts; the next build, compared with that one,
is clean again.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from observatory.cli import app

from . import corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = corpus.make_workspace(tmp_path_factory.mktemp("shrink") / "ws")
    result = CliRunner().invoke(app, ["build", str(ws)])
    assert result.exit_code == 0, result.output
    return ws


@pytest.fixture
def ws(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(built, copy)
    return copy


def check(ws: Path):
    return CliRunner().invoke(app, ["check", "--workspace", str(ws), "--format", "json"])


def postcode_figures(ws: Path) -> int:
    con = duckdb.connect(str(ws / "build" / "observatory.duckdb"), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM facts WHERE level = 'postcode' AND value IS NOT NULL").fetchone()[0]
    finally:
        con.close()


def drop_postcode_member(ws: Path) -> None:
    path = ws / corpus.ZIP
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if n != corpus.PC_MEMBER}
    corpus._zip(path, members)


def test_a_clean_rebuild_is_not_flagged(ws: Path):
    assert CliRunner().invoke(app, ["build", str(ws)]).exit_code == 0
    result = check(ws)
    assert "level-shrank" not in result.stdout


def test_losing_the_postcode_figures_makes_check_fail_with_both_counts(ws: Path):
    before = postcode_figures(ws)
    # 30 located postcodes, each with its published percentages: comfortably a level worth watching
    assert before >= corpus.N_POSTCODES * 3
    drop_postcode_member(ws)
    assert CliRunner().invoke(app, ["build", str(ws)]).exit_code == 0
    assert postcode_figures(ws) == 0

    result = check(ws)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    shrank = [f for f in report["findings"] if f["kind"] == "level-shrank"]
    assert [f["subject"] for f in shrank] == ["postcode"]
    assert shrank[0]["count"] == before
    assert f"the previous build had {before:,}" in shrank[0]["detail"]
    assert "swapped latitude/longitude" in shrank[0]["detail"]

    table = CliRunner().invoke(app, ["check", "--workspace", str(ws)], env={"COLUMNS": "80"})
    assert table.exit_code == 1
    assert "Level postcode lost most of its figures" in " ".join(table.stdout.split())

    # Compared with the build that already lacked them, the next one is not flagged again. (A build
    # with no file changed leaves the store as it is, finding and all: the ZIP is touched, so the
    # next build runs.)
    os.utime(ws / corpus.ZIP)
    assert CliRunner().invoke(app, ["build", str(ws)]).exit_code == 0
    assert "level-shrank" not in check(ws).stdout
