"""A second region, end to end: South Yorkshire (E47000002), which the project does not bundle, from
`observatory init --region` and the bundled national files alone, built and read as a user would:
its command output, every dashboard page and the annual report hold no West Yorkshire name or
figure, and each level it lacks says what to add to get it.

Expected figures are worked out here from the publishers' files: the combined authority's members
from ONS's lookup, their premises from Ofcom's district table (matched by name, since Ofcom still
lists Barnsley and Sheffield under their codes before April 2024), and ONS's own published
aggregate for the combined authority (tests/data, copied from ONS's file; the bundled series leaves
aggregates out)."""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from observatory import workspace
from observatory.app import Observatory
from observatory.cli import app
from observatory.cli.common import out
from observatory.programme import models
from observatory.records.users import add_user
from observatory.report import write_report
from observatory.web.app import create_app

from .conftest import WORKSPACE

pytestmark = pytest.mark.slow

runner = CliRunner()
DATA = WORKSPACE / "data"
REGION = "E47000002"
WEST_YORKSHIRE = ("West Yorkshire", "Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield")
ONS_AGGREGATES = Path(__file__).parent / "data" / "ons_gigabit_aggregates_2024-07.csv"


def _run(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "250"})


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _members() -> dict[str, str]:
    """The combined authority's districts (code -> name), from ONS's lookup."""
    return {r["LAD25CD"]: r["LAD25NM"] for r in _csv(DATA / "lookups" / "lad25_cauth25_en.csv")
            if r["CAUTH25CD"] == REGION}


def _ofcom_2025() -> dict[str, dict[str, str]]:
    """Ofcom's July 2025 district table, by district name."""
    return {r["laua_name"]: r for r in _csv(DATA / "coverage" / "ofcom_202507_fixed_laua_coverage_r01.csv")}


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("second") / "south-yorkshire"
    init = _run("init", str(folder), "--region", REGION)
    assert init.exit_code == 0, init.output
    build = _run("build", str(folder))
    assert build.exit_code == 0, build.output
    return folder


def _no_west_yorkshire(text: str, what: str) -> None:
    flat = " ".join(text.split())
    for name in WEST_YORKSHIRE:
        assert name not in flat, f"{name} in {what}"


def test_combined_authority_gigabit_is_the_sum_of_its_districts_in_ofcoms_table(region):
    members = _members()
    assert sorted(members.values()) == ["Barnsley", "Doncaster", "Rotherham", "Sheffield"]
    ofcom = _ofcom_2025()
    with_gigabit = sum(int(ofcom[n]["Number of premises with Gigabit availability"]) for n in members.values())
    premises = sum(int(ofcom[n]["All Premises"]) for n in members.values())

    result = _run("figures", "--level", "ca", "--indicator", "gigabit", "--release", "2025-07", "--area", REGION,
                  "--format", "json", "-w", str(region))
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert row["area_name"] == "South Yorkshire"
    assert row["numerator"] == with_gigabit
    assert row["denominator"] == premises
    assert row["value"] == pytest.approx(100 * with_gigabit / premises)
    assert row["synthetic"] is False
    # ONS publishes an aggregate for combined authorities in its own files; where the bundled series
    # holds it, the two must agree to its one decimal place.
    ons = [r for r in _csv(DATA / "coverage" / "ons_els_gigabit_capable_broadband_la_timeseries.csv")
           if r["area_code"] == REGION and r["period"] == "2025-07"]
    for r in ons:
        assert row["value"] == pytest.approx(float(r["gigabit_pct_premises"]), abs=0.05)


