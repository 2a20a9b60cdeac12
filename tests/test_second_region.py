"""A second region, end to end: South Yorkshire (E47000002), which the project does not bundle, from
`observatory init --region` and the bundled national files alone, built and read as a user would.

Expected figures are worked out here from the publishers' files: the combined authority's members
from ONS's lookup, their premises from Ofcom's district table (matched by name, since Ofcom still
lists Barnsley and Sheffield under their codes before April 2024)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from observatory.cli import app

from .conftest import WORKSPACE

pytestmark = pytest.mark.slow

runner = CliRunner()
DATA = WORKSPACE / "data"
REGION = "E47000002"
WEST_YORKSHIRE = ("West Yorkshire", "Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield")


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
