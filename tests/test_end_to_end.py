"""The bundled workspace, built once: the figures a user relies on."""

from __future__ import annotations

import csv

import pytest

from observatory.errors import NotFoundError, NotPublishedError
from observatory.sources.ofcom import COUNTED

from .conftest import WORKSPACE

WY = ["E08000032", "E08000033", "E08000034", "E08000035", "E08000036"]
LA_TABLE = WORKSPACE / "data" / "coverage" / "ofcom_202507_fixed_laua_coverage_r01.csv"


def _ofcom_rows() -> dict[str, dict[str, str]]:
    with LA_TABLE.open(encoding="utf-8") as f:
        return {r["laua"]: r for r in csv.DictReader(f)}


def test_districts_rolled_up_from_output_areas_equal_ofcoms_district_table(store):
    """Count for count: the output-area file's district sums are Ofcom's own July 2025 counts."""
    ofcom = _ofcom_rows()
    for indicator in ("sfbb", "ufbb100", "ufbb", "gigabit", "below_uso", "unable_30"):
        rows = store.figures("lad", indicator, "2025-07", all_methods=True)
        rolled = {r["area_code"]: r for r in rows if r["method"] == "rolled-up"}
        assert sorted(rolled) == WY
        count_col = COUNTED[indicator][0]
        for code in WY:
            assert rolled[code]["numerator"] == float(ofcom[code][count_col]), (indicator, code)
            assert rolled[code]["denominator"] == float(ofcom[code]["All Premises"]), (indicator, code)
            assert rolled[code]["synthetic"] is True


def test_published_district_figures_stay_as_published(store):
    ofcom = _ofcom_rows()
    rows = {r["area_code"]: r for r in store.figures("lad", "gigabit", "2025-07")}
    assert len(rows) == 361  # every UK district (Ofcom's table)
    leeds = rows["E08000035"]
    assert leeds["method"] == "published"
    assert leeds["synthetic"] is False
    assert leeds["value"] == float(ofcom["E08000035"]["Gigabit availability (% premises)"])


def test_combined_authority_and_nations_sum_district_counts(store):
    ofcom = _ofcom_rows()
    ca = store.figures("ca", "sfbb", "2025-07", area="E47000003")[0]
    assert ca["area_code"] == "E47000003"
    assert ca["numerator"] == sum(float(ofcom[c]["Number of premises with SFBB availability"]) for c in WY)
    assert ca["synthetic"] is False
    england = {r["area_code"]: r for r in store.figures("nation", "gigabit", "2025-07")}["E92000001"]
    eng_rows = [r for c, r in ofcom.items() if c.startswith("E")]
    assert england["numerator"] == sum(float(r["Number of premises with Gigabit availability"]) for r in eng_rows)
    assert england["denominator"] == sum(float(r["All Premises"]) for r in eng_rows)
    uk = store.figures("uk", "gigabit", "2025-07")[0]
    assert uk["denominator"] == sum(float(r["All Premises"]) for r in ofcom.values())


def test_time_series_parents_use_estimated_weights(store):
    rows = store.figures("ca", "gigabit", "2023-01", area="E47000003")
    assert rows[0]["method"] == "estimated-weights"
    series = store.series("E47000003", "gigabit")
    assert [r["release"] for r in series] == [
        "2020-09", "2021-09",  # Ofcom's September tables (counts) before the ONS series begins
        "2022-09", "2023-01", "2023-05", "2023-09", "2024-01", "2024-07", "2025-01", "2025-07", "2026-01"]
    assert series[-2]["method"] == "rolled-up"  # July 2025 has counts


def test_full_fibre_is_not_imputed_below_districts(store):
    with pytest.raises(NotPublishedError, match="not published at ward level"):
        store.figures("ward", "full_fibre")
    assert store.figures("lad", "full_fibre", area="E08000035")[0]["value"] > 0


