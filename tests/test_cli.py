"""The command line as a user runs it: exit codes and what it prints."""

from __future__ import annotations

import csv
import io
import json

from typer.testing import CliRunner

from observatory.cli import app

from .conftest import copy_workspace

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args))


def test_figures_json_has_the_documented_fields(built_workspace):
    result = _run("figures", "--level", "lad", "--indicator", "gigabit", "--area", "E08000035",
                  "--format", "json", "-w", str(built_workspace))
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 1
    for key in ("area_code", "area_name", "level", "indicator", "release", "value", "numerator",
                "denominator", "method", "suppressed", "synthetic"):
        assert key in rows[0]
    assert rows[0]["area_name"] == "Leeds"
    assert rows[0]["release"] == "2026-01"  # the latest release with gigabit at district level


def test_figures_csv_for_a_named_release(built_workspace):
    result = _run("figures", "--level", "ward", "--indicator", "sfbb", "--release", "2025-07",
                  "--format", "csv", "-w", str(built_workspace))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("area_code,area_name,level,indicator,release,value")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 124  # every West Yorkshire ward
    assert {r["synthetic"] for r in rows} == {"True"}


def test_table_output_says_illustrative_data(built_workspace):
    result = _run("figures", "--level", "msoa", "--indicator", "gigabit", "-w", str(built_workspace))
    assert result.exit_code == 0
    assert "Illustrative data" in result.stdout


def test_full_fibre_below_districts_is_refused_plainly(built_workspace):
    result = _run("figures", "--level", "lsoa", "--indicator", "full_fibre", "-w", str(built_workspace))
    assert result.exit_code == 2
    assert "not published at lsoa level" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_level_lists_the_levels(built_workspace):
    result = _run("figures", "--level", "county", "--indicator", "sfbb", "-w", str(built_workspace))
    assert result.exit_code == 2
    assert "Unknown level 'county'. Levels: postcode, oa, lsoa, msoa, ward, lad, group, ca, rgn, nation, ew, gb, uk." in result.stderr


def test_unknown_release_lists_the_releases(built_workspace):
    result = _run("figures", "--level", "lad", "--indicator", "gigabit", "--release", "2019-01", "-w", str(built_workspace))
    assert result.exit_code == 2
    assert "2022-09" in result.stderr and "2026-01" in result.stderr


def test_sources_lists_every_release_with_licence_and_synthetic_flag(built_workspace):
    result = _run("sources", "--format", "json", "-w", str(built_workspace))
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    ids = {r["release_id"] for r in rows}
    assert {"ofcom-laua-2025-07", "ofcom-takeup-2025-07", "ofcom-small-areas-2025-07"} <= ids
    assert sum(r["release_id"].startswith("ons-gigabit-") for r in rows) == 9
    synthetic = {r["release_id"] for r in rows if r["synthetic"]}
    assert synthetic == {"ofcom-small-areas-2025-07"}
    assert all(len(r["checksum"]) == 64 and r["licence"] for r in rows)


def test_check_reports_matching_roll_ups_and_findings(built_workspace):
    result = _run("check", "--format", "json", "-w", str(built_workspace))
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["ok"] is True
    compared = {(c["level"], c["indicator"]) for c in report["comparisons"]}
    assert ("lad", "gigabit") in compared and ("lad", "sfbb") in compared
    kinds = {f["kind"]: f["count"] for f in report["findings"]}
    assert kinds["unlocated-postcode"] == 199  # NSPL postcodes with no grid reference


def test_sql_reads_and_refuses_writes(built_workspace):
    result = _run("sql", "SELECT count(*) AS n FROM areas WHERE level = 'ward'", "--format", "json", "-w", str(built_workspace))
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [{"n": 124}]
    result = _run("sql", "DELETE FROM facts", "-w", str(built_workspace))
    assert result.exit_code == 2
    assert "read-only" in result.stderr and "SELECT" in result.stderr


