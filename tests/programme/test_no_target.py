"""A workspace that sets no programme target has none (issue 22): the code holds no target and no
plan dates of its own. The page, the API, `sites progress` and the report count the sites lit and
say that no target is set, with no target figure and no planned line; the bundled workspace still
shows the target its own settings give."""

from __future__ import annotations

import json
import re
import tomllib
import warnings
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from observatory import workspace
from observatory.cli import app as cli_app
from observatory.errors import ConfigError
from observatory.programme import models, trajectory
from observatory.programme.progress import NO_TARGET, completion
from observatory.report.render import environment
from observatory.report.sections import programme as report_section
from observatory.store import Store
from observatory.web.programme_svg import progress_svg
from observatory.workspace import ProgrammeConfig
from observatory.workspace.programme import PLAN_KEYS, parse
from tests.conftest import WORKSPACE, copy_workspace
from tests.web.test_plain_words import findings, text_of

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from observatory.web.app import create_app

BUNDLED = tomllib.loads((WORKSPACE / "observatory.toml").read_text(encoding="utf-8"))["programme"]
NO_TARGET_WORDS = "No target has been set for the programme"
runner = CliRunner()


def _without_target(root: Path) -> Path:
    """A copy of the bundled workspace whose [programme] sets no target or dates (the reach distance
    stays), and whose metrics leave out the programme's sites-lit metric, which needs a target."""
    text = (WORKSPACE / "observatory.toml").read_text(encoding="utf-8")
    section = text[text.index("\n[programme]\n") + 1:]
    section = section[:re.search(r"^\[", section[1:], re.M).start() + 1]
    lines = [re.search(rf"^{key} = .*\n", section, re.M).group(0) for key in PLAN_KEYS]
    root = copy_workspace(root, dict.fromkeys(lines, ""))
    metrics = (root / "metrics.toml").read_text(encoding="utf-8").split("\n[[metric]]\n")
    kept = [m for m in metrics if not re.search(r'^source = .*figure = "programme_sites_lit"', m, re.M)]
    assert len(kept) == len(metrics) - 1
    (root / "metrics.toml").write_text("\n[[metric]]\n".join(kept), encoding="utf-8")
    return root


def _site(sid: str, kind: str, steps: list[tuple[str, str]]) -> dict:
    return {"id": sid, "kind": kind, "district_code": "E08000035", "illustrative": False,
            "history": [{"status": s, "date": d} for s, d in steps]}


# --- the settings ----------------------------------------------------------------------------

def test_no_table_or_a_table_without_a_target_means_no_target(tmp_path: Path) -> None:
    for table in ({}, {"reach_distance_m": 300}):
        cfg = parse(tmp_path / "observatory.toml", table)
        assert not cfg.has_target and not cfg.has_plan
        assert (cfg.target, cfg.start_date, cfg.target_date) == (None, None, None)
    assert parse(tmp_path / "observatory.toml", {"reach_distance_m": 300}).reach_distance_m == 300
    assert ProgrammeConfig() == parse(tmp_path / "observatory.toml", {})  # the code's own settings: no target


def test_a_target_without_its_dates_is_refused_naming_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="sets target but not start_date, target_date"):
        parse(tmp_path / "observatory.toml", {"target": 10})
    with pytest.raises(ConfigError, match="sets start_date, target_date but not target"):
        parse(tmp_path / "observatory.toml", {"start_date": "2020-01-01", "target_date": "2021-01-01"})


def test_the_bundled_workspace_states_its_target_and_dates() -> None:
    assert set(PLAN_KEYS) <= set(BUNDLED)
    cfg = workspace.load(WORKSPACE).programme
    assert cfg.has_plan and cfg.target == BUNDLED["target"]
    assert (cfg.start_date, cfg.target_date) == (date.fromisoformat(BUNDLED["start_date"]),
                                                 date.fromisoformat(BUNDLED["target_date"]))