def test_every_small_area_figure_is_marked_synthetic(store):
    for level in ("oa", "lsoa", "msoa", "ward", "postcode"):
        rows = store.figures(level, "gigabit")
        assert rows and all(r["synthetic"] for r in rows), level
        assert all(r["method"] == ("published" if level in ("oa", "postcode") else "rolled-up") for r in rows)


def test_postcode_figures_are_percentages_never_summed(store):
    rows = store.figures("postcode", "gigabit", area="LS1 1AA")
    assert rows[0]["numerator"] is None and rows[0]["value"] is not None
    parents = {p["level"]: p["code"] for p in store.parents("LS1 1AA")}
    assert set(parents) >= {"oa", "lsoa", "msoa", "ward", "lad", "ca", "nation", "uk"}
    assert parents["lad"] == "E08000035"


def test_small_cells_are_suppressed_but_counted_in_parents(strict_store, store):
    _, rows = strict_store.sql(
        "SELECT area_code FROM facts WHERE level = 'oa' AND indicator = 'gigabit' AND suppressed ORDER BY 1")
    assert rows, "a threshold of 120 premises hides some output areas"
    code = rows[0][0]
    shown = strict_store.figures("oa", "gigabit", area=code)[0]
    assert shown["suppressed"] and shown["value"] is None and shown["numerator"] is None
    # not only hidden in outputs: the store does not hold the hidden counts at all
    _, raw = strict_store.sql(f"SELECT numerator, denominator, value FROM facts WHERE area_code = '{code}' AND suppressed")
    assert raw and all(v is None for row in raw for v in row)
    # its parents that are shown are exactly what they are with nothing suppressed
    compared = 0
    for parent in strict_store.parents(code):
        if parent["level"] in ("lsoa", "msoa", "ward", "lad"):
            strict = strict_store.figures(parent["level"], "gigabit", area=parent["code"])[0]
            normal = store.figures(parent["level"], "gigabit", area=parent["code"])[0]
            if not strict["suppressed"]:
                compared += 1
                assert strict["numerator"] == normal["numerator"] and strict["denominator"] == normal["denominator"]
    assert compared
    counts = {f["kind"]: f["count"] for f in strict_store.findings() if f["subject"] == "oa"}
    _, any_suppressed = strict_store.sql(
        "SELECT count(DISTINCT area_code) FROM facts WHERE level = 'oa' AND suppressed")
    assert counts["suppressed"] + counts.get("suppressed-complementary", 0) == any_suppressed[0][0] >= len(rows)


def test_newest_revision_wins_and_is_recorded(store):
    release = next(r for r in store.releases() if r["release_id"] == "ofcom-small-areas-2025-07")
    assert release["synthetic"] is True
    assert "202507_fixed_pc_coverage_r02_HX.csv" in release["files_used"]
    assert "202507_fixed_pc_coverage_r01_HX.csv" not in release["files_used"]


def test_unknown_area_names_the_code(store):
    with pytest.raises(NotFoundError, match="'E99999999'"):
        store.area("E99999999")


def test_every_area_has_a_vintage_and_every_figure_a_release(store):
    _, rows = store.sql("SELECT count(*) FROM areas WHERE level IN ('oa','lsoa','msoa','ward','lad') AND vintage IS NULL")
    assert rows[0][0] == 0
    _, rows = store.sql("SELECT count(*) FROM facts f LEFT JOIN releases r USING (release_id) WHERE r.release_id IS NULL")
    assert rows[0][0] == 0


ONS_SERIES = WORKSPACE / "data" / "coverage" / "ons_els_gigabit_capable_broadband_la_timeseries.csv"


OFCOM_TABLES = sorted((WORKSPACE / "data" / "coverage").glob("ofcom_20????_fixed_laua_coverage_r*.csv"))