def test_every_district_is_ofcoms_published_figure(region):
    ofcom = _ofcom_2025()
    result = _run("figures", "--level", "lad", "--indicator", "sfbb", "--release", "2025-07", "--within", REGION,
                  "--format", "json", "-w", str(region))
    assert result.exit_code == 0, result.output
    rows = {r["area_name"]: r for r in json.loads(result.stdout)}
    assert sorted(rows) == sorted(_members().values())
    for name, r in rows.items():
        assert r["method"] == "published"
        assert r["numerator"] == int(ofcom[name]["Number of premises with SFBB availability"]), name
        assert r["denominator"] == int(ofcom[name]["All Premises"]), name


def test_nothing_of_west_yorkshire_in_what_the_commands_print(region):
    ws = str(region)
    commands = {
        "headline": ("headline", ws),
        "figures": ("figures", "--level", "lad", "--indicator", "gigabit", "--within", REGION, "-w", ws),
        "figures (region)": ("figures", "--level", "ca", "--indicator", "full_fibre", "--area", REGION, "-w", ws),
        "figures json": ("figures", "--level", "lad", "--indicator", "gigabit", "--within", REGION, "--format", "json",
                         "-w", ws),
        "check": ("check", "-w", ws),
        "check json": ("check", "--format", "json", "-w", ws),
        "sources": ("sources", "-w", ws),
    }
    for what, args in commands.items():
        result = _run(*args)
        assert result.exit_code == 0, (what, result.output)
        _no_west_yorkshire(result.output, what)
    headline = _run("headline", ws).stdout
    for name in ("South Yorkshire", *_members().values()):
        assert name in headline
    _no_west_yorkshire((region / "observatory.toml").read_text(encoding="utf-8"), "observatory.toml")


def test_check_says_what_it_compared_for_a_district_level_workspace(region):
    result = _run("check", "-w", str(region))
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "All roll-ups match" not in text
    # no small areas: nothing rolled up from them, and it says so and what to add
    assert "No figure rolled up from smaller areas could be compared" in text
    assert "output-area file" in text
    # ONS's series and Ofcom's tables give the same district gigabit figures for three months
    months = {r["period"] for r in _csv(DATA / "coverage" / "ons_els_gigabit_capable_broadband_la_timeseries.csv")}
    ofcom_months = {f"{p.name[6:10]}-{p.name[10:12]}" for p in (DATA / "coverage").glob("ofcom_*_fixed_laua_*.csv")}
    shared = sorted(months & ofcom_months)
    assert shared
    assert f"figures published by both Ofcom and Office for National Statistics (gigabit; {', '.join(shared)}): all agree." in text


def test_sources_lists_the_boundaries_and_lookups_with_their_vintages(region):
    result = _run("sources", "-w", str(region))
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Local authority district boundaries" in text and "LAD 2025" in text
    assert "uk_lad2025_bgc.geojson.gz" in text
    regions = {r["RGN25CD"] for r in _csv(DATA / "lookups" / "lad25_rgn25_en.csv")}
    authorities = {r["CAUTH25CD"] for r in _csv(DATA / "lookups" / "lad25_cauth25_en.csv")}
    assert "District to English region lookup" in text and "RGN 2025" in text
    assert f"{len(regions)} English regions" in text
    assert "District to combined authority lookup" in text and "CAUTH 2025" in text
    assert f"{len(authorities)} combined authorities" in text
    # each lookup keeps its licence and attribution, as ONS asks them to be given
    for block in text.split("\n\n"):
        if block.lstrip().startswith("District to"):
            assert "licence      Open Government Licence v3.0" in block, block
            # (a long cell may wrap at the terminal's width)
            assert ("Source: Office for National Statistics licensed under the Open Government Licence v3.0"
                    in " ".join(block.replace("attribution", "").split())), block


