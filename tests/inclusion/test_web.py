"""The /inclusion pages and /api/v1/inclusion over the built demo workspace."""

from __future__ import annotations

import csv
import io
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
    assert "Priority list" in html and "in the top 10% in" in html and "of weightings" in html
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
        assert r.status_code == 404 and "no exclusion-risk configuration" in r.json()["error"]["message"]
        assert c.get("/inclusion").status_code == 404
        assert c.get("/").status_code == 200  # the rest of the dashboard is unaffected
