"""The web app over the bundled West Yorkshire workspace, built once per session."""

from __future__ import annotations

import gzip
import json
from collections import Counter

import pytest

from ..conftest import WORKSPACE

pytestmark = pytest.mark.slow

DISTRICTS = {"E08000032", "E08000033", "E08000034", "E08000035", "E08000036"}
BOUNDARIES = WORKSPACE / "data" / "boundaries"


def _lsoa21_by_district() -> dict[str, int]:
    """LSOA 2021 per district, counted from the ONS boundary file's own LAD25CD property."""
    with gzip.open(BOUNDARIES / "wy_lsoa2021.geojson.gz", "rt", encoding="utf-8") as f:
        features = json.load(f)["features"]
    return dict(Counter(feat["properties"]["LAD25CD"] for feat in features))


LSOA21 = _lsoa21_by_district()


def test_lsoa_layer_is_small_enough_to_send(real_client):
    r = real_client.get("/api/v1/geometry/lsoa", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    compressed = int(r.headers["content-length"])
    assert compressed < 400_000, f"West Yorkshire LSOA layer is {compressed:,} bytes gzipped"
    assert len(r.json()["features"]) == sum(LSOA21.values()) == 1404


def test_district_layer_is_the_regions_districts_only(real_client):
    layer = real_client.get("/api/v1/geometry/lad").json()
    assert {f["properties"]["code"] for f in layer["features"]} == DISTRICTS


def test_overview_covers_the_combined_authority_and_its_five_districts(real_client):
    data = real_client.get("/index.json").json()
    assert data["region"]["code"] == "E47000003"
    assert {d["code"] for d in data["districts"]} == DISTRICTS
    gig = data["region"]["figures"]["gigabit"]
    # the ONS series runs to January 2026, so gigabit has a previous release and a year before
    assert gig["release"] == "2026-01"
    assert gig["previous"] is not None and gig["year_before"] is not None
    assert data["region"]["figures"]["sfbb"]["target"] == 90.0


@pytest.mark.parametrize("level, count", [("lad", 5), ("ward", 124), ("msoa", 299), ("lsoa", 1404)])
def test_map_shows_the_regions_areas(real_client, level, count):
    data = real_client.get(f"/map.json?indicator=gigabit&level={level}").json()
    assert data["total"] == count and data["summary"]["count"] == count
    # the table is paged beyond 150 rows; the map is coloured from every area
    assert len(data["figures"]) == (count if count <= 150 else 100)
    coloured = real_client.get(f"/map/areas?indicator=gigabit&level={level}").json()["areas"]
    assert len(coloured) == count


def test_district_figures_are_real_and_small_areas_illustrative(real_client):
    lad = real_client.get("/map.json?indicator=sfbb&level=lad").json()
    assert lad["illustrative"] is False and all(f["method"] == "published" for f in lad["figures"])
    lsoa = real_client.get("/map.json?indicator=sfbb&level=lsoa").json()
    assert lsoa["illustrative"] is True and "Illustrative data" in real_client.get("/map?indicator=sfbb&level=lsoa").text


def test_real_postcode_round_trip(real_client):
    page = real_client.get("/search?q=ls11ba")
    assert page.status_code == 200 and str(page.url).endswith("/postcodes/LS1%201BA")
    data = real_client.get("/postcodes/LS1%201BA.json").json()
    assert [a["level"] for a in data["areas"]][:6] == ["postcode", "oa", "lsoa", "msoa", "ward", "lad"]


def test_leeds_profile_compares_with_parents_and_lists_wards(real_client):
    data = real_client.get("/areas/E08000035.json").json()
    gig = next(f for f in data["figures"] if f["indicator"] == "gigabit")
    assert len(gig["series"]) >= 9
    assert {c["area_code"] for c in gig["comparisons"]} >= {"E47000003", "E92000001"}
    assert len(data["children"]) > 20


def test_api_figures_within_a_district(real_client):
    data = real_client.get("/api/v1/figures?indicator=sfbb&level=lsoa&within=E08000033").json()
    assert len(data["figures"]) == LSOA21["E08000033"]  # Calderdale's LSOAs (2021)
    assert data["illustrative"] is True


def test_illustrative_notice_fits_synthetic_district_figures(real_client):
    # The demo's residential figures are synthetic at district level too (rolled up from its
    # postcode file): the notice must not tell the reader only small areas are illustrative.
    data = real_client.get("/map.json?level=lad&indicator=sfbb_res").json()
    assert data["illustrative"] is True and all(f["synthetic"] for f in data["figures"])
    assert "below district level" not in data["notice"]
    assert "synthetic file" in data["notice"]
    page = real_client.get("/map?level=lad&indicator=sfbb_res").text
    assert "below district level" not in page


def test_large_layers_carry_one_vary_header_either_way(real_client):
    # Big enough for GZipMiddleware to act on, which would add a second Vary.
    for encoding in ("identity", "gzip"):
        r = real_client.get("/api/v1/geometry/lsoa", headers={"Accept-Encoding": encoding})
        assert r.status_code == 200
        assert r.headers.get_list("vary") == ["Accept-Encoding"], encoding
    plain = real_client.get("/api/v1/geometry/lsoa", headers={"Accept-Encoding": "identity"})
    assert int(plain.headers["content-length"]) > 1000 and "content-encoding" not in plain.headers


def test_map_summary_counts_output_areas_tied_at_the_top(real_client):
    data = real_client.get("/map.json?indicator=sfbb&level=oa").json()
    high = data["summary"]["highest"]
    assert high["areas"] > 1  # many output areas are at 100%
    assert f"highest 100.0% ({high['areas']:,} output areas, including {high['area_name']})" in data["summary"]["text"]


def test_every_view_the_maps_controls_offer_answers_with_classes_that_show_the_differences(real_client):
    """Every indicator at every level the select offers, latest month: a page (never an error),
    at least two classes where the values differ, and a class of its own for zero where there
    are zeros beside other values."""
    import re

    page = real_client.get("/map").text
    indicators = re.findall(r'<option value="([a-z0-9_]+)"', page.split('id="indicator"')[1].split("</select>")[0])
    levels = re.findall(r'<option value="([a-z]+)"', page.split('id="level"')[1].split("</select>")[0])
    assert "gigabit" in indicators and levels == ["lad", "ward", "msoa", "lsoa", "oa"]
    for indicator in indicators:
        for level in levels:
            r = real_client.get(f"/map.json?indicator={indicator}&level={level}")
            assert r.status_code == 200, (indicator, level, r.text[:200])
            view = r.json()
            values = [v[0] for v in real_client.get(
                f"/map/areas?indicator={view['indicator']['id']}&level={view['level']}").json()["areas"].values()
                if v[0] is not None]
            shown = {round(v, 1) for v in values}
            if len(shown) > 1:
                assert len(view["legend"]) >= 2, (indicator, level, view["legend"])
            if 0.0 in shown and len(shown) > 1:
                assert view["legend"][0]["from"] == view["legend"][0]["to"] == 0.0, (indicator, level)


def test_every_month_offered_at_district_level_answers(real_client):
    import re

    for indicator in ("gigabit", "sfbb", "full_fibre"):
        page = real_client.get(f"/map?indicator={indicator}&level=lad").text
        months = re.findall(r'<option value="(\d{4}-\d{2})"', page)
        assert months, indicator
        for month in months:
            for level in ("lad", "ward"):
                r = real_client.get(f"/map?indicator={indicator}&level={level}&release={month}")
                assert r.status_code == 200, (indicator, level, month)


def test_what_changed_puts_the_biggest_mover_first(real_client):
    """Gigabit since September 2022 by district: the change is each district's figure now minus
    then, from the figures API; the biggest rise leads the list (Calderdale's, in ONS's series)."""
    now = {f["area_code"]: f["value"] for f in real_client.get("/api/v1/figures?indicator=gigabit&level=lad").json()["figures"]}
    then = {f["area_code"]: f["value"] for f in
            real_client.get("/api/v1/figures?indicator=gigabit&level=lad&release=2022-09").json()["figures"]}
    rises = sorted(((round(now[c] - then[c], 1), c) for c in DISTRICTS), reverse=True)
    data = real_client.get("/changes.json?indicator=gigabit&since=2022-09").json()
    assert [(r["change_pp"], r["code"]) for r in data["rows"]] == rises
    assert data["movers"][0]["code"] == rises[0][1] == "E08000033"  # Calderdale
    page = real_client.get("/changes?indicator=gigabit&since=2022-09").text
    assert "England" in page and 'id="trend-table"' in page


def test_a_wards_profile_has_its_exclusion_risk_section(real_client):
    top = real_client.get("/api/v1/inclusion?level=ward&top=1").json()["areas"][0]
    profile = real_client.get(f"/api/v1/areas/{top['code']}").json()
    assert profile["inclusion"]["index"] == top["index"]
    page = real_client.get(f"/areas/{top['code']}").text
    assert 'id="inclusion-h"' in page and f"{top['index']:.1f} out of 10" in page
    # a district is ranked among the region's five; an output area has no index, and no section
    assert real_client.get("/api/v1/areas/E08000035").json()["inclusion"]["of"] == 5
    oa = real_client.get("/api/v1/figures?indicator=gigabit&level=oa").json()["figures"][0]["area_code"]
    assert "inclusion" not in real_client.get(f"/api/v1/areas/{oa}").json()


def test_the_front_page_shows_the_strategys_coverage_targets(built_workspace, built_store_path):
    """The gigabit and full fibre targets of the workspace's metrics file sit on the region's
    cards, with when the current trend reaches them."""
    import tomllib
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from observatory.web.app import create_app

    targets = tomllib.loads((built_workspace / "metrics.toml").read_text())["target"]
    with TestClient(create_app(built_store_path, built_workspace)) as client:
        data = client.get("/api/v1/overview").json()
        page = client.get("/").text
    for target in targets:
        card = (data["region"]["figures"].get(target["indicator"]) or {}).get("standing")
        if target["indicator"] not in ("sfbb", "gigabit", "full_fibre"):
            continue  # not a headline indicator
        assert card["value"] == target["value"] and card["label"] == target["label"]
        assert card["status"] in ("green", "amber", "red")
        assert f"Target {target['value']:.1f}%" in page


def test_a_profile_names_its_parents_as_people_write_them(real_client):
    """'Yorkshire and The Humber (English region)', not '(english region)'; and a parent whose
    level is its own name ('England and Wales') is not followed by that name again."""
    import html as html_lib
    import re

    page = real_client.get("/areas/E08000035").text
    line = re.search(r"In:(.*?)</p>", page, re.S).group(1)
    words = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", line)).split())
    assert "Yorkshire and The Humber (English region)" in words
    assert "England and Wales (England and Wales)" not in words and "England and Wales," in words