def _expected_england(release: str, districts: set[str] | None = None) -> float:
    """England's gigabit share for an ONS period, computed here independently of the build.

    Each English district once (after the Barnsley/Sheffield recode), weighted by All Premises in
    the Ofcom September/July table nearest the period that lists that district (on a tie the later
    table); an abolished district is skipped when its successor is in the same period.
    """
    import pandas as pd

    from observatory.geography.code_history import RECODED, SUCCESSOR

    counts: dict[str, list[tuple[int, float]]] = {}
    for path in OFCOM_TABLES:
        month = int(path.name[6:10]) * 12 + int(path.name[10:12]) - 1
        table = pd.read_csv(path)
        for code, premises in zip(table["laua"].replace(RECODED), table["All Premises"], strict=True):
            counts.setdefault(code, []).append((month, float(premises)))
    wanted = int(release[:4]) * 12 + int(release[5:7]) - 1
    ons = pd.read_csv(ONS_SERIES)
    ons = ons[(ons["period"] == release) & ~ons["area_code"].str.startswith("E10") & ons["area_code"].str.startswith("E")]
    ons = ons.assign(code=ons["area_code"].replace(RECODED)).drop_duplicates("code")
    present = set(ons["code"])
    if districts is not None:  # a region's or combined authority's districts, and their predecessors
        def today(code: str) -> str:
            while code in SUCCESSOR:
                code = SUCCESSOR[code]
            return code
        ons = ons[ons["code"].map(today).isin(districts)]

    def superseded(code: str) -> bool:
        while code in SUCCESSOR:
            code = SUCCESSOR[code]
            if code in present:
                return True
        return False

    num = den = 0.0
    for code, pct in zip(ons["code"], ons["gigabit_pct_premises"], strict=True):
        if superseded(code):
            continue
        _, weight = min(counts[code], key=lambda mp: (abs(mp[0] - wanted), -mp[0]))
        num += pct * weight
        den += weight
    return num / den


@pytest.mark.parametrize("release", ["2022-09", "2024-01", "2025-01", "2026-01"])
def test_england_from_the_ons_series_counts_each_district_once(store, release):
    england = next(r for r in store.figures("nation", "gigabit", release, all_methods=True)
                   if r["area_code"] == "E92000001" and r["method"] == "estimated-weights")
    assert england["value"] == pytest.approx(_expected_england(release), abs=1e-9)


ONS_MONTHS = ["2022-09", "2023-01", "2023-05", "2023-09", "2024-01", "2024-07", "2025-01", "2025-07", "2026-01"]
# Parents holding the 2023 mergers and the 2024 recodes: Yorkshire and The Humber (North Yorkshire,
# Barnsley, Sheffield), North West (Cumbria), South West (Somerset), York and North Yorkshire,
# South Yorkshire (Barnsley, Sheffield).
REORGANISED = {"E12000003": "rgn", "E12000002": "rgn", "E12000009": "rgn", "E47000012": "ca", "E47000002": "ca"}


@pytest.mark.parametrize("release", ONS_MONTHS)
def test_parents_of_reorganised_districts_count_every_district_of_the_time(store, release):
    lookups = {lv: pd_lookup(f, col) for lv, (f, col) in
               {"rgn": ("lad25_rgn25_en.csv", "RGN25CD"), "ca": ("lad25_cauth25_en.csv", "CAUTH25CD")}.items()}
    for code, level in REORGANISED.items():
        got = next(r for r in store.figures(level, "gigabit", release, area=code, all_methods=True)
                   if r["method"] == "estimated-weights")
        assert got["value"] == pytest.approx(_expected_england(release, lookups[level][code]), abs=1e-9), code


def pd_lookup(file: str, column: str) -> dict[str, set[str]]:
    import pandas as pd

    table = pd.read_csv(WORKSPACE / "data" / "lookups" / file)
    return {code: set(group["LAD25CD"]) for code, group in table.dropna(subset=[column]).groupby(column)}


