"""`observatory init DIR --region CODE`: a workspace for another region, written from the national
files the observatory bundles, that loads as it stands; and the messages around it.

Expected districts and files are read here from the bundled ONS lookups and the bundled folder,
not from the code under test."""

from __future__ import annotations

import csv
import filecmp
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from observatory import workspace
from observatory.cli import app

from . import corpus
from .conftest import WORKSPACE

runner = CliRunner()
DATA = WORKSPACE / "data"
CA_LOOKUP = DATA / "lookups" / "lad25_cauth25_en.csv"
RGN_LOOKUP = DATA / "lookups" / "lad25_rgn25_en.csv"
WEST_YORKSHIRE = ("West Yorkshire", "Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield")
OPTIONAL_BLOCKS = ("[boundaries.oa]", "[boundaries.lsoa]", "[boundaries.msoa]", "[boundaries.ward]", "[postcodes]",
                   "[msoa_names]", "[inclusion]", "[programme]", "[metrics]", "[records]")


def _run(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "250"})


def _members(lookup: Path, code_col: str, code: str) -> dict[str, str]:
    with lookup.open(encoding="utf-8") as f:
        return {r["LAD25CD"]: r["LAD25NM"] for r in csv.DictReader(f) if r[code_col] == code}


def _commented(text: str, block: str) -> bool:
    return any(line.strip() == f"# {block}" for line in text.splitlines())


def test_a_combined_authority_gets_its_districts_and_every_national_file(tmp_path):
    folder = tmp_path / "south-yorkshire"
    result = _run("init", str(folder), "--region", "E47000002")
    assert result.exit_code == 0, result.output
    expected = _members(CA_LOOKUP, "CAUTH25CD", "E47000002")
    assert len(expected) == 4
    for name in expected.values():
        assert name in result.stdout

    ws = workspace.load(folder)  # loads as written: every file it names is there
    assert ws.region_code == "E47000002"
    assert ws.name == "South Yorkshire"
    assert sorted(ws.districts) == sorted(expected)
    assert {lk.level for lk in ws.lookups} == {"rgn", "ca"}
    # ONS's licence and attribution travel with each lookup (and `sources` shows them)
    assert all(lk.licence == "Open Government Licence v3.0" for lk in ws.lookups)
    assert all(lk.attribution.startswith("Source: Office for National Statistics") for lk in ws.lookups)
    assert ws.boundaries["lad"].vintage == "LAD 2025"
    # every file lives inside the new folder (self-contained), byte for byte the bundled one
    for path in ws.input_files():
        assert path.resolve().is_relative_to(folder.resolve()), path
        if path.name != workspace.CONFIG_NAME:
            bundled = next(DATA.rglob(path.name))
            assert filecmp.cmp(path, bundled, shallow=False), path.name
    # Ofcom's district table of every bundled release, take-up, and the ONS series
    bundled_months = sorted(f"{p.name[6:10]}-{p.name[10:12]}" for p in (DATA / "coverage").glob("ofcom_*_fixed_laua_coverage_*.csv"))
    assert sorted(s.as_of for s in ws.sources if s.kind == "ofcom-laua-coverage") == bundled_months
    assert {s.kind for s in ws.sources} == {"ofcom-laua-coverage", "ofcom-full-fibre-takeup", "ons-gigabit-series"}
    assert not any(s.synthetic for s in ws.sources)
    assert all(s.licence and s.publisher for s in ws.sources)
    assert ws.inclusion_section is None and ws.metrics_section is None  # optional parts left commented

    text = ws.config_path.read_text(encoding="utf-8")
    for block in OPTIONAL_BLOCKS:
        assert _commented(text, block), block
    assert 'kind = "ofcom-small-area-zip"' in text
    for dataset in ('"Output Areas (December 2021) Boundaries EW BGC"', '"Wards (May 2025) Boundaries UK BGC"',
                    '"National Statistics Postcode Lookup (NSPL)"', '"MSOA Names"',
                    '"LSOA (2021) to Electoral Ward (2024) to LAD (2024) Best Fit Lookup in EW"'):
        assert dataset in " ".join(line.removeprefix("#").strip() for line in text.splitlines()), dataset
    sources_md = (folder / "data" / "SOURCES.md").read_text(encoding="utf-8")
    assert "Open Government Licence v3.0" in sources_md and "lookups/lad25_cauth25_en.csv" in sources_md
    for name in WEST_YORKSHIRE:
        assert name not in text, name
        assert name not in sources_md, name


