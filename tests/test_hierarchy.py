"""Every region's figures, right in every release: the national hierarchy, the 2023 reorganisation,
Ofcom's earlier tables. Expected figures are computed here from the publishers' files."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from observatory import pipeline, workspace
from observatory.cli import app

from .conftest import WORKSPACE, copy_workspace

DATA = WORKSPACE / "data"
COVERAGE = DATA / "coverage"
LOOKUPS = DATA / "lookups"
ONS_RELEASES = ["2024-01", "2024-07", "2025-01", "2025-07", "2026-01"]
RECODE = {"E08000016": "E08000038", "E08000019": "E08000039"}  # Barnsley, Sheffield (ONS CHD, 2024)


def _csv(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _members(file: str, code_col: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in _csv(LOOKUPS / file):
        if r[code_col]:
            out.setdefault(r[code_col], set()).add(r["LAD25CD"])
    return out


REGIONS = _members("lad25_rgn25_en.csv", "RGN25CD")
CAS = _members("lad25_cauth25_en.csv", "CAUTH25CD")


def _ofcom(month: str) -> dict[str, dict[str, str]]:
    path = next(COVERAGE.glob(f"ofcom_{month.replace('-', '')}_fixed_laua_coverage_r*.csv"))
    return {RECODE.get(r["laua"], r["laua"]): r for r in _csv(path)}


def _share(rows: list[dict[str, str]], count_col: str) -> float:
    return 100 * sum(float(r[count_col]) for r in rows) / sum(float(r["All Premises"]) for r in rows)


@pytest.mark.parametrize("release", ONS_RELEASES)
def test_every_region_combined_authority_and_nation_has_a_gigabit_figure(store, release):
    for level, expected in (("rgn", set(REGIONS)), ("ca", set(CAS)),
                            ("nation", {"E92000001", "W92000004", "S92000003", "N92000002"}),
                            ("ew", {"K04000001"}), ("gb", {"K03000001"}), ("uk", {"K02000001"})):
        rows = store.figures(level, "gigabit", release)
        assert {r["area_code"] for r in rows} == expected, (level, release)
        assert all(r["value"] is not None and 0 < r["value"] <= 100 for r in rows)
    assert len(REGIONS) == 9 and len(CAS) >= 12


def test_regions_and_combined_authorities_sum_ofcoms_district_counts_in_july_2025(store):
    ofcom = _ofcom("2025-07")
    for level, groups in (("rgn", REGIONS), ("ca", CAS)):
        shown = {r["area_code"]: r for r in store.figures(level, "gigabit", "2025-07")}
        for code, districts in groups.items():
            expected = _share([ofcom[d] for d in districts], "Number of premises with Gigabit availability")
            assert shown[code]["method"] == "rolled-up"
            assert shown[code]["value"] == pytest.approx(expected, abs=1e-9), code


def test_england_and_wales_and_great_britain_sum_their_nations(store):
    ofcom = _ofcom("2025-07")
    col = "Number of premises with Gigabit availability"
    for code, letters in (("K04000001", "EW"), ("K03000001", "EWS"), ("K02000001", "EWSN")):
        expected = _share([r for c, r in ofcom.items() if c[0] in letters], col)
        assert store.figures("uk" if code == "K02000001" else ("ew" if code == "K04000001" else "gb"),
                             "gigabit", "2025-07", area=code)[0]["value"] == pytest.approx(expected, abs=1e-9)


def test_york_and_north_yorkshire_counts_the_former_districts_before_2024(store):
    """Ofcom's September 2023 table still lists Craven, Hambleton, Harrogate, Richmondshire, Ryedale,
    Scarborough and Selby: with York they make the combined authority."""
    ofcom = _ofcom("2023-09")
    former = ["E07000163", "E07000164", "E07000165", "E07000166", "E07000167", "E07000168", "E07000169"]
    expected = _share([ofcom[c] for c in ["E06000014", *former]], "Number of premises with Gigabit availability")
    york_alone = _share([ofcom["E06000014"]], "Number of premises with Gigabit availability")
    got = store.figures("ca", "gigabit", "2023-09", area="E47000012")[0]
    assert got["value"] == pytest.approx(expected, abs=1e-9)
    assert 55 < got["value"] < 65 and york_alone > 75
    # and no false fall into 2024: the ONS series' January 2024 figure is above September 2023's
    series = [r["value"] for r in store.series("E47000012", "gigabit") if r["release"] >= "2023-09"]
    assert all(later >= earlier - 0.5 for earlier, later in zip(series, series[1:], strict=False))


@pytest.mark.parametrize("month", ["2018-09", "2019-09", "2020-09", "2021-09", "2022-09", "2023-09"])
def test_the_combined_authoritys_full_fibre_comes_from_each_septembers_counts(store, month):
    ofcom = _ofcom(month)
    wy = CAS["E47000003"]
    expected = _share([ofcom[d] for d in wy], "Number of premises with Full Fibre availability")
    got = store.figures("ca", "full_fibre", month, area="E47000003")[0]
    assert got["method"] == "rolled-up" and got["value"] == pytest.approx(expected, abs=1e-9)


def test_superfast_means_30_mbits_or_more_in_every_year(store):
    """2018's SFBB column counts 30-300 Mbit/s only: superfast there is All Premises minus those
    unable to receive 30 Mbit/s. 2019's percentage column holds the 30-300 band: its count is right."""
    leeds_2018 = _ofcom("2018-09")["E08000035"]
    expected_2018 = 100 * (float(leeds_2018["All Premises"]) - float(leeds_2018["Number of premises unable to receive 30Mbit/s"])) / float(leeds_2018["All Premises"])
    leeds_2019 = _ofcom("2019-09")["E08000035"]
    expected_2019 = 100 * float(leeds_2019["Number of premises with SFBB availability"]) / float(leeds_2019["All Premises"])
    series = {r["release"]: r["value"] for r in store.series("E08000035", "sfbb")}
    assert series["2018-09"] == pytest.approx(expected_2018) and series["2018-09"] > 90
    assert series["2019-09"] == pytest.approx(expected_2019) and series["2019-09"] > 90
    notes = {r["release_id"]: r["notes"] for r in store.releases()}
    assert any("30 to under 300" in n for n in notes["ofcom-laua-2018-09"])
    assert any("derived from the count" in n for n in notes["ofcom-laua-2019-09"])