def test_a_sites_lit_metric_without_a_programme_target_is_refused(tmp_path: Path) -> None:
    root = _without_target(tmp_path / "ws")
    (root / "metrics.toml").write_text((WORKSPACE / "metrics.toml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError, match="sets no programme target"):
        workspace.load(root).metrics  # noqa: B018 - a broken metrics file is raised when the metrics are read


# --- progress and the chart ----------------------------------------------------------------

def test_progress_without_a_target_counts_the_sites_and_plans_nothing() -> None:
    sites = [_site("A-1", "school", [("planned", "2020-01-01"), ("lit", "2021-05-01")]),
             _site("A-2", "library", [("planned", "2020-06-01"), ("surveyed", "2021-01-10")]),
             _site("A-3", "school", [("planned", "2020-02-01"), ("withdrawn", "2020-09-01")])]
    lit = sum(any(c["status"] == "lit" for c in s["history"]) for s in sites)
    withdrawn = sum(any(c["status"] == "withdrawn" for c in s["history"]) for s in sites)
    p = trajectory.progress(sites, ProgrammeConfig(), as_of=date(2021, 5, 31))
    assert (p["lit"], p["withdrawn"], p["in_programme"]) == (lit, withdrawn, len(sites) - withdrawn)
    assert (p["target"], p["start_date"], p["target_date"]) == (None, None, None)
    assert p["target_reason"] == NO_TARGET and p["planned_now"] is None and p["behind_plan_by"] is None
    assert p["run_rate_needed_per_month"] is None and p["target_beyond_register"] is False
    assert all(m["planned"] is None for m in p["series"]) and p["series"][0]["month"] == "2020-01"
    f = p["forecast"]
    assert f["target"] is None and f["goal"] == p["in_programme"] and f["target_date"] is None
    assert f"all {p['in_programme']} sites in the programme" in f["words"] and "target" not in f["words"]
    chart = progress_svg(p["series"], p["target"])
    assert "stroke-dasharray" not in chart and "planned" not in chart and "no target has been set" in chart


def test_the_forecast_without_a_target_is_for_every_site_in_the_programme() -> None:
    # 6 sites lit in April to September 2025 (1 a month): 10 of the 14 in the programme lit by then
    lit = [date(2024, 1, 1)] * 4 + [date(2025, 4, 10)] * 3 + [date(2025, 9, 1)] * 3
    c = completion(lit, in_programme=14, withdrawn=2, target=None, target_date=None, as_of=date(2025, 9, 30))
    assert c.target is None and c.goal == 14 and c.needed_per_month is None and c.target_date is None
    # 4 left at 1 a month: four months after 30 September 2025, at the end of January 2026
    assert c.reaches == "2026-01" and "at that rate all 14 sites in the programme are lit by January 2026" in c.words
    empty = completion([], in_programme=0, withdrawn=0, target=None, target_date=None, as_of=date(2025, 9, 30))
    assert "holds no site still in the programme" in empty.words and "had been lit" not in empty.words


# --- the page, the API, the CLI and the report -----------------------------------------------

def test_an_empty_register_says_so(web) -> None:
    answer = _answer(web.get("/programme").text)
    assert "register has no sites yet" in answer and "No target has been set" in answer
    assert "0 of the 0" not in answer and "had been lit" not in answer


@pytest.fixture
def web_over(records, store_path: Path):
    """A test client over the fixture store and the records database, with the settings of a
    workspace folder."""
    clients = []

    def client(root: Path) -> TestClient:
        application = create_app(store_path, root)
        application.state.records_url = records.url
        clients.append(TestClient(application, raise_server_exceptions=False))
        return clients[-1].__enter__()

    yield client
    for c in clients:
        c.__exit__(None, None, None)


def _answer(html: str) -> str:
    return text_of(html[html.index('id="answer"'):html.index('id="progress-table"')])


def test_the_page_and_the_api_say_no_target_is_set(web_over, sites, tmp_path: Path) -> None:
    web = web_over(_without_target(tmp_path / "ws"))
    page = web.get("/programme")
    assert page.status_code == 200, page.text
    answer = _answer(page.text)
    # three sites registered, one withdrawn, one lit
    assert "1 of the 2 sites in the programme is lit" in answer and NO_TARGET_WORDS in answer
    assert findings(answer) == []  # no settings key, date or module name in front of a reader
    assert f"{BUNDLED['target']:,}" not in page.text and "stroke-dasharray" not in page.text
    assert "Planned</th>" not in page.text and "planned trajectory" not in page.text
    api = web.get("/api/v1/programme/progress").json()
    assert api["target"] is None and api["target_reason"] == NO_TARGET and api["planned_now"] is None
    assert (api["lit"], api["in_programme"]) == (1, 2)
    scenario = web.get("/programme/scenario").text
    assert "e.g. WY-" in scenario and all(sid in sites for sid in re.findall(r"WY-[A-Z]+-\d+", scenario))


def test_the_bundled_workspace_shows_its_own_target(web_over, sites, tmp_path: Path) -> None:
    web = web_over(copy_workspace(tmp_path / "ws"))
    page = web.get("/programme")
    assert f"<strong>1 of {BUNDLED['target']:,}</strong>" in page.text and NO_TARGET_WORDS not in page.text
    assert "stroke-dasharray" in page.text  # the planned trajectory
    api = web.get("/api/v1/programme/progress").json()
    assert api["target"] == BUNDLED["target"] and api["target_reason"] is None
    assert api["target_date"] == BUNDLED["target_date"]


def test_sites_progress_without_a_target_counts_and_says_why(records_url, sites, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", records_url)
    result = runner.invoke(cli_app, ["sites", "progress", "-w", str(_without_target(tmp_path / "ws"))])
    assert result.exit_code == 1, result.output  # a script notices there is no plan to measure against
    said = " ".join(result.stdout.split())
    assert "1 of the 2 sites in the programme lit; 1 withdrawn" in said
    told = " ".join(result.stderr.split())
    assert told.startswith("No progress against a plan to show: this workspace sets no programme target")
    assert "target_date" in told  # the setting, named for the officer
    assert f"{BUNDLED['target']:,}" not in result.output
    bundled = runner.invoke(cli_app, ["sites", "progress", "-w", str(copy_workspace(tmp_path / "bundled"))])
    assert bundled.exit_code == 0, bundled.output
    assert f"1 of {BUNDLED['target']:,} sites lit" in " ".join(bundled.stdout.split())


def _report_section(cfg: ProgrammeConfig, folder: Path, store_path: Path) -> tuple[dict, str]:
    with Store(store_path) as store:
        section = report_section.gather(SimpleNamespace(workspace=SimpleNamespace(root=folder, programme=cfg),
                                                        store=store, year=2025))
    html = environment().get_template("sections/programme.html").render(s=section)
    return section.data, text_of(html)


def test_the_report_section_says_no_target_is_set(records_url, sites, store_path: Path, monkeypatch,
                                                  tmp_path: Path) -> None:
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", records_url)
    data, text = _report_section(workspace.load(_without_target(tmp_path / "ws")).programme, tmp_path, store_path)
    assert data["target"] is None and data["reach_region"]["premises"] > 0  # reach is still given
    assert "1 of the 2 sites in the programme was lit" in text and NO_TARGET_WORDS in text
    assert "Planned" not in text and f"{BUNDLED['target']:,}" not in text and findings(text) == []
    data, text = _report_section(workspace.load(WORKSPACE).programme, tmp_path, store_path)
    assert f"the programme's target of {BUNDLED['target']:,} sites" in text and NO_TARGET_WORDS not in text


def test_the_register_notices_name_no_module(records) -> None:
    from observatory.programme import register_io

    with records.session() as s:
        models.add_site(s, "demo-seed", "WY-SCH-0001", name="A school", kind="school", lat=53.8, lon=-1.55,
                        easting=429700.0, northing=433900.0, illustrative=True)
        models.set_status(s, "demo-seed", "WY-SCH-0001", "planned", date(2020, 1, 1), illustrative=True)
    with records.session() as s:
        notice = json.loads(register_io.export_geojson(s))["notice"]
    assert "made up" in notice and not re.search(r"\bobservatory\.[a-z_]+\.[a-z_]+", notice)