def test_an_english_region_by_code(tmp_path):
    result = _run("init", str(tmp_path / "ne"), "--region", "E12000001")
    assert result.exit_code == 0, result.output
    ws = workspace.load(tmp_path / "ne")
    assert sorted(ws.districts) == sorted(_members(RGN_LOOKUP, "RGN25CD", "E12000001"))
    assert ws.region_name == "North East"


def test_districts_that_make_up_a_combined_authority_are_that_authority(tmp_path):
    members = _members(CA_LOOKUP, "CAUTH25CD", "E47000014")
    result = _run("init", str(tmp_path / "ne"), "--districts", ",".join(reversed(sorted(members))))
    assert result.exit_code == 0, result.output
    assert workspace.load(tmp_path / "ne").region_code == "E47000014"


def test_other_districts_become_a_grouping_and_old_codes_are_read_as_today(tmp_path):
    # Barnsley under the code Ofcom's tables still use, and Doncaster
    result = _run("init", str(tmp_path / "two"), "--districts", "E08000016, E08000017", "--name", "Barnsley and Doncaster")
    assert result.exit_code == 0, result.output
    assert "E08000038" in result.stderr  # says which code it used instead
    ws = workspace.load(tmp_path / "two")
    assert sorted(ws.districts) == ["E08000017", "E08000038"]
    assert ws.name == "Barnsley and Doncaster"
    group = [lk for lk in ws.lookups if lk.level == "group"]
    assert len(group) == 1
    with group[0].file.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert sorted(r[group[0].district] for r in rows) == ["E08000017", "E08000038"]
    assert {r[group[0].code] for r in rows} == {ws.region_code}


def test_an_unknown_code_is_refused_with_the_codes_to_use(tmp_path):
    result = _run("init", str(tmp_path / "x"), "--region", "E47000099")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "E47000099" in result.stderr
    for code, name in (("E47000002", "South Yorkshire"), ("E12000001", "North East")):
        assert code in result.stderr and name in result.stderr
    assert "--districts" in result.stderr
    assert not (tmp_path / "x" / "observatory.toml").exists()

    result = _run("init", str(tmp_path / "y"), "--districts", "E08000017,E99999999")
    assert result.exit_code == 2 and "E99999999" in result.stderr and "Traceback" not in result.output


def test_a_name_shared_by_two_areas_asks_for_the_code(tmp_path):
    result = _run("init", str(tmp_path / "x"), "--region", "North East")
    assert result.exit_code == 2
    assert "E12000001" in result.stderr and "E47000014" in result.stderr


def test_region_init_never_overwrites(tmp_path):
    folder = tmp_path / "sy"
    assert _run("init", str(folder), "--region", "E47000002").exit_code == 0
    again = _run("init", str(folder), "--region", "E47000002")
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_plain_init_still_writes_the_form_with_every_part(tmp_path):
    result = _run("init", str(tmp_path / "mine"))
    assert result.exit_code == 0, result.output
    text = (tmp_path / "mine" / "observatory.toml").read_text(encoding="utf-8")
    assert "[boundaries.lad]" in text and "--region" in text
    for block in ("[[lookups]]", *OPTIONAL_BLOCKS):
        assert _commented(text, block), block


def _without(text: str, key: str) -> str:
    """The corpus's observatory.toml without the [[sources]] table whose key is `key`."""
    blocks = text.split("\n[[sources]]\n")
    return "\n[[sources]]\n".join(b for b in blocks if f'key = "{key}"' not in b)


@pytest.mark.slow
def test_check_says_nothing_to_compare_when_it_compared_nothing(tmp_path):
    ws = corpus.make_workspace(tmp_path / "ws")
    config = ws / corpus.CONFIG
    config.write_text(_without(_without(config.read_text(), "ons-gigabit"), "ofcom-small-areas-2025-07"))
    assert _run("build", str(ws)).exit_code == 0
    result = _run("check", "-w", str(ws))
    assert "Nothing to compare" in result.stdout
    assert "All roll-ups match" not in result.stdout
    report = json.loads(_run("check", "-w", str(ws), "--format", "json").stdout)
    assert report["compared"] == {"rolled_up": 0, "publishers": 0}
    assert report["summary"][0].startswith("Nothing to compare")