def _west_yorkshire_figures() -> tuple[str, ...]:
    """West Yorkshire's own figures as the bundled demo prints them: its combined authority's July
    2025 premises and gigabit premises (summed from Ofcom's district table), and its programme's
    site count."""
    members = {r["LAD25NM"] for r in _csv(DATA / "lookups" / "lad25_cauth25_en.csv") if r["CAUTH25CD"] == "E47000003"}
    ofcom = [r for r in _csv(DATA / "coverage" / "ofcom_202507_fixed_laua_coverage_r01.csv") if r["laua_name"] in members]
    premises = sum(int(r["All Premises"]) for r in ofcom)
    gigabit = sum(int(r["Number of premises with Gigabit availability"]) for r in ofcom)
    return f"{premises:,}", f"{gigabit:,}", "E47000003", "1,400"


def _text(html: str) -> str:
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'data:[a-z/+]+;base64,[A-Za-z0-9+/=]+', " ", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_combined_authority_gigabit_equals_the_aggregate_ons_publishes(region):
    [ons] = [r for r in _csv(ONS_AGGREGATES) if r["AREACD"] == REGION]
    assert ons["Geography"] == "Combined Authority or City Region"
    result = _run("figures", "--level", "ca", "--indicator", "gigabit", "--release", ons["Period"], "--area", REGION,
                  "--format", "json", "-w", str(region))
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    # ONS rounds to one decimal place: the observatory's figure is ONS's to within that rounding
    assert row["value"] == pytest.approx(float(ons["Observation"]), abs=0.05)


@pytest.fixture(scope="module")
def pages(region: Path):
    ws = workspace.load(region)
    with TestClient(create_app(ws.store_path, ws.root), raise_server_exceptions=False) as client:
        yield client


def _dashboard_paths(region: Path) -> list[str]:
    members = _members()
    return [
        "/", "/map", "/map?level=ward", "/map?level=lsoa&indicator=gigabit", "/changes", "/changes?level=ward",
        "/inclusion", "/takeup", "/programme", "/programme/sites", "/challenges", "/metrics", "/oversight",
        "/actions", "/shared-care-record", "/report", "/sources", "/search", f"/search?q={next(iter(members.values()))}",
        "/glossary", f"/areas/{REGION}", *(f"/areas/{code}" for code in members),
        "/api/v1/overview", f"/api/v1/figures?indicator=gigabit&level=lad&within={REGION}",
        "/api/v1/figures?indicator=sfbb&level=ward", "/glossary.json", "/map.json?level=ward", "/sources.json",
    ]


def test_no_dashboard_page_names_west_yorkshire_or_its_figures(region, pages):
    figures = _west_yorkshire_figures()
    for path in _dashboard_paths(region):
        page = pages.get(path)
        assert page.status_code != 500, (path, page.text[:500])
        text = _text(page.text)
        _no_west_yorkshire(text, path)
        for figure in figures:
            assert figure not in text, (figure, path)
    overview = _text(pages.get("/").text)
    for name in ("South Yorkshire", *_members().values()):
        assert name in overview


def test_the_glossary_gives_the_regions_own_places(pages):
    terms = {t["id"]: t["definition"] for t in pages.get("/glossary.json").json()["terms"]}
    members = sorted(_members().values())
    assert f"South Yorkshire has four: {', '.join(members[:-1])} and {members[-1]}." in terms["district"]
    assert "South Yorkshire is one; it covers four districts." in terms["combined-authority"]
    regions = {r["RGN25NM"] for r in _csv(DATA / "lookups" / "lad25_rgn25_en.csv") if r["LAD25CD"] in _members()}
    assert regions == {"Yorkshire and The Humber"}
    assert "here the combined authority, South Yorkshire" in terms["region"]
    assert "(Yorkshire and The Humber here)" in terms["region"]
    # no output areas and no target: the glossary says what to add, and sets no target of its own
    assert "This observatory has no output areas yet: they need Ofcom's output-area file" in terms["output-area"]
    assert "target" not in terms["superfast"]