def test_barnsley_has_one_series_under_its_current_code(store):
    releases = [r["release"] for r in store.series("E08000038", "sfbb")]
    assert releases[:6] == ["2018-09", "2019-09", "2020-09", "2021-09", "2022-09", "2023-09"]
    assert "2025-07" in releases


def test_check_finds_every_parent_complete(built_workspace):
    result = CliRunner().invoke(app, ["check", "-w", str(built_workspace), "--format", "json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["incomplete_parents"] == []


@pytest.mark.slow
def test_a_parent_missing_a_district_is_flagged_with_its_share(tmp_path):
    """Leeds left out of September 2023: West Yorkshire's figure covers the other four districts'
    premises only (shares from the newest table that counts them, July 2025)."""
    table = next(COVERAGE.glob("ofcom_202309_*.csv"))
    lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / table.name
    cut.write_text("".join(ln for ln in lines if not ln.startswith("E08000035,")), encoding="utf-8")
    root = copy_workspace(tmp_path / "ws", {f'file = "data/coverage/{table.name}"': f'file = "{cut}"'})
    pipeline.run(workspace.load(root))
    result = CliRunner().invoke(app, ["check", "-w", str(root), "--format", "json"])
    assert result.exit_code == 1
    flagged = {f["subject"]: f for f in json.loads(result.stdout)["incomplete_parents"]}
    wy = flagged["E47000003 ofcom-laua-2023-09 gigabit"]
    july = _ofcom("2025-07")
    share = 100 * (1 - float(july["E08000035"]["All Premises"]) / sum(float(july[d]["All Premises"]) for d in CAS["E47000003"]))
    assert f"cover {share:.1f}%" in wy["detail"] and "E08000035" in wy["detail"]


@pytest.mark.slow
def test_a_councils_own_grouping_is_rolled_up_like_any_parent(tmp_path):
    """A partnership of Leeds and Bradford, as a [[lookups]] file of level "group"."""
    grouping = tmp_path / "partnership.csv"
    grouping.write_text("district,code,name\nE08000035,X99000001,Leeds-Bradford partnership\n"
                        "E08000032,X99000001,Leeds-Bradford partnership\n", encoding="utf-8")
    root = copy_workspace(tmp_path / "ws", {"[postcodes]": (
        f'[[lookups]]\nlevel = "group"\nfile = "{grouping}"\ndistrict = "district"\ncode = "code"\n'
        'name = "name"\n\n[postcodes]')})
    from observatory.store import Store

    with Store(pipeline.run(workspace.load(root))) as store:
        got = store.figures("group", "gigabit", "2025-07", area="X99000001")[0]
        assert got["area_name"] == "Leeds-Bradford partnership" and got["method"] == "rolled-up"
        ofcom = _ofcom("2025-07")
        expected = _share([ofcom["E08000035"], ofcom["E08000032"]], "Number of premises with Gigabit availability")
        assert got["value"] == pytest.approx(expected, abs=1e-9)
        assert {c["code"] for c in store.children("X99000001")} == {"E08000035", "E08000032"}
