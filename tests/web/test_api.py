"""The /api/v1 API, its docs, and the errors people and programs see."""

from __future__ import annotations

import html
import json
import re

import pytest

from observatory.store import Store


def test_figures_equal_the_store(client, fixture_store_path):
    r = client.get("/api/v1/figures", params={"indicator": "gigabit", "level": "lad", "release": "2025-01"})
    assert r.status_code == 200
    with Store(fixture_store_path) as store:
        expected = store.figures("lad", "gigabit", "2025-01")
    assert r.json()["figures"] == expected


def test_figures_of_one_area(client):
    r = client.get("/api/v1/figures?indicator=sfbb&level=lad&area=E08000035")
    [row] = r.json()["figures"]
    assert (row["area_name"], row["value"], row["numerator"]) == ("Leeds", 97.0, 388_000)


def test_figures_all_methods_shows_published_and_rolled_up_side_by_side(client):
    url = "/api/v1/figures?indicator=gigabit&level=lad&area=E08000035"
    [shown] = client.get(url).json()["figures"]
    assert (shown["method"], shown["value"]) == ("published", 85.0)
    both = client.get(url + "&all_methods=true").json()
    assert [(r["method"], r["value"], r["synthetic"]) for r in both["figures"]] == [
        ("published", 85.0, False),
        ("rolled-up", 65.0, True),
    ]
    assert both["illustrative"] is True
    # The notice is about figures from the demo file, whatever their level: these are districts.
    assert "below district level" not in both["notice"]
    assert "synthetic file" in both["notice"]


def test_api_views_match_the_pages_json(client):
    assert client.get("/api/v1/overview").json() == client.get("/index.json").json()
    assert client.get("/api/v1/areas/E08000035").json() == client.get("/areas/E08000035.json").json()
    assert client.get("/api/v1/map?level=ward").json() == client.get("/map.json?level=ward").json()


def test_illustrative_marking_in_api(client):
    data = client.get("/api/v1/figures?indicator=gigabit&level=oa").json()
    assert data["illustrative"] is True and data["notice"].startswith("Illustrative data")
    assert all(f["synthetic"] for f in data["figures"])


def test_openapi_docs_are_served_from_local_assets(client):
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/figures" in spec["paths"] and "/api/v1/geometry/{level}" in spec["paths"]
    # Pages are not API: they stay out of the spec.
    assert "/map" not in spec["paths"]


def test_unknown_area_is_a_404_naming_the_code(client):
    page = client.get("/areas/E99999999")
    assert page.status_code == 404
    assert "No area with code &#39;E99999999&#39;" in page.text
    assert 'action="/search"' in page.text and 'value="E99999999"' in page.text
    api = client.get("/api/v1/areas/E99999999")
    assert api.status_code == 404
    assert api.json()["error"]["message"].startswith("No area with code 'E99999999'")


@pytest.mark.parametrize(
    "url, parameter, allowed",
    [
        ("/map?level=county", "level", ["lad", "ward", "msoa", "lsoa", "oa"]),
        ("/map?indicator=speed", "indicator", ["full_fibre", "gigabit", "sfbb"]),
        ("/map?release=July", "release", ["latest"]),
        ("/map?sort=colour", "sort", ["name", "code", "value"]),
        ("/api/v1/figures?indicator=gigabit&level=street", "level", ["postcode", "oa"]),
        ("/download?indicator=gigabit&level=lad&format=xls", "format", ["csv", "geojson", "gpkg"]),
    ],
)
def test_malformed_parameter_is_a_422_naming_it_and_the_allowed_values(client, url, parameter, allowed):
    api = client.get(url, headers={"Accept": "application/json"})
    assert api.status_code == 422
    error = api.json()["error"]
    assert error["parameter"] == parameter
    assert parameter in error["message"]
    for value in allowed:
        assert value in error["message"] or value in json.dumps(error["allowed"])
    if url.startswith("/api/"):
        return  # the API answers JSON whatever the Accept header says
    page = client.get(url)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert parameter in page.text and "Traceback" not in page.text


