"""Take-up, availability and risk in one view, over the bundled workspace as built: the districts'
figures are Ofcom's take-up table as published (checked here by hand against the CSV's rows), the
region's is the roll-up weighted by full-fibre premises, each district carries its exclusion-risk
score, England is there for reference, and small areas are placed in the two named groups."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

# Ofcom, Connected Nations July 2025: ofcom_202507_full_fibre_take-up_laua_r01.csv (take-up, % of
# full-fibre coverage and % of all premises) and ofcom_202507_fixed_laua_coverage_r01.csv (full
# fibre availability %, and premises with full fibre), copied by hand from the files' rows.
OFCOM = {  # code: (name, take-up of coverage, take-up of all, availability, premises with full fibre)
    "E08000032": ("Bradford", 32, 28, 86.9, 197_691),
    "E08000033": ("Calderdale", 27, 20, 74.4, 77_668),
    "E08000034": ("Kirklees", 41, 37, 91.1, 184_573),
    "E08000035": ("Leeds", 46, 42, 92.3, 362_215),
    "E08000036": ("Wakefield", 54, 50, 92.9, 161_299),
}


def test_district_take_up_is_ofcoms_table_and_the_region_its_weighted_roll_up(real_client) -> None:
    data = real_client.get("/api/v1/takeup").json()
    d = data["districts"]
    assert d["release"] == "2025-07"
    rows = {r["code"]: r for r in d["rows"]}
    assert set(rows) == set(OFCOM)
    for code, (name, takeup, takeup_all, availability, _) in OFCOM.items():
        r = rows[code]
        assert (r["name"], r["takeup"], r["takeup_all"]) == (name, takeup, takeup_all)
        assert r["availability"] == pytest.approx(availability, abs=0.05)
        assert r["takeup_method"] == "published"
        assert r["risk"] is not None and 0 <= r["risk"] <= 10  # placed by its exclusion-risk score
    # West Yorkshire: (32 x 197,691 + 27 x 77,668 + 41 x 184,573 + 46 x 362,215 + 54 x 161,299)
    # / 983,446 premises with full fibre = 41,362,677 / 983,446 = 42.06%
    region = next(r for r in d["reference"] if r["code"] == "E47000003")
    assert region["takeup"] == pytest.approx(41_362_677 / 983_446, abs=0.005)
    assert region["takeup_method"] == "estimated-weights"
    england = next(r for r in d["reference"] if r["code"] == "E92000001")
    assert england["takeup"] is not None and england["availability"] is not None
    # Calderdale: availability (74.4%) below England's, take-up (27%) below England's
    assert rows["E08000033"]["words"].startswith("Availability below England's, take-up below England's")


def test_small_areas_are_placed_in_the_named_groups(real_client) -> None:
    s = real_client.get("/api/v1/takeup", params={"level": "ward"}).json()["small_areas"]
    assert s["rows"] and s["threshold"] is not None
    for r in s["rows"]:
        if r["high_risk"] and r["availability"] >= s["threshold"]:
            assert r["group"] == "high availability, high risk: support is the gap"
        elif r["high_risk"]:
            assert r["group"] == "both poor: infrastructure first"
        else:
            assert "high risk" not in r["group"]
    assert len(s["support_gap"]) + len(s["infrastructure_first"]) == sum(r["high_risk"] for r in s["rows"])


def test_the_page_has_a_chart_whose_every_point_is_a_link_and_a_table_row(real_client) -> None:
    page = real_client.get("/takeup")
    assert page.status_code == 200
    text = page.text
    assert 'id="takeup-table"' in text and 'id="risk-table"' in text
    assert "support is the gap" in text and "infrastructure first" in text
    for code in OFCOM:
        assert f'<a href="/areas/{code}" class="obs-point"' in text  # a point, reachable by keyboard
        assert f'data-code="{code}"' in text  # and a row of the table
    assert text.count('class="obs-point"') == 5 + text.count('<tr class="govuk-table__row" data-code="E05')