def test_a_level_the_workspace_lacks_says_what_to_add_everywhere(region, pages, report):
    dataset = '"Wards (May 2025) Boundaries UK BGC"'
    cli = _run("figures", "--level", "ward", "--indicator", "gigabit", "-w", str(region))
    assert cli.exit_code == 2
    said = " ".join(cli.stderr.split())
    for words in ("This workspace has no electoral wards", dataset, "[boundaries.ward]", "Ofcom",
                  "Open Government Licence v3.0", "ofcom-small-area-zip"):
        assert words in said, words
    assert "in this store" not in said

    api = pages.get("/api/v1/figures", params={"indicator": "gigabit", "level": "ward"})
    assert api.status_code == 404
    assert "This workspace has no electoral wards" in api.json()["error"]["message"]
    assert dataset in api.json()["error"]["message"]

    for path in ("/map?level=ward", "/changes?level=ward"):
        text = _text(pages.get(path).text).replace("&#34;", '"').replace("&quot;", '"')
        assert "This workspace has no electoral wards" in text, path
        assert dataset in text, path
        assert "not published by" not in text, path

    text = _text(report).replace("&#34;", '"').replace("&quot;", '"')
    assert "This workspace has no electoral wards" in text and dataset in text
    for officers_words in ("[boundaries", "[[sources]]", "observatory.toml", "`observatory ", "records upgrade"):
        assert officers_words not in text, officers_words  # the board's paper names no setting or command