def test_missing_required_parameter_names_it(client):
    r = client.get("/api/v1/figures?level=lad")
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["parameter"] == "indicator"
    assert isinstance(error["allowed"], list) and "gigabit" in error["allowed"]


MAP_LEVELS = ["lad", "ward", "msoa", "lsoa", "oa"]


@pytest.mark.parametrize(
    "url, allowed",
    [
        # an enum (Literal) parameter, checked by FastAPI
        ("/map?level=bogus", MAP_LEVELS),
        ("/map?order=up", ["asc", "desc"]),
        # parameters the app checks itself
        ("/map?indicator=speed", ["full_fibre", "gigabit", "sfbb"]),
        ("/map?release=July", ["latest", "YYYY-MM (an as-of month, e.g. 2025-07)"]),
    ],
)
def test_allowed_values_are_a_list_in_json_and_one_item_each_on_the_page(client, url, allowed):
    error = client.get(url, headers={"Accept": "application/json"}).json()["error"]
    assert error["allowed"] == allowed
    page = client.get(url)
    assert page.status_code == 422
    items = re.search(r'<ul[^>]*id="allowed-values"[^>]*>(.*?)</ul>', page.text, re.S).group(1)
    shown = [html.unescape(re.sub(r"<[^>]+>", "", li)) for li in re.findall(r"<li>(.*?)</li>", items, re.S)]
    assert shown == allowed


def test_api_enum_parameter_lists_every_level(client):
    error = client.get("/api/v1/figures?indicator=gigabit&level=street").json()["error"]
    assert error["allowed"] == ["postcode", "oa", "lsoa", "msoa", "ward", "lad", "group", "ca", "rgn", "nation", "ew", "gb", "uk"]


def test_not_published_explains_and_suggests(client):
    r = client.get("/api/v1/figures?indicator=full_fibre&level=ward")
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert "not published at ward level" in message and "gigabit" in message


def test_the_maps_controls_fall_back_to_the_nearest_view_that_exists(client):
    # full fibre is published for districts only: the map shows districts and says why
    r = client.get("/map.json?indicator=full_fibre&level=ward")
    assert r.status_code == 200
    data = r.json()
    assert data["level"] == "lad"
    [notice] = data["notices"]
    assert notice.startswith("Full fibre") and "not published by electoral ward: showing districts instead." in notice
    # a month that has district figures but none for wards: the latest ward month, said so
    r = client.get("/map.json?indicator=gigabit&level=ward&release=2024-07")
    assert r.status_code == 200
    assert r.json()["level"] == "ward" and r.json()["release"] == "2025-07"
    assert "July 2024 has no wards figures: showing the latest, July 2025." in r.json()["notices"]
    page = client.get("/map?indicator=full_fibre&level=ward").text
    assert "showing districts instead" in page and "Ward (not for this indicator)" in page


def test_unknown_release_lists_the_releases(client):
    r = client.get("/api/v1/figures?indicator=gigabit&level=lad&release=2019-01")
    assert r.status_code == 404
    assert "2024-07, 2025-01, 2025-07" in r.json()["error"]["message"]


def test_unexpected_error_is_a_page_not_a_traceback(client, monkeypatch):
    def broken(store):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("observatory.web.pages.overview", broken)
    for headers, kind in [({}, "text/html"), ({"Accept": "application/json"}, "application/json")]:
        r = client.get("/?nocache=" + kind, headers=headers)
        assert r.status_code == 500
        assert r.headers["content-type"].startswith(kind)
        assert "secret internals" not in r.text and "Traceback" not in r.text


def test_not_found_area_links_to_search_not_to_the_cli(client):
    page = client.get("/areas/E99999999")
    assert page.status_code == 404
    assert 'href="/search?q=E99999999"' in page.text
    error = client.get("/api/v1/areas/E99999999").json()["error"]
    assert error["search"] == "/search?q=E99999999"
    assert client.get(error["search"]).status_code == 200
    for text in (page.text, error["message"]):
        assert "observatory figures" not in text and "`" not in text
    postcode = client.get("/postcodes/ZZ9%209ZZ.json").json()["error"]
    assert postcode["search"] == "/search?q=ZZ9%209ZZ"


