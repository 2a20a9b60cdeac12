"""Search knows places as well as codes: towns lead to their areas, every area names the one it
lies in, and a long answer is counted in full and paged (issue 12, point 10)."""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections import Counter

import pytest

from ..conftest import WORKSPACE

SITES = WORKSPACE / "data" / "sites" / "wy_osm_public_sites_2023.csv"
BOUNDARIES = WORKSPACE / "data" / "boundaries"
DISTRICT_NAMES = {"E08000032": "Bradford", "E08000033": "Calderdale", "E08000034": "Kirklees",
                  "E08000035": "Leeds", "E08000036": "Wakefield"}


def _sites_in(town: str) -> list[dict[str, str]]:
    """Sites whose OpenStreetMap address gives the town (addr:city or addr:town)."""
    with open(SITES, newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f)
                if re.search(rf'"addr:(city|town)"=>"{re.escape(town)}"', r["other_tags"] or "")]


def _names(file: str, prop: str) -> list[str]:
    with gzip.open(BOUNDARIES / file, "rt", encoding="utf-8") as f:
        return [feat["properties"][prop] for feat in json.load(f)["features"]]


def _ward_districts() -> dict[str, str]:
    """Ward code -> district name, from the ward boundaries' own district column where it has one."""
    with gzip.open(BOUNDARIES / "wy_wards2025.geojson.gz", "rt", encoding="utf-8") as f:
        features = json.load(f)["features"]
    props = features[0]["properties"]
    lad = next((k for k in props if k.startswith("LAD") and k.endswith("CD")), None)
    return {feat["properties"]["WD25CD"]: DISTRICT_NAMES.get(feat["properties"][lad]) for feat in features} if lad else {}


@pytest.mark.slow
@pytest.mark.parametrize("town", ["Huddersfield", "Halifax"])
def test_a_town_finds_its_district_and_wards(real_client, town):
    sites = _sites_in(town)
    assert len(sites) >= 50  # the data holds the town
    # its district: where most of the sites that give it as their address are (the file's own lad_name)
    district = Counter(r["lad_name"] for r in sites).most_common(1)[0][0]
    assert district in {"Kirklees", "Calderdale"}

    data = real_client.get("/search.json", params={"q": town}).json()
    place = data["places"][0]
    assert place["name"] == town and place["kind"] == "town"
    assert [d["name"] for d in place["districts"]] == [district]
    # every site inside the region lies in one of its wards, each ward counted once
    assert place["sites"] == sum(w["sites"] for w in place["wards"])
    assert abs(place["sites"] - len(sites)) <= 3
    wards = {w["code"] for w in place["wards"]}
    kids = {c["code"] for c in real_client.get(f"/areas/{place['districts'][0]['code']}.json").json()["children"]}
    assert wards and len(wards & kids) >= len(wards) - 1, "a town's wards lie in its district"
    lookup = _ward_districts()
    if lookup:
        assert Counter(lookup[w["code"]] for w in place["wards"]).most_common(1)[0][0] == district

    page = real_client.get("/search", params={"q": town})
    assert page.status_code == 200
    assert f"<strong>{town}</strong>, town in" in page.text
    assert f'href="/areas/{place["districts"][0]["code"]}"' in page.text
    assert f'href="/areas/{place["wards"][0]["code"]}"' in page.text
    assert "No place, area name or code" not in page.text


