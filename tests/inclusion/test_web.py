"""The /inclusion pages and /api/v1/inclusion over the built demo workspace."""

from __future__ import annotations

import csv
import io
import json
import re
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from observatory.web.app import create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def web(built_store_path):
    # no workspace given: the app finds it from the store's place (WORKSPACE/build/observatory.duckdb)
    with TestClient(create_app(built_store_path), raise_server_exceptions=False) as c:
        yield c


def test_page_shows_map_list_cautions_and_method(web, model):
    r = web.get("/inclusion")
    assert r.status_code == 200
    html = r.text
    assert 'id="inclusion-map"' in html and "/static/inclusion.js" in html
    assert "Priority list" in html and "stays in the top 10% under" in html and "of alternative weightings" in html
    assert "What the list rests on" in html and "would leave the list without the illustrative inputs" in html
    assert "not travel time" in html and "relative index" in html
    assert 'data-illustrative-gaps="true"' in html and "illustrative" in html
    for spec in model.cfg.indicators:
        if spec.substitute_for:
            assert spec.substitute_for in html
    for missing in model.cfg.missing:
        assert missing.indicator in html
    assert 'href="/inclusion"' in html  # in the navigation
    assert "1,367" in html  # the LSOA 2011 -> 2021 crosswalk


def test_weight_form_is_recomputed_on_the_server(web):
    base = web.get("/inclusion.json?level=lsoa&sort=index").json()
    heavy = web.get("/inclusion.json?level=lsoa&sort=index&c_broadband=10&c_demography=0&c_deprivation=0").json()
    assert heavy["weights"]["components"]["broadband"] == 10
    assert [a["code"] for a in heavy["areas"][:20]] != [a["code"] for a in base["areas"][:20]]
    # the form's fields carry the weights asked for back into the page
    html = web.get("/inclusion?c_broadband=7").text
    assert 'name="c_broadband" type="number" min="0" step="any" value="7"' in html


@pytest.mark.parametrize("query, text", [("c_broadband=-2", "negative"), ("i_imd=lots", "not a number"),
                                         ("c_demography=0&c_broadband=0&c_deprivation=0", "every component weight is zero")])
def test_bad_weights_are_422_with_the_reason(web, query, text):
    r = web.get(f"/api/v1/inclusion?{query}")
    assert r.status_code == 422
    assert text in r.json()["error"]["message"]
    assert web.get(f"/inclusion?{query}").status_code == 422


def test_area_page_and_api(web):
    r = web.get("/inclusion/area/E05001376")
    assert r.status_code == 200 and "What makes up the score" in r.text and "Illingworth and Mixenden" in r.text
    data = web.get("/api/v1/inclusion/E05001376").json()
    assert data["area"]["level"] == "ward" and data["illustrative"] is True and "notice" in data
    assert sum(i["contribution"] for i in data["indicators"]) == pytest.approx(data["index"], abs=0.01)
    assert web.get("/inclusion/area/E01010646").status_code == 200
    assert web.get("/api/v1/inclusion/NOPE").status_code == 404