@pytest.mark.parametrize(
    "message, expected",
    [
        (
            "No area with code 'X1'. Search by name or postcode, or list a level's areas with "
            "`observatory figures --level LEVEL`.",
            "No area with code 'X1'. Search by name or postcode.",
        ),
        (
            "No area with code 'E08000033'. Search by name or postcode. E08000033 is now "
            "E08000099 (Calderdale).",
            "No area with code 'E08000033'. Search by name or postcode. E08000033 is now "
            "E08000099 (Calderdale).",
        ),
        ("No area with code 'X1'. Run `observatory figures --level lad` to list them.", "No area with code 'X1'."),
    ],
)
def test_store_messages_are_worded_for_the_web(message, expected):
    from observatory.web.errors import for_the_web

    assert for_the_web(message) == expected


def test_unknown_page_is_a_helpful_404(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and 'action="/search"' in r.text
    assert client.get("/api/v1/nothing").json()["error"]["status"] == 404


def test_geometry_layer_is_gzipped_with_etag(client):
    r = client.get("/api/v1/geometry/ward", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    etag = r.headers["etag"]
    layer = r.json()  # httpx decodes the gzip body
    assert layer["type"] == "FeatureCollection"
    assert {f["properties"]["code"] for f in layer["features"]} == {
        "E05001420", "E05001421", "E05001346", "E05001347"
    }
    again = client.get("/api/v1/geometry/ward", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    stale = client.get("/api/v1/geometry/ward", headers={"If-None-Match": '"other"'})
    assert stale.status_code == 200


def test_geometry_layer_without_gzip_is_plain(client):
    r = client.get("/api/v1/geometry/lad", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in r.headers
    assert len(json.loads(r.content)["features"]) == 2


def test_gzipped_and_plain_layers_have_their_own_etags(client):
    # Different bytes are different representations: a cache must never serve one for the other.
    plain = client.get("/api/v1/geometry/ward", headers={"Accept-Encoding": "identity"})
    gz = client.get("/api/v1/geometry/ward", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert plain.headers["etag"] != gz.headers["etag"]
    assert gz.json() == plain.json()
    for r in (plain, gz):
        assert r.headers.get_list("vary") == ["Accept-Encoding"]
    # Revalidation works for each variant with its own ETag.
    for encoding, etag in [("identity", plain.headers["etag"]), ("gzip", gz.headers["etag"])]:
        again = client.get(
            "/api/v1/geometry/ward", headers={"Accept-Encoding": encoding, "If-None-Match": etag}
        )
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
    stale = client.get(
        "/api/v1/geometry/ward", headers={"Accept-Encoding": "gzip", "If-None-Match": '"other-gz"'}
    )
    assert stale.status_code == 200


def test_pages_are_gzipped(client):
    r = client.get("/sources", headers={"Accept-Encoding": "gzip"})
    assert r.headers.get("content-encoding") == "gzip"


def test_junk_query_parameters_never_fill_the_cache(client):
    from observatory.web.cache import ResponseCache

    cache = next(m for m in _middleware(client.app) if isinstance(m, ResponseCache))
    client.get("/api/v1/figures?indicator=gigabit&level=lad")
    before = (len(cache._entries), cache.bytes)
    for i in range(50):
        r = client.get(f"/api/v1/figures?indicator=gigabit&level=lad&junk={i}")
        assert r.status_code == 200
    # the same declared parameters in another order are one entry
    client.get("/api/v1/figures?level=lad&indicator=gigabit")
    assert (len(cache._entries), cache.bytes) == before
    assert cache.bytes <= cache.max_bytes


def _middleware(app):
    node = app.middleware_stack
    while node is not None:
        yield node
        node = getattr(node, "app", None)