@pytest.mark.slow
def test_leeds_reports_the_true_total_and_pages(real_client):
    # every district, MSOA and LSOA whose name contains "Leeds", from the boundary files
    expected = sum("leeds" in n.lower() for n in _names("wy_lsoa2021.geojson.gz", "LSOA21NM"))
    expected += sum("leeds" in n.lower() for n in _names("wy_msoa2011.geojson.gz", "MSOA11NM"))
    expected += 1  # the district
    assert expected > 100

    first = real_client.get("/search.json?q=Leeds").json()
    assert first["total"] == expected
    assert first["page"] == 1 and first["pages"] == -(-expected // 20)
    assert len(first["results"]) == 20 and first["first"] == 1 and first["last"] == 20
    assert first["results"][0]["code"] == "E08000035"
    assert first["results"][0]["described"] == "district in West Yorkshire Combined Authority"

    second = real_client.get("/search.json?q=Leeds&page=2").json()
    assert second["page"] == 2 and second["first"] == 21 and len(second["results"]) == 20
    assert not {r["code"] for r in first["results"]} & {r["code"] for r in second["results"]}

    last = real_client.get(f"/search.json?q=Leeds&page={first['pages']}").json()
    assert last["last"] == expected and len(last["results"]) == expected - 20 * (first["pages"] - 1)
    # a page past the end shows the last one
    assert real_client.get("/search.json?q=Leeds&page=999").json()["page"] == first["pages"]

    # every area on every page, once each
    seen = set()
    for p in range(1, first["pages"] + 1):
        seen |= {r["code"] for r in real_client.get(f"/search.json?q=Leeds&page={p}").json()["results"]}
    assert len(seen) == expected

    html = real_client.get("/search?q=Leeds&page=2").text
    assert f"Showing 21 to 40 of {expected} areas" in html
    assert 'href="/search?q=Leeds&amp;page=3#areas"' in html and 'rel="prev"' in html
    api = real_client.get("/api/v1/search?q=Leeds&page=2").json()
    assert api["total"] == expected and api["page"] == 2


@pytest.mark.slow
def test_results_name_the_area_they_lie_in(real_client):
    data = real_client.get("/search.json?q=Headingley").json()
    ward = next(r for r in data["results"] if r["code"] == "E05011397")
    assert ward["described"] == "ward in Leeds" and ward["parents"][0]["name"] == "Leeds"
    assert '<a class="govuk-link obs-term" href="/glossary#ward">Ward</a> in Leeds' in real_client.get("/search?q=Headingley").text
    msoa = real_client.get("/search.json?q=Leeds 001").json()["results"][0]
    assert re.fullmatch(r"MSOA in .+ ward, Leeds", msoa["described"])


@pytest.mark.slow
def test_the_page_is_part_of_the_cached_answer(real_client):
    """The response cache keys on declared parameters only: page 2 is not page 1 served again."""
    one = real_client.get("/search.json?q=Bradford").json()
    assert real_client.get("/search.json?q=Bradford").json() == one  # served again, from the cache
    two = real_client.get("/search.json?q=Bradford&page=2").json()
    assert one["total"] == two["total"] > 20
    assert one["page"] == 1 and two["page"] == 2
    assert one["results"] != two["results"]


def test_a_store_without_a_sites_file_still_searches_areas(client):
    data = client.get("/search.json?q=Headingley").json()
    assert data["places"] == [] and data["total"] >= 1
    assert data["results"][0]["described"].startswith("ward in ")


def test_a_missing_or_broken_sites_file_leaves_search_working(fixture_store_path, tmp_path):
    from observatory.store import Store
    from observatory.web import catalogue

    (tmp_path / "observatory.toml").write_text('[inclusion]\nsites = "sites.csv"\n', encoding="utf-8")
    with Store(fixture_store_path) as store:
        assert catalogue.place_index(store, catalogue.sites_file(store, tmp_path)) == []  # no file
        (tmp_path / "sites.csv").write_text('name,lon,lat,other_tags\nA,x,y,"""addr:city""=>""Leeds"""\n',
                                            encoding="utf-8")
        assert catalogue.place_index(store, catalogue.sites_file(store, tmp_path)) == []  # no coordinates
        (tmp_path / "sites.csv").write_text("not,a\nsites file", encoding="utf-8")
        data = catalogue.search(store, "Headingley", 1, tmp_path)
        assert data["places"] == [] and data["total"] >= 1