@pytest.fixture(scope="module")
def report(region: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    written = write_report(workspace.load(region), out=tmp_path_factory.mktemp("report"), formats=("html",))
    return written.html.read_text(encoding="utf-8")


def test_the_report_names_nothing_of_west_yorkshire(report):
    text = _text(report)
    _no_west_yorkshire(text, "the report")
    for figure in _west_yorkshire_figures():
        assert figure not in text, figure
    assert "South Yorkshire" in text
    for name in _members().values():
        assert name in text


def test_reach_without_small_areas_or_a_register_says_why_and_exits_1(region):
    result = _run("reach", "-w", str(region))
    assert result.exit_code == 1, result.output
    said = " ".join(result.stderr.split())
    assert said.startswith("No backbone reach to show:")
    assert "[postcodes]" in said and "ofcom-small-area-zip" in said
    assert "Traceback" not in result.output
    _no_west_yorkshire(result.output, "reach")


@pytest.mark.parametrize("seed", ["records", "sites", "metrics"])
def test_the_demo_seeds_refuse_another_workspace(region, seed):
    result = _run(seed, "seed-demo", "-w", str(region))
    assert result.exit_code == 2, result.output
    said = " ".join(result.stderr.split())
    assert "not the demo workspace, so nothing was added" in said
    assert "--allow-other-workspace" in said


def test_the_demo_seeded_elsewhere_on_request_carries_the_demos_name(region, tmp_path, monkeypatch):
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", f"sqlite:///{tmp_path / 'records.sqlite'}")
    assert _run("records", "upgrade", "-w", str(region)).exit_code == 0
    seeded = _run("records", "seed-demo", "--allow-other-workspace", "-w", str(region))
    assert seeded.exit_code == 0, seeded.output
    exported = _run("actions", "export", "-w", str(region))
    assert exported.exit_code == 0, exported.output
    actions = list(csv.DictReader(exported.stdout.splitlines()))
    assert actions and all(a["resolution"].startswith("West Yorkshire example: ") for a in actions)
    assert all("West Yorkshire example" in a["meeting_body"] for a in actions)
    listed = _run("actions", "list", "-w", str(region)).stdout
    assert listed.count("West Yorkshire example") == len(actions)  # on every row, as the list shows it

    sites = _run("sites", "seed-demo", "--allow-other-workspace", "--no-build", "-w", str(region))
    assert sites.exit_code == 0, sites.output
    exported = list(csv.DictReader(_run("sites", "export", "-w", str(region)).stdout.splitlines()))
    assert exported and all(r["name"].startswith("West Yorkshire example: ") for r in exported)
    # the workspace sets no programme target: progress says so rather than borrow the demo's
    progress = _run("sites", "progress", "-w", str(region))
    assert progress.exit_code == 1, progress.output
    said = " ".join(progress.stderr.split())
    assert said.startswith("No progress against a plan to show: this workspace sets no programme target")
    assert "[programme]" in said
    assert f"{len(exported):,}" not in progress.output


def test_a_lit_site_in_a_workspace_without_small_areas_leaves_every_figure_readable(region, tmp_path, monkeypatch):
    """A council starts its register before it has small-area data: the first lit site has no
    premises to reach, so backbone reach is not written (and `check` says so), and every other
    figure still reads."""
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", f"sqlite:///{tmp_path / 'records.sqlite'}")
    monkeypatch.setattr(out, "width", 250)  # the findings table whole, whatever width the console began with
    assert _run("records", "upgrade", "-w", str(region)).exit_code == 0
    obs = Observatory.open(region)
    with obs.records.session() as s:
        add_user(s, "setup", "ann", "Tq8-vexing-lantern-41", "editor")
        models.add_site(s, "ann", "SY-0001", name="Town Hall", kind="council building", lat=53.38, lon=-1.47)
        models.set_status(s, "ann", "SY-0001", "planned", date(2025, 1, 6))
        models.set_status(s, "ann", "SY-0001", "lit", date(2025, 9, 1))
    obs.close()
    for command in (["headline"], ["figures", "--level", "lad", "--indicator", "gigabit"], ["check"]):
        result = _run(*command, "-w", str(region))
        assert result.exception is None or isinstance(result.exception, SystemExit), (command, result.exception)
        assert result.exit_code in (0, 1), (command, result.output)
    said = " ".join(_run("check", "-w", str(region)).output.split())
    assert "backbone reach not written" in said


def test_a_valid_postcode_in_a_workspace_without_postcodes_says_what_to_add(pages):
    """Sheffield's town hall postcode is real; the workspace has no postcode directory, so the
    answer is what to add, not "check the postcode"."""
    for path in ("/postcodes/S1%202HH", "/api/v1/postcodes/S1%202HH"):
        r = pages.get(path)
        said = " ".join(_text(r.text).split())
        assert r.status_code == 404, path
        assert "No figures by postcode here" in said and "Check the postcode" not in said, (path, said[:300])


def test_the_map_says_small_levels_are_not_in_this_dashboard_rather_than_not_for_the_indicator(pages):
    page = " ".join(_text(pages.get("/map?indicator=gigabit").text).split())
    assert "Ward (none in this dashboard)" in page and "(not for this indicator)" not in page


def test_the_challenge_form_says_it_cannot_take_reports_before_anything_is_typed(pages):
    """No records database yet: the resident is told on the form, not after sending."""
    form = pages.get("/challenges/report")
    assert form.status_code == 200
    said = " ".join(_text(form.text).split())
    assert "cannot take reports yet" in said and 'action="/challenges/report"' not in form.text
    sent = pages.post("/challenges/report", data={"postcode": "S1 2HH", "consent": "yes"})
    assert sent.status_code == 503 and "cannot take reports yet" in sent.text


def test_take_up_without_an_index_says_why_small_areas_are_missing(pages):
    said = " ".join(_text(pages.get("/takeup").text).split())
    assert "This dashboard cannot do that yet. This dashboard has no exclusion-risk index" in said
    assert "means ;" not in said and "No areas have both" not in said


def test_pages_that_need_records_say_none_are_kept_yet(pages):
    """A new council's dashboard before it starts its records: said plainly, never "restore it"."""
    for path in ("/programme", "/actions", "/shared-care-record", "/api/v1/sites"):
        r = pages.get(path)
        said = " ".join(_text(r.text).split())
        assert r.status_code in (200, 404), (path, r.status_code)
        assert "No records are kept" in said or "no sites" in said.lower(), (path, said[:300])
        assert "restore" not in said and "Traceback" not in said, path
