"""The dashboard's pages and their JSON twins, against the fixture store's known figures."""

from __future__ import annotations

import re

import pytest

PAGES = [
    "/",
    "/map",
    "/map?indicator=sfbb&level=ward",
    "/areas/E08000035",
    "/areas/E05001420",
    "/postcodes/LS1%201AA",
    "/search?q=leeds",
    "/sources",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_a_json_twin_by_suffix_and_by_accept(client, url):
    html = client.get(url)
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    path, _, query = url.partition("?")
    twin = ("/index" if path == "/" else path) + ".json" + (f"?{query}" if query else "")
    by_suffix = client.get(twin)
    by_accept = client.get(url, headers={"Accept": "application/json"})
    assert by_suffix.headers["content-type"] == "application/json"
    assert by_suffix.json() == by_accept.json()
    # The page links its twin, so a user can find it.
    assert 'type="application/json"' in html.text


def test_overview_headline_against_target(targets_client):
    client = targets_client
    data = client.get("/index.json").json()
    assert data["region"]["code"] == "E47000003"
    assert [d["code"] for d in data["districts"]] == ["E08000032", "E08000035"]
    leeds = next(d for d in data["districts"] if d["name"] == "Leeds")
    gig = leeds["figures"]["gigabit"]
    assert gig["release"] == "2025-07" and gig["value"] == 85.0
    assert gig["previous"]["release"] == "2025-01" and gig["previous"]["change_pp"] == 5.0
    assert gig["year_before"]["release"] == "2024-07" and gig["year_before"]["change_pp"] == 10.0
    bradford = next(d for d in data["districts"] if d["name"] == "Bradford")
    assert bradford["figures"]["sfbb"]["value"] == 88.0
    assert bradford["figures"]["sfbb"]["target"] == 90.0
    assert bradford["figures"]["sfbb"]["meets_target"] is False
    # the standing against the target: 88% in one release only, so no trend yet (amber)
    assert bradford["figures"]["sfbb"]["standing"]["date_words"] == "December 2030"
    # Only superfast broadband has a target in the metrics file; none is invented for gigabit.
    assert gig["target"] is None and gig["meets_target"] is None and gig["standing"] is None
    page = client.get("/").text
    # the change over a year, in words with months in words; no empty "no earlier release"
    assert "up 10.0 percentage points since July 2024" in page
    assert "no earlier release" not in page
    assert "Target 90.0% by December 2030" in page


def test_no_target_is_shown_where_the_workspace_sets_none(client):
    data = client.get("/index.json").json()
    assert all(f is None or f["target"] is None for d in data["districts"] for f in d["figures"].values())
    assert "Target " not in client.get("/").text


def test_map_table_summary_and_data_agree(client, targets_client):
    data = client.get("/map.json?indicator=gigabit&level=ward").json()
    values = {f["area_code"]: f["value"] for f in data["figures"]}
    assert values == {"E05001420": 60.0, "E05001421": 70.0, "E05001346": 80.0, "E05001347": 90.0}
    assert data["summary"]["below_target"] is None  # gigabit has no target of its own
    assert "highest in Bolton and Undercliffe (90.0%)" in data["summary"]["text"]
    assert "lowest in Headingley (60.0%)" in data["summary"]["text"]
    assert "target" not in data["summary"]["text"]
    sfbb = targets_client.get("/map.json?indicator=sfbb&level=ward").json()
    below = [f for f in sfbb["figures"] if f["value"] < 90]
    assert below and sfbb["summary"]["below_target"] == len(below)
    assert f"{len(below)} of 4 are below the 90% target" in sfbb["summary"]["text"]
    page = client.get("/map?indicator=gigabit&level=ward").text
    rows = dict(re.findall(r'data-code="([^"]+)" data-value="([^"]*)"', page))
    assert {k: float(v) for k, v in rows.items()} == values
    assert data["summary"]["text"] in re.sub(r"<[^>]+>", "", page).replace("&#39;", "'")  # words link the glossary


def _legend_ranges(page: str) -> list[tuple[float, float]]:
    """The legend's classes as a reader sees them: "60.0 to 69.9%", or one value "90.0%"."""
    legend = re.search(r'<ul class="govuk-list obs-legend".*?</ul>', page, re.S).group(0)
    ranges = []
    for text in re.findall(r'</(?:span|svg)>([0-9.]+(?: to [0-9.]+)?)%</li>', legend):
        low, _, high = text.partition(" to ")
        ranges.append((float(low), float(high or low)))
    return ranges


def test_map_legend_classes_cover_every_value(client):
    data = client.get("/map.json?indicator=gigabit&level=ward").json()
    legend = data["legend"]
    assert legend[0]["from"] == 60.0 and legend[-1]["to"] == 90.0
    for f in data["figures"]:
        entry = legend[f["class"]]
        assert entry["from"] <= f["value"] <= entry["to"]


def test_each_value_shown_falls_in_exactly_one_legend_class(client):
    page = client.get("/map?indicator=gigabit&level=ward").text
    ranges = _legend_ranges(page)
    assert ranges, "no legend classes on the page"
    data = client.get("/map.json?indicator=gigabit&level=ward").json()
    for f in data["figures"]:
        shown = float(f"{f['value']:.1f}")
        holding = [i for i, (low, high) in enumerate(ranges) if low <= shown <= high]
        assert holding == [f["class"]], (f["area_code"], shown, ranges)


@pytest.mark.parametrize("seed", range(20))
def test_legend_classes_never_overlap_for_any_values(seed):
    import random

    from observatory.indicators.classes import class_of as _class_of
    from observatory.indicators.classes import classify as _classes

    rnd = random.Random(seed)
    # Many areas, with ties and values a hair either side of a rounding edge, as real data has.
    values = [rnd.choice([100.0, 95.15, 95.25, 87.94, 99.96]) if rnd.random() < 0.3 else rnd.uniform(50, 100)
              for _ in range(rnd.randint(1, 400))]
    legend = _classes(values)
    for a, b in zip(legend, legend[1:], strict=False):
        assert a["to"] < b["from"], legend  # no shared edges
    for v in values:
        shown = float(f"{v:.1f}")
        holding = [e["class"] for e in legend if e["from"] <= shown <= e["to"]]
        assert holding == [_class_of(v, legend)], (v, legend)


@pytest.mark.parametrize(
    "sort, order, first",
    [("value", "desc", "E05001347"), ("value", "asc", "E05001420"), ("name", "asc", "E05001347")],
)
def test_map_table_sorts(client, sort, order, first):
    data = client.get(f"/map.json?level=ward&sort={sort}&order={order}").json()
    assert data["figures"][0]["area_code"] == first
    page = client.get(f"/map?level=ward&sort={sort}&order={order}").text
    assert page.index(f'data-code="{first}"') < min(
        page.index(f'data-code="{c}"') for c in ("E05001420", "E05001421", "E05001346", "E05001347") if c != first
    )
    assert 'aria-sort="' in page


def test_map_release_choice(client):
    older = client.get("/map.json?indicator=gigabit&level=lad&release=2024-07").json()
    assert older["release"] == "2024-07"
    assert older["releases"] == ["2024-07", "2025-01", "2025-07"]
    assert {f["area_code"]: f["value"] for f in older["figures"]} == {"E08000032": 60.0, "E08000035": 75.0}


def test_area_profile(client):
    data = client.get("/areas/E08000035.json").json()
    assert data["area"]["name"] == "Leeds"
    by_ind = {f["indicator"]: f for f in data["figures"]}
    gig = by_ind["gigabit"]
    assert (gig["value"], gig["release"], gig["method"]) == (85.0, "2025-07", "published")
    assert (gig["numerator"], gig["denominator"]) == (340_000, 400_000)
    assert [p["release"] for p in gig["series"]] == ["2024-07", "2025-01", "2025-07"]
    comparators = {c["level"]: c for c in gig["comparisons"]}
    assert comparators["ca"]["value"] == round(100 * 540_000 / 650_000, 2)
    assert comparators["nation"]["area_code"] == "E92000001"
    assert {c["code"] for c in data["children"]} == {"E05001420", "E05001421"}
    page = client.get("/areas/E08000035").text
    assert "<svg" in page and "Gigabit-capable broadband over time" in page
    assert 'href="/areas/E05001420"' in page


def test_small_area_profile_is_marked_illustrative(client):
    data = client.get("/areas/E05001420.json").json()
    assert data["illustrative"] is True
    assert data["notice"].startswith("Illustrative data")
    assert all(f["synthetic"] for f in data["figures"])
    page = client.get("/areas/E05001420").text
    assert "Illustrative data" in page


def test_real_figures_are_not_marked_illustrative(client):
    data = client.get("/map.json?indicator=full_fibre&level=lad").json()
    assert data["illustrative"] is False and "notice" not in data
    assert "Illustrative data" not in client.get("/map?indicator=full_fibre&level=lad").text


@pytest.mark.parametrize("typed", ["ls11aa", " LS1 1AA ", "ls1  1aa", "LS11AA"])
def test_postcode_search_normalises(client, typed):
    r = client.get("/search", params={"q": typed}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/postcodes/LS1%201AA"
    page = client.get("/search", params={"q": typed})
    assert page.status_code == 200
    assert "not for any individual address" in page.text
    assert 'href="/areas/E05001420"' in page.text  # its ward


def test_postcode_page_lists_its_areas(client):
    data = client.get("/postcodes/LS1%201AA.json").json()
    levels = [a["level"] for a in data["areas"]]
    assert levels[:6] == ["postcode", "oa", "lsoa", "msoa", "ward", "lad"]
    assert data["areas"][0]["figures"][0]["synthetic"] is True
    assert "not for any individual address" in data["address_notice"]


def test_unknown_postcode_is_a_404_that_says_what_is_covered(client):
    r = client.get("/search?q=ZZ9 9ZZ")
    assert r.status_code == 404
    assert "No postcode &#39;ZZ9 9ZZ&#39;" in r.text and "West Yorkshire" in r.text


def test_search_by_code_goes_to_the_area(client):
    r = client.get("/search?q=e08000035", follow_redirects=False)
    assert r.headers["location"] == "/areas/E08000035"


def test_sources_page_lists_every_release_with_provenance(client):
    data = client.get("/sources.json").json()
    assert {r["release_id"] for r in data["releases"]} == {
        "ons-gigabit-2024-07", "ons-gigabit-2025-01", "ofcom-laua-2025-07", "demo-oa-2025-07"
    }
    page = client.get("/sources").text
    for text in ("Ofcom", "OGL v3.0", "Contains Ofcom data", "2025-07", "Synthetic output-area coverage"):
        assert text in page
    assert 'action="/download"' in page


def test_pages_use_only_local_assets(client):
    for url in PAGES + ["/api/v1/docs"]:
        page = client.get(url).text
        assert not re.search(r'(src|href)="(https?:)?//', page), url


def test_suppressed_figures_say_so_with_the_threshold(suppressed_client):
    said = "suppressed (fewer than 10 premises)"
    # area profile
    data = suppressed_client.get("/areas/E05001420.json").json()
    gig = next(f for f in data["figures"] if f["indicator"] == "gigabit")
    assert gig["suppressed"] is True and gig["value"] is None
    page = suppressed_client.get("/areas/E05001420").text
    row = re.search(r'<tr class="govuk-table__row" data-indicator="gigabit">.*?</tr>', page, re.S).group(0)
    assert said in row and "no figure" not in row
    # map table
    rows = suppressed_client.get("/map.json?indicator=gigabit&level=ward").json()["figures"]
    assert next(r for r in rows if r["area_code"] == "E05001420")["suppressed"] is True
    page = suppressed_client.get("/map?indicator=gigabit&level=ward").text
    row = re.search(r'<tr class="govuk-table__row" data-code="E05001420".*?</tr>', page, re.S).group(0)
    assert said in row and "no figure" not in row
    # postcode page: the ward the postcode is in
    page = suppressed_client.get("/postcodes/LS1%201AA").text
    row = re.search(r'<tr class="govuk-table__row" data-code="E05001420">.*?</tr>', page, re.S).group(0)
    assert f"Gigabit-capable broadband: <strong>{said}</strong>" in row


def test_suppressed_without_a_recorded_threshold(client, fixture_store_path, tmp_path):
    from fastapi.testclient import TestClient

    from observatory.web.app import create_app

    from .fixture_store import SUPPRESS_HEADINGLEY, make_variant

    path = make_variant(fixture_store_path, tmp_path / "store.duckdb", SUPPRESS_HEADINGLEY)
    with TestClient(create_app(path)) as c:
        page = c.get("/areas/E05001420").text
    assert "suppressed (too few premises to publish)" in page


def test_map_summary_counts_ties_at_the_top(suppressed_client, client):
    data = suppressed_client.get("/map.json?indicator=sfbb&level=ward").json()
    text = data["summary"]["text"]
    # Bolton and Undercliffe, City, City and Hunslet: first by name is "Bolton and Undercliffe".
    assert "highest 100.0% (3 wards, including Bolton and Undercliffe)" in text
    assert "lowest in Headingley (85.0%)" in text
    assert data["summary"]["highest"]["areas"] == 3 and data["summary"]["lowest"]["areas"] == 1
    # A single highest area is still named on its own.
    assert "highest in Bolton and Undercliffe (90.0%)" in client.get("/map.json?level=ward").json()["summary"]["text"]


def test_sources_show_each_release_file_files_used_and_checksum(client):
    from .fixture_store import OFCOM_CHECKSUM, OFCOM_FILES_USED

    data = client.get("/sources.json").json()
    ofcom = next(r for r in data["releases"] if r["release_id"] == "ofcom-laua-2025-07")
    assert ofcom["file"] == "ofcom.zip"  # its name, not where it sits on the server
    assert ofcom["files_used"] == list(OFCOM_FILES_USED)
    assert ofcom["checksum"] == OFCOM_CHECKSUM
    assert client.get("/api/v1/releases").json()["releases"] == data["releases"]
    page = client.get("/sources").text
    row = re.search(r'<tr class="govuk-table__row" data-release="ofcom-laua-2025-07">.*?</tr>', page, re.S).group(0)
    assert "ofcom.zip" in row and "/srv/observatory" not in page
    for name in OFCOM_FILES_USED:
        assert name in row
    # Shortened where it is read, in full for whoever checks the file.
    assert f">{OFCOM_CHECKSUM[:12]}…<" in row
    assert f'title="{OFCOM_CHECKSUM}"' in row


def test_every_page_sends_security_headers_and_answers_head(client):
    for path in ("/", "/map", "/areas/E08000035", "/sources", "/api/v1", "/api/v1/docs", "/search?q=leeds"):
        r = client.get(path)
        assert r.status_code == 200, path
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        head = client.head(path)
        assert head.status_code == 200 and head.content == b"", path
        # no inline script or style attribute anywhere the policy would block
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", r.text), path
        assert "style=" not in r.text, path


def test_api_index_lists_every_endpoint(client):
    data = client.get("/api.json").json()
    paths = {e["path"] for e in data["endpoints"]}
    assert "/api/v1/figures" in paths and len(paths) >= 5
    assert client.get("/api").status_code == 200


def test_a_forged_host_is_never_echoed_in_a_redirect(client):
    r = client.get("/search?q=ls11ba", headers={"host": "evil.example"}, follow_redirects=False)
    assert r.status_code in (302, 303, 307) and "evil.example" not in r.headers["location"]
    assert r.headers["location"].startswith("/")


def test_a_failed_build_is_said_on_every_page_while_the_previous_store_serves(fixture_store_path):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from observatory.web.app import create_app

    reason = 'ofcom.csv, row 4, column "All Premises": the cell is blank.'
    with TestClient(create_app(fixture_store_path, build_error=reason)) as c:
        for path in ("/", "/map", "/sources"):
            page = c.get(path)
            assert page.status_code == 200
            assert "The last build of this workspace failed" in page.text and "the cell is blank" in page.text


def test_search_treats_percent_and_underscore_as_characters(client):
    assert client.get("/search.json?q=%25").json()["results"] == []
    assert client.get("/search.json?q=_").json()["results"] == []


def test_a_profile_says_how_each_figure_was_made_in_words(client):
    """The store keeps a method id per figure; a profile's tables say it in words (the glossary's
    Methods explain them), the JSON keeps the id. Leeds's figures are the publisher's; a ward's
    are rolled up from its output areas."""
    for code, method, words in (("E08000035", "published", "published"), ("E05001420", "rolled-up", "rolled up")):
        data = client.get(f"/areas/{code}.json").json()
        assert {f["method"] for f in data["figures"]} == {method}
        cells = re.findall(r'<td class="govuk-table__cell">(.*?)</td>', client.get(f"/areas/{code}").text, re.S)
        shown = {re.sub(r"<[^>]+>", "", c).strip() for c in cells}
        assert words in shown
        assert not shown & {"rolled-up", "estimated-weights"}