@pytest.mark.parametrize("level", ["lsoa", "msoa", "ward", "lad"])
def test_every_small_area_parent_sums_its_output_areas(store, level):
    """Over the whole store, not a sample: each rolled-up count is the sum of its output areas'."""
    _, rows = store.sql(f"""
        WITH kids AS (
            SELECT m.parent, f.indicator, sum(f.numerator) AS num, sum(f.denominator) AS den
            FROM facts f JOIN membership m ON m.child = f.area_code AND m.parent_level = '{level}'
            WHERE f.level = 'oa' AND f.method = 'published'
            GROUP BY ALL)
        SELECT count(*) AS parents,
               count(*) FILTER (WHERE p.numerator <> k.num OR p.denominator <> k.den) AS differ,
               count(*) FILTER (WHERE p.value < 0 OR p.value > 100) AS out_of_range
        FROM facts p JOIN kids k ON k.parent = p.area_code AND k.indicator = p.indicator
        WHERE p.level = '{level}' AND p.method = 'rolled-up'""")
    parents, differ, out_of_range = rows[0]
    assert parents > 0 and differ == 0 and out_of_range == 0


def test_search_finds_a_district_by_its_name_before_its_small_areas(store):
    results = store.search("Leeds")
    assert results[0]["code"] == "E08000035"  # 'Leeds' matches over 900 areas; the district comes first
    assert store.search("leeds")[0]["code"] == "E08000035"
    assert store.search("E05011397")[0]["name"] == "Headingley & Hyde Park"


def test_a_postcodes_areas_never_contradict_each_other(store):
    """A postcode's district is the district of its output area, LSOA and ward."""
    _, rows = store.sql("""
        SELECT count(*) FROM membership pc_lad
        JOIN membership pc_oa ON pc_oa.child = pc_lad.child AND pc_oa.parent_level = 'oa'
        JOIN membership oa_lad ON oa_lad.child = pc_oa.parent AND oa_lad.parent_level = 'lad'
        JOIN areas a ON a.code = pc_lad.child AND a.level = 'postcode'
        WHERE pc_lad.parent_level = 'lad' AND pc_lad.parent <> oa_lad.parent""")
    assert rows[0][0] == 0
    assert {p["level"]: p["code"] for p in store.parents("BD6 2SY")}["lad"] == "E08000032"  # Bradford, as NSPL says


def test_children_are_the_areas_that_divide_a_parent(store):
    england = store.children("E92000001")
    assert {c["level"] for c in england} == {"lad"} and len(england) > 290
    assert "E08000035" in {c["code"] for c in england}
    assert {c["code"] for c in store.children("K02000001")} == {"E92000001", "W92000004", "S92000003", "N92000002"}
    headingley = store.children("E05011397")
    assert headingley and {c["level"] for c in headingley} == {"lsoa"}
    assert {c["method"] for c in headingley} == {"best-fit"}  # 2011 LSOAs do not nest in 2013 wards


def test_areas_of_another_level_are_refused_not_answered_with_nothing(store):
    with pytest.raises(NotFoundError, match="E08000035 \\(Leeds\\) is a lad area, not a lsoa area"):
        store.figures("lsoa", "sfbb", area="E08000035")
    with pytest.raises(NotFoundError, match="No lad areas lie within E05011397"):
        store.figures("lad", "sfbb", within="E05011397")


def test_old_district_codes_point_to_their_successor(store):
    with pytest.raises(NotFoundError, match="it is now E08000038 \\(Barnsley\\)"):
        store.area("E08000016")
    # an abolished district the ONS series still gives is an area of its own vintage
    assert store.area("E07000165")["vintage"] == "LAD (abolished before 2025)"  # Harrogate


def test_a_regions_districts_today_leave_out_those_abolished(store):
    """Yorkshire and The Humber's districts are those of ONS's LAD 2025 to region lookup; Harrogate
    and the other North Yorkshire districts abolished in 2023 are kept for the old releases that
    list them, and are not among the region's districts today."""
    with (WORKSPACE / "data" / "lookups" / "lad25_rgn25_en.csv").open(encoding="utf-8") as f:
        today = {r["LAD25CD"] for r in csv.DictReader(f) if r["RGN25CD"] == "E12000003"}
    listed = {d["code"] for d in store.children("E12000003", "lad")}
    assert listed == today
    with_old = {d["code"] for d in store.children("E12000003", "lad", abolished=True)}
    assert "E07000165" in with_old - listed  # Harrogate