def test_api_list_csv_and_hubs(web):
    data = web.get("/api/v1/inclusion?level=lsoa&top=10&sensitivity=false").json()
    assert data["areas_total"] == 1404 and len(data["areas"]) == 10 and "confidence" not in data["areas"][0]
    r = web.get("/api/v1/inclusion?format=csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 124 and rows[0]["illustrative"] == "yes"
    hubs = web.get("/api/v1/hubs").json()
    assert len(hubs["hubs"]) == 423 and "not travel time" in hubs["distance"]


def test_openapi_describes_the_inclusion_endpoints(web):
    paths = web.get("/api/v1/openapi.json").json()["paths"]
    for p in ("/api/v1/inclusion", "/api/v1/inclusion/{code}", "/api/v1/hubs"):
        assert p in paths
    names = {q["name"] for q in paths["/api/v1/inclusion"]["get"]["parameters"]}
    assert {"level", "compare_within", "mode", "weights", "top", "format"} <= names


def test_workspace_without_inclusion_config_says_so(built_store_path, tmp_path):
    from ..conftest import WORKSPACE

    root = tmp_path / "ws"
    root.mkdir()
    (root / "data").symlink_to(WORKSPACE / "data")
    text = (WORKSPACE / "observatory.toml").read_text(encoding="utf-8")
    (root / "observatory.toml").write_text(text.split("\n[inclusion]")[0], encoding="utf-8")
    with TestClient(create_app(built_store_path, root), raise_server_exceptions=False) as c:
        r = c.get("/api/v1/inclusion")
        said = r.json()["error"]["message"]
        assert r.status_code == 404 and "no index of digital exclusion risk yet" in said
        assert "observatory.toml" not in said and "[inclusion]" not in said  # no setting's name before a reader
        assert c.get("/inclusion").status_code == 404
        assert c.get("/").status_code == 200  # the rest of the dashboard is unaffected


BRADFORD = "E08000032"
TONG = "E05001365"


def _rank_text(html: str, code: str) -> str:
    """The rank the list gives an area (its row's index cell)."""
    row = html[html.index(f'data-code="{code}"'):]
    row = row[:row.index("</tr>")]
    return re.search(r"\((rank \d+ of [\d,]+ \w+)\)", row).group(1)


def test_district_filter_ranks_within_the_district_and_carries_into_every_link(web, model):
    wards = {c for c, lad in zip(model.levels["ward"].codes, model.levels["ward"].lad, strict=True) if lad == BRADFORD}
    html = web.get(f"/inclusion?compare_within=lad&within={BRADFORD}&c_broadband=4").text
    shown = set(re.findall(r'<tr class="govuk-table__row" data-code="(E05\d+)"', html))
    assert shown == wards  # only Bradford's wards, all of them
    assert f"of {len(wards)} wards" in _rank_text(html, TONG)
    # every link to an area page carries the settings, so the area ranks the same way there
    links = re.findall(r'href="(/inclusion/area/[^"]+)"', html)
    assert links and all("compare_within=lad" in u and f"within={BRADFORD}" in u and "c_broadband=4" in u
                         for u in links)
    data = json.loads(re.search(r'id="inclusion-data">(.*?)</script>', html, re.S).group(1))
    assert set(data["areas"]) == wards and "compare_within=lad" in data["carry"]  # the map's "within"
    link = next(u for u in links if TONG in u).replace("&amp;", "&")
    area = web.get(link).text
    list_rank = _rank_text(html, TONG)
    assert f"{list_rank} in Bradford" in area
    list_row = next(a for a in web.get(f"/inclusion.json?compare_within=lad&within={BRADFORD}&c_broadband=4")
                    .json()["areas"] if a["code"] == TONG)
    assert list_row["reason"] in area
    assert ("<strong>High risk</strong> (the top 10% of each district" in area) == list_row["high_risk"]
    back = re.search(r'id="back" href="([^"]+)"', area).group(1).replace("&amp;", "&")
    assert "compare_within=lad" in back and f"within={BRADFORD}" in back and "c_broadband=4" in back
    # the API's answer for the area with the same settings is the same rank
    api = web.get(f"/api/v1/inclusion/{TONG}?compare_within=lad&weights=broadband:4").json()
    assert api["rank_text"] == f"{list_rank} in Bradford" and api["reason"] == list_row["reason"]


def test_without_the_setting_the_area_page_ranks_in_the_region(web):
    area = web.get(f"/inclusion/area/{TONG}").text
    assert "of 124 wards in West Yorkshire" in area


def test_district_column_sorts_and_a_bad_district_is_named(web):
    html = web.get("/inclusion?sort=district").text
    assert 'href="/inclusion?sort=district#table-title"' in html
    districts = re.findall(r'</span></td>\s*<td class="govuk-table__cell">([^<]+)</td>', html)
    assert len(districts) == 124 and districts == sorted(districts)
    r = web.get("/inclusion?within=E08999999")
    assert r.status_code == 422 and "within" in r.text


def test_search_and_pages_keep_every_inclusion_page_under_300_kb(web):
    found = web.get("/inclusion?q=tong").text
    assert set(re.findall(r'data-code="(E05\d+)"', found)) == {TONG}
    first = web.get("/inclusion?level=lsoa")
    assert 'aria-label="Pages of the list"' in first.text
    pages = int(re.findall(r'aria-label="Page (\d+)"', first.text)[-1])
    assert pages == -(-1404 // 125)
    seen = set()
    for p in (1, 2, pages):
        r = web.get(f"/inclusion?level=lsoa&page={p}")
        assert len(r.content) < 300_000, (p, len(r.content))
        seen |= set(re.findall(r'<tr class="govuk-table__row" data-code="(E01\d+)"', r.text))
    assert len(seen) == 125 + 125 + (1404 - 125 * (pages - 1))
    for url in ("/inclusion", "/inclusion?compare_within=lad", f"/inclusion/area/{TONG}", "/inclusion/area/E01010646"):
        assert len(web.get(url).content) < 300_000, url


def test_api_and_csv_narrow_to_a_district_with_the_left_out_ranks(web, model):
    wards = {c for c, lad in zip(model.levels["ward"].codes, model.levels["ward"].lad, strict=True) if lad == BRADFORD}
    data = web.get(f"/api/v1/inclusion?within={BRADFORD}&compare_within=lad").json()
    assert {a["code"] for a in data["areas"]} == wards and data["areas_total"] == len(wards)
    assert data["rests_on"]["leave_without_illustrative"] <= data["rests_on"]["high_risk"]
    r = web.get(f"/api/v1/inclusion?within={BRADFORD}&format=csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["code"] for row in rows} == wards
    for name in model.cfg.component_names:
        assert all(row[f"rank_without_{name}"].isdigit() for row in rows)
    assert all(row["reason"].endswith(".") for row in rows)


def test_the_coverage_profile_ranks_as_the_link_that_reached_it(web):
    row = web.get(f"/api/v1/inclusion/{TONG}?compare_within=lad").json()
    profile = web.get(f"/api/v1/areas/{TONG}?compare_within=lad").json()["inclusion"]
    assert (profile["rank"], profile["of"], profile["rank_text"]) == (row["rank"], row["of"], row["rank_text"])
    assert profile["rank_text"].endswith("wards in Bradford")
    assert web.get(f"/api/v1/areas/{TONG}").json()["inclusion"]["rank_text"].endswith("of 124 wards in West "
                                                                                        "Yorkshire Combined Authority")
    # and its link back to the area's exclusion-risk page keeps the setting
    assert f'href="/inclusion/area/{TONG}?compare_within=lad"' in web.get(f"/areas/{TONG}?compare_within=lad").text


def test_workspace_without_metrics_says_so_in_words(built_store_path, tmp_path):
    """A council that has not written its strategy metrics yet: /metrics and its API say so, in
    words, with no server path or setting's name."""
    from ..conftest import copy_workspace

    root = copy_workspace(tmp_path / "ws", {'file = "metrics.toml"': ""})
    text = (root / "observatory.toml").read_text(encoding="utf-8").replace("\n[metrics]\n", "\n")
    (root / "observatory.toml").write_text(text, encoding="utf-8")
    with TestClient(create_app(built_store_path, root), raise_server_exceptions=False) as c:
        page, api = c.get("/metrics"), c.get("/api/v1/metrics")
        assert page.status_code == 404 and api.status_code == 404
        said = api.json()["error"]["message"]
        assert said.startswith("This dashboard has no strategy metrics yet.")
        for leak in (str(tmp_path), "observatory.toml", "[metrics]"):
            assert leak not in said and leak not in page.text