@pytest.mark.slow
def test_check_says_what_it_compared(tmp_path):
    ws = corpus.make_workspace(tmp_path / "ws")
    assert _run("build", str(ws)).exit_code == 0
    result = _run("check", "-w", str(ws))
    # the corpus's 30 output areas are part of one district: its rolled-up figures are compared (and differ)
    assert result.exit_code == 1, result.output
    assert "figures differ in" in result.stdout
    assert "district figures rolled up from smaller areas" in result.stdout
    assert "Nothing to compare" not in result.stdout
    report = json.loads(_run("check", "-w", str(ws), "--format", "json").stdout)
    assert report["compared"]["rolled_up"] == sum(c["compared"] for c in report["comparisons"]) > 0
    # ONS republishes Ofcom's July 2025 district gigabit figures: the five districts, compared
    pairs = [c for c in report["publishers"] if c["release"] == "2025-07" and c["indicator"] == "gigabit"]
    assert [c["compared"] for c in pairs] == [len(corpus.DISTRICTS)]


def test_every_commented_block_is_valid_settings_once_uncommented(tmp_path):
    assert _run("init", str(tmp_path / "sy"), "--region", "E47000002").exit_code == 0
    text = (tmp_path / "sy" / "observatory.toml").read_text(encoding="utf-8")
    head, optional = text.split("# ==== Optional parts")
    # a setting line of a block: "# [table]", "# [[table]]" or "# key = value" (prose lines are neither)
    settings = [line[2:] for line in optional.splitlines()
                if re.match(r"^# (\[\[?[a-z_.]+\]\]?$|[a-z_0-9]+ = )", line)]
    uncommented = tmp_path / "uncommented.toml"
    uncommented.write_text(head + "\n".join(settings) + "\n", encoding="utf-8")
    data = workspace.read_toml(uncommented)
    assert {"boundaries", "postcodes", "msoa_names", "inclusion", "programme", "metrics", "records"} <= set(data)
    assert set(data["boundaries"]) == {"oa", "lsoa", "msoa", "ward", "lad"}
    assert [s["kind"] for s in data["sources"]][-1] == "ofcom-small-area-zip"
    assert data["inclusion"]["components"] and data["inclusion"]["indicators"]


def test_a_level_with_areas_but_no_figures_names_the_file_that_gives_them(tmp_path):
    """Output-area boundaries without Ofcom's output-area file: the level's areas are there, its
    figures are not, and the message names the one dataset missing (not the boundaries it has)."""
    ws = corpus.make_workspace(tmp_path / "ws")
    config = ws / corpus.CONFIG
    config.write_text(_without(config.read_text(), "ofcom-small-areas-2025-07"))
    assert _run("build", str(ws)).exit_code == 0
    result = _run("figures", "--level", "oa", "--indicator", "sfbb", "-w", str(ws))
    assert result.exit_code == 2
    said = " ".join(result.stderr.split())
    assert "This workspace has output areas but no figures for them" in said
    assert 'kind = "ofcom-small-area-zip"' in said and "Ofcom" in said and "Open Government Licence v3.0" in said
    assert "[boundaries.oa]" not in said and "in this store" not in said
    # a level it has neither areas nor figures for names its boundaries as well
    ward = " ".join(_run("figures", "--level", "ward", "--indicator", "sfbb", "-w", str(ws)).stderr.split())
    assert "This workspace has no electoral wards" in ward and '"Wards (May 2025) Boundaries UK BGC"' in ward


@pytest.mark.slow
def test_a_groupings_page_shows_no_code_the_observatory_made_up(tmp_path):
    """A grouping of districts gets a code and a boundary vintage from the observatory, not from
    ONS: its page names it for what it is and shows neither (a district's page keeps its ONS code)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from observatory.web.app import create_app

    root = tmp_path / "two"
    assert _run("init", str(root), "--districts", "E08000016,E08000017", "--name", "Barnsley and Doncaster").exit_code == 0
    assert _run("build", str(root)).exit_code == 0
    ws = workspace.load(root)

    def visible(html: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>", " ", html)))

    with TestClient(create_app(ws.store_path, root)) as client:
        group = visible(client.get(f"/areas/{ws.region_code}").text)
        district = visible(client.get("/areas/E08000017").text)
    assert "Barnsley and Doncaster" in group and "Grouping of districts" in group
    assert ws.region_code not in group, re.findall(r".{0,80}" + ws.region_code + r".{0,40}", group)
    assert "workspace grouping" not in group
    assert "E08000017" in district