def test_init_writes_a_template_that_loads_once_filled(tmp_path):
    result = _run("init", str(tmp_path / "leeds"))
    assert result.exit_code == 0
    text = (tmp_path / "leeds" / "observatory.toml").read_text()
    assert "ofcom-small-area-zip" in text and "[boundaries.lad]" in text
    again = _run("init", str(tmp_path / "leeds"))
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_commands_without_a_store_say_how_to_build(tmp_path):
    unbuilt = copy_workspace(tmp_path / "unbuilt")
    result = _run("figures", "--level", "lad", "--indicator", "sfbb", "-w", str(unbuilt))
    assert result.exit_code == 2
    assert "observatory build" in result.stderr


def test_sql_cannot_reach_outside_the_store(built_workspace, tmp_path):
    for query in (f"COPY facts TO '{tmp_path}/out.csv'", f"ATTACH '{tmp_path}/other.duckdb'",
                  "SELECT * FROM read_csv('/etc/passwd')", "SET enable_external_access = true"):
        result = _run("sql", query, "-w", str(built_workspace))
        assert result.exit_code == 2, query
        assert "read-only" in result.stderr, query
    assert not list(tmp_path.iterdir())


def test_headline_shows_the_region_and_each_district_against_the_target(built_workspace, store, monkeypatch):
    from observatory.cli.common import out

    # a wide terminal, whatever the console found when it was made (COLUMNS is read once, at import)
    monkeypatch.setattr(out, "width", 200)
    result = runner.invoke(app, ["headline", str(built_workspace)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for name in ("West Yorkshire Combined Authority", "Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield"):
        assert name in result.stdout
    import tomllib
    from datetime import date

    # the targets the workspace's metrics file sets, with their month in words
    for t in tomllib.loads((built_workspace / "metrics.toml").read_text())["target"]:
        if t["indicator"] in ("sfbb", "gigabit", "full_fibre"):
            year, month = (int(p) for p in t["date"].split("-")[:2])
            assert f"{t['value']:g}% by {date(year, month, 1):%B %Y}" in " ".join(result.stdout.split())
    leeds = store.figures("lad", "gigabit", area="E08000035")[0]
    month = date(int(leeds["release"][:4]), int(leeds["release"][5:7]), 1)
    assert f"{leeds['value']:.1f}% ({month:%B %Y})" in result.stdout


def test_figures_within_a_district_lists_only_its_areas(built_workspace, store):
    result = _run("figures", "--level", "ward", "--indicator", "gigabit", "--within", "E08000035",
                  "--format", "json", "-w", str(built_workspace))
    assert result.exit_code == 0, result.output
    codes = {r["area_code"] for r in json.loads(result.stdout)}
    leeds_wards = {c["code"] for c in store.children("E08000035", "ward")}
    assert codes == leeds_wards and len(codes) == 33  # Leeds has 33 wards (2013 boundaries)
    bad = _run("figures", "--level", "ward", "--indicator", "gigabit", "--within", "E0999", "-w", str(built_workspace))
    assert bad.exit_code == 2 and "'E0999'" in bad.stderr


def test_sql_without_a_query_and_unknown_formats_are_refused(built_workspace):
    for args in (("sql", ""), ("sql", "   "), ("sql", "SELECT 1", "--format", "xml"),
                 ("sources", "--format", "csv"), ("check", "--format", "csv")):
        result = _run(*args, "-w", str(built_workspace))
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output and result.stderr.startswith("Error:"), args


def test_check_says_when_nothing_is_suppressed(built_workspace):
    report = json.loads(_run("check", "--format", "json", "-w", str(built_workspace)).stdout)
    suppressed = [f for f in report["findings"] if f["kind"] == "suppressed"]
    assert suppressed == [{"kind": "suppressed", "subject": "all levels",
                           "detail": "no area has fewer than 5 premises: nothing suppressed", "count": 0}]
