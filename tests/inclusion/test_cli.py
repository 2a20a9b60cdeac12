"""`observatory inclusion` and `observatory hubs` on the built demo workspace; bad weight files
give a message naming the file and key, and exit 2 without a traceback."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from observatory.cli import app

pytestmark = pytest.mark.slow
runner = CliRunner()


def _run(ws, *args):
    return runner.invoke(app, [*args, "-w", str(ws)])


def test_priority_list_by_ward_as_json(built_workspace):
    r = _run(built_workspace, "inclusion", "--format", "json", "--top", "5")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["level"] == "ward" and len(data["areas"]) == 5 and data["areas_total"] == 124
    assert data["illustrative"] and "illustrative" in data["illustrative_note"]
    assert [m["indicator"] for m in data["methodology"]["missing"]] == ["% population in approximated social grade DE"]
    assert len(data["methodology"]["substitutes"]) == 6
    tiers = [a["tier"] for a in data["areas"]]
    assert tiers == sorted(tiers)


def test_table_says_the_demo_gaps_are_illustrative(built_workspace):
    r = _run(built_workspace, "inclusion", "--top", "3")
    assert r.exit_code == 0, r.output
    assert "Illustrative data" in r.stdout and "substitute:" in r.stdout and "missing:" in r.stdout


def test_csv_lsoa_level(built_workspace):
    r = _run(built_workspace, "inclusion", "--level", "lsoa", "--format", "csv", "--compare-within", "lad")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 1404 and rows[0]["illustrative"] == "yes"


def test_explain_adds_up(built_workspace):
    r = _run(built_workspace, "inclusion", "explain", "E05001376", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert sum(c["contribution"] for c in data["components"]) == pytest.approx(data["index"], abs=0.01)
    assert sum(i["contribution"] for i in data["indicators"]) == pytest.approx(data["index"], abs=0.01)


def test_unknown_area(built_workspace):
    r = _run(built_workspace, "inclusion", "explain", "E99999999")
    assert r.exit_code == 2 and "No LSOA, ward or district" in r.stderr


@pytest.mark.parametrize("text, expected", [
    ("[components]\nbroadband = -1\n", "broadband = -1 is negative"),
    ("[components]\ndemography = 0\nbroadband = 0\ndeprivation = 0\n", "every component weight is zero"),
    ("[indicators]\nunable_30 = 0\nbelow_uso = 0\ngigabit = 0\n", "component 'broadband' has weight 3 but all its"),
    ("[indicators]\naged_80_plus = 4\n", "aged_80_plus: unknown indicator. Did you mean 'aged_75_plus'?"),
    ("[indicators]\nimd = \"high\"\n", "is not a number"),
    ("[weights]\nimd = 1\n", "unknown table 'weights'"),
    ("components = [", "not valid TOML"),
])
def test_bad_weights_file(built_workspace, tmp_path, text, expected):
    f = tmp_path / "weights.toml"
    f.write_text(text, encoding="utf-8")
    r = _run(built_workspace, "inclusion", "--weights", str(f))
    assert r.exit_code == 2, r.output
    assert "weights.toml" in r.stderr and expected in r.stderr.replace("\n", " ")
    assert "Traceback" not in r.output


def test_good_weights_file_changes_the_order(built_workspace, tmp_path):
    f = tmp_path / "broadband.toml"
    f.write_text("[components]\nbroadband = 10\ndemography = 1\ndeprivation = 1\n", encoding="utf-8")
    base = json.loads(_run(built_workspace, "inclusion", "--format", "json", "--sort", "index").stdout)
    r = _run(built_workspace, "inclusion", "--format", "json", "--sort", "index", "--weights", str(f))
    data = json.loads(r.stdout)
    assert data["weights"]["components"]["broadband"] == 10
    assert data["methodology"]["weights_from"].endswith("broadband.toml")
    assert [a["code"] for a in data["areas"]] != [a["code"] for a in base["areas"]]


def test_bad_options(built_workspace):
    for args, text in ((["--mode", "yearly"], "--mode 'yearly'"), (["--level", "msoa"], "--level 'msoa'"),
                       (["--compare-within", "planet"], "Unknown comparison area 'planet'"),
                       (["--level", "lad", "--compare-within", "lad"], "one area per comparison")):
        r = _run(built_workspace, "inclusion", *args)
        assert r.exit_code == 2 and text in r.stderr, (args, r.output)


def test_hubs_within_a_district(built_workspace):
    r = _run(built_workspace, "hubs", "--within", "E08000033", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    # the sites file's own district column, counted here: libraries and community centres in Calderdale
    from ..conftest import WORKSPACE
    with open(WORKSPACE / "data" / "sites" / "wy_osm_public_sites_2023.csv", newline="", encoding="utf-8") as f:
        expected = sum(1 for s in csv.DictReader(f)
                       if s["amenity_type"] in ("library", "community_centre") and s["lad_code"] == "E08000033")
    assert abs(len(data["hubs"]) - expected) <= 1  # the sites file's district is its own point-in-polygon


def test_one_district_ranked_within_it_with_reasons(built_workspace):
    # Calderdale's wards, counted from the ward lookup file the workspace names
    from ..conftest import WORKSPACE
    with open(WORKSPACE / "data" / "lookups" / "wy_lsoa21_wd24_lad24_bestfit.csv", newline="", encoding="utf-8-sig") as f:
        wards = {r["WD24CD"] for r in csv.DictReader(f) if r["LAD24CD"] == "E08000033"}
    r = _run(built_workspace, "inclusion", "--district", "E08000033", "--compare-within", "lad", "--format", "csv")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {row["code"] for row in rows} == wards
    assert all(row["of"] == str(len(wards)) and row["ranked_within"] == "Calderdale" for row in rows)
    assert all(row["reason"].startswith(("High risk", "Lower risk")) for row in rows)
    table = _run(built_workspace, "inclusion", "--district", "E08000033", "--compare-within", "lad")
    assert table.exit_code == 0 and "in Calderdale" in table.stdout
    assert "would leave the list without the illustrative inputs" in table.stdout.replace("\n", " ")
    bad = _run(built_workspace, "inclusion", "--district", "E08999999")
    assert bad.exit_code == 2 and "No district 'E08999999'" in bad.stderr


def test_explain_says_why_and_what_the_place_rests_on(built_workspace):
    r = _run(built_workspace, "inclusion", "explain", "E05001365", "--compare-within", "lad")
    assert r.exit_code == 0, r.output
    text = r.stdout.replace("\n", " ")
    assert "of 30 wards in Bradford" in text and "alternative weightings" in text
    assert "without the illustrative inputs: rank" in text and "without broadband: rank" in text
