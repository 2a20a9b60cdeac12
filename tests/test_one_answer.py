"""One answer per question: every view of the same figure gives the same target, status, forecast
and date, whichever page, API, command or report asks. Independent of any one view: each test reads
the answer from every view that shows it and compares them with each other."""

from __future__ import annotations

import json
import warnings
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from observatory import workspace
from observatory.cli import app as cli
from observatory.report.coverage import coverage
from observatory.report.coverage_maps import coverage_maps
from observatory.store import Store

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from observatory.web.app import create_app

HEADLINE = ("sfbb", "gigabit", "full_fibre")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def views(built_workspace: Path, built_store_path: Path):
    """Every view's answer over the bundled workspace: the dashboard's JSON twins, the API, the
    command line and the annual update's context."""
    ws = workspace.load(built_workspace)
    with TestClient(create_app(built_store_path, built_workspace)) as client:
        got = {
            "overview": client.get("/index.json").json(),
            "metrics": client.get("/api/v1/metrics").json(),
            "forecasts": client.get("/api/v1/forecasts").json(),
            "areas": {c: client.get(f"/areas/{c}.json").json() for c in (ws.region_code, *ws.districts)},
            "map": {lv: client.get(f"/map.json?indicator=gigabit&level={lv}").json() for lv in ("lad", "ward")},
        }
    cli_run = CliRunner().invoke(cli, ["metrics", "forecasts", "--format", "json", "-w", str(built_workspace)])
    assert cli_run.exit_code == 0, cli_run.output
    got["cli"] = json.loads(cli_run.stdout)
    with Store(built_store_path) as store:
        year = max(int(r["as_of"][:4]) for r in store.releases() if r["as_of"])
        got["report"] = coverage(store, year, ws.metrics)
        got["report_maps"] = coverage_maps(store, year, targets=ws.metrics)
    got["ws"] = ws
    return got


def _key(s: dict) -> tuple:
    """What a reader is told: the target, its date, the status and when the trend reaches it."""
    return (s["value"], s["date"], s["status"], s["reaches"])


def test_every_view_gives_each_area_the_same_standing_against_each_target(views):
    ws = views["ws"]
    targets = {t.indicator: t for t in ws.metrics.targets}
    shown = [i for i in HEADLINE if i in targets]
    assert shown, "the bundled workspace sets targets for headline indicators"
    overview = {views["overview"]["region"]["code"]: views["overview"]["region"]}
    overview |= {d["code"]: d for d in views["overview"]["districts"]}
    report = {r["code"]: r for r in [views["report"]["region"], *views["report"]["districts"]]}
    forecasts = {(f["area_code"], f["indicator"]): f for f in views["forecasts"]["forecasts"]}
    cli_rows = {(f["area_code"], f["indicator"]): f for f in views["cli"]}
    metric_rows = {(m["source"]["area"], m["source"]["indicator"]): m
                   for g in views["metrics"]["groups"] for m in g["metrics"] if m["source"]["kind"] == "store"}
    compared = 0
    for code in (ws.region_code, *ws.districts):
        profile = {f["indicator"]: f for f in views["areas"][code]["figures"]}
        for ind in shown:
            answers = {
                "overview": overview[code]["figures"][ind]["standing"],
                "area page": profile[ind]["standing"],
                "report": report[code]["figures"][ind]["standing"],
                "forecasts API": forecasts[(code, ind)],
                "metrics forecasts command": cli_rows[(code, ind)],
            }
            keys = {name: _key(a) for name, a in answers.items()}
            assert len(set(keys.values())) == 1, f"{ind} for {code}: {keys}"
            # the strategy metric of the same indicator and area: the same target, date and status
            m = metric_rows[(code, ind)]
            assert (m["target"]["value"], m["target"]["date"], m["status"]) == keys["overview"][:3], (ind, code)
            assert (m["reaches"] or "")[:7] == (keys["overview"][3] or ""), (ind, code)
            # and the target is the one the metrics file sets, not another
            assert keys["overview"][0] == targets[ind].value_for(code)
            compared += 1
    assert compared == len(shown) * (1 + len(ws.districts))


def test_the_dashboard_map_and_the_printed_map_class_the_same_figures_the_same_way(views):
    printed = {m["level"]: m for m in views["report_maps"]}
    for level, page in views["map"].items():
        if level not in printed:
            continue
        dashboard = page["legend"]
        # the printed legend lists classes best first, each by its members' lowest and highest figure
        paper = sorted(printed[level]["legend"], key=lambda c: c["low"])
        assert [e["count"] for e in dashboard] == [c["count"] for c in paper], level
        for e, c in zip(dashboard, paper, strict=True):
            assert e["from"] <= round(c["low"], 1) <= round(c["high"], 1) <= e["to"], (level, e, c)


def test_the_sites_lit_metric_and_the_programme_pages_give_one_completion_forecast(tmp_path: Path):
    """A register lighting two sites a month: the metric, /programme, the report's programme
    section and `sites progress` name the same month for the target and the same 'as of' date."""
    from tests.conftest import copy_workspace

    root = copy_workspace(tmp_path / "ws", {"target = 1400": "target = 30"})
    run = CliRunner().invoke(cli, ["records", "upgrade", "-w", str(root)])
    assert run.exit_code == 0, run.output
    from observatory.app import Observatory
    from observatory.programme import models
    from observatory.records.users import add_user

    obs = Observatory.open(root)
    with obs.records.session() as s:
        add_user(s, "setup", "ada", "Tq8-vexing-lantern-41", "admin")
        for i in range(30):
            models.add_site(s, "ada", f"T-{i:03d}", name=f"Site {i}", kind="school", lat=53.8, lon=-1.55,
                            easting=429700.0 + i, northing=433900.0)
            models.set_status(s, "ada", f"T-{i:03d}", "planned", date(2025, 1, 1))
        # 12 sites lit, two in each month from April to September 2025; the last event: 30 September
        for i in range(12):
            models.set_status(s, "ada", f"T-{i:03d}", "lit", date(2025, 4 + i // 2, 10))
        models.set_status(s, "ada", "T-029", "surveyed", date(2025, 9, 30))
    # by hand: 12 lit in April-September (6 complete months as of 30 September) = 2 a month;
    # 18 left / 2 = 9 months after 30 September 2025 = the end of June 2026
    expected = "2026-06"
    from observatory.strategy.board import open_board

    metric = open_board(obs.workspace, records=obs.records).one("sites-lit")
    assert metric["reaches"][:7] == expected and metric["latest_date"] == "2025-09-30"
    with TestClient(create_app(_fixture_store(tmp_path), root)) as client:
        page = client.get("/programme.json").json()
    assert page["progress"]["forecast"]["reaches"] == expected and page["progress"]["as_of"] == "2025-09-30"
    progress_run = CliRunner().invoke(cli, ["sites", "progress", "-w", str(root)])
    assert "June 2026" in progress_run.stdout and "30 September 2025" in progress_run.stdout
    obs.close()


def _fixture_store(tmp_path: Path) -> Path:
    from tests.web.fixture_store import make_store

    return make_store(tmp_path / "store.duckdb")
