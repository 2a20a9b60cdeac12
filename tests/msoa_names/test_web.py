"""Where users meet an MSOA: its profile, search, the map's table and pop-up, downloads and the API
show the readable name or the description from its wards, and say which it is."""

from __future__ import annotations

import csv
import html
import io
import re
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from observatory import pipeline, workspace
from observatory.web.app import create_app

from ..web.fixture_store import make_store, make_variant
from .test_names import LEEDS_002, NAMES_2011
from .tiny import write_workspace

NOT_OFFICIAL = "A description, not an official name"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    root = write_workspace(tmp_path_factory.mktemp("tiny") / "ws", NAMES_2011)
    path = pipeline.run(workspace.load(root))
    with TestClient(create_app(path), raise_server_exceptions=False) as c:
        yield c


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_profile_of_a_named_msoa_leads_with_the_readable_name(tiny: TestClient) -> None:
    page = tiny.get("/areas/E02000001")
    assert page.status_code == 200
    assert re.search(r'<h1 class="govuk-heading-xl">Woodhouse Moor</h1>', page.text)
    words = text_of(page.text)
    assert "ONS name: Leeds 001." in words
    assert "House of Commons Library's MSOA Names (Open Government Licence v3.0)" in words
    assert "<title>Woodhouse Moor (Leeds 001) (E02000001)" in page.text


def test_profile_of_an_unnamed_msoa_says_it_is_a_description(tiny: TestClient) -> None:
    page = tiny.get("/areas/E02000002")
    assert re.search(r'<h1 class="govuk-heading-xl">Leeds 002</h1>', page.text)
    words = text_of(page.text)
    assert "In Headingley & Hyde Park ward and Little London & Woodhouse ward." in words
    assert NOT_OFFICIAL in words


def test_api_area_json_has_the_local_name_and_its_kind(tiny: TestClient) -> None:
    area = tiny.get("/api/v1/areas/E02000002").json()["area"]
    assert (area["name"], area["local_name"], area["local_name_kind"]) == ("Leeds 002", LEEDS_002, "wards")
    assert area["display_name"] == f"Leeds 002, {LEEDS_002}"
    assert area["local_name_note"].startswith(NOT_OFFICIAL)
    named = tiny.get("/areas/E02000001.json").json()["area"]
    assert (named["local_name"], named["local_name_kind"]) == ("Woodhouse Moor", "hcl")
    # areas that are not MSOAs have none
    assert tiny.get("/api/v1/areas/E08000035").json()["area"]["local_name"] is None


def test_search_shows_the_readable_name_and_the_wards(tiny: TestClient) -> None:
    words = text_of(tiny.get("/search?q=woodhouse").text)
    assert "Woodhouse Moor (Leeds 001)" in words  # found by its readable name
    # Leeds 002 is found by the ward that describes it, and says where it is
    assert "MSOA in Headingley & Hyde Park ward and Little London & Woodhouse ward, Leeds" in words


# The web fixture store (tests/web/fixture_store.py) has one MSOA under each ward; two of them are
# given local names here, as a build would write them.
LOCAL = (
    "UPDATE areas SET local_name = 'Hyde Park', local_name_kind = 'hcl' WHERE code = 'E020000000'",
    "UPDATE areas SET local_name = 'in City and Hunslet ward', local_name_kind = 'wards' WHERE code = 'E020001000'",
)


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    folder = tmp_path_factory.mktemp("named")
    path = make_variant(make_store(folder / "base.duckdb"), folder / "store.duckdb", *LOCAL)
    with TestClient(create_app(path), raise_server_exceptions=False) as c:
        yield c


def test_map_table_and_popup_show_the_local_name(named: TestClient) -> None:
    page = named.get("/map?indicator=gigabit&level=msoa").text
    headers = [text_of(h) for h in re.findall(r'<th scope="col" class="govuk-table__header">(.*?)</th>', page, re.S)]
    assert "Local name or wards, district" in headers  # the words may link to the glossary
    # the third cell of each row: where the area is
    where = {code: text_of(re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)[2]) for code, cells in re.findall(
        r'<tr class="govuk-table__row" data-code="([^"]+)"[^>]*>(.*?)</tr>', page, re.S)}
    assert where["E020000000"] == "Hyde Park, Leeds"
    assert where["E020001000"] == "in City and Hunslet ward, Leeds"
    assert where["E020010000"] == "Bradford"  # no local name: the district alone
    assert NOT_OFFICIAL in text_of(page)
    areas = named.get("/map/areas?indicator=gigabit&level=msoa").json()["areas"]
    assert len(areas["E020000000"]) == 7  # the pop-up's array keeps its shape
    assert areas["E020000000"][3] == "Leeds 00 MSOA"
    assert areas["E020000000"][5] == "Hyde Park, Leeds"
    assert areas["E020001000"][5] == "in City and Hunslet ward, Leeds"
    assert areas["E020010000"][5] == "Bradford"


def test_download_has_the_local_name_columns(named: TestClient) -> None:
    body = named.get("/download?indicator=gigabit&level=msoa&format=csv").text
    rows = {r["area_code"]: r for r in csv.DictReader(io.StringIO(body))}
    assert rows["E020000000"]["area_local_name"] == "Hyde Park"
    assert rows["E020000000"]["area_local_name_kind"] == "House of Commons Library name"
    assert rows["E020001000"]["area_local_name_kind"] == "description from its wards (not an official name)"
    assert rows["E020010000"]["area_local_name"] == ""
    wards = named.get("/download?indicator=gigabit&level=ward&format=csv").text
    assert "area_local_name" not in wards.splitlines()[0]  # no MSOAs, no such column


def test_postcode_page_names_its_msoa_by_its_local_name(named: TestClient) -> None:
    page = named.get("/postcodes/LS1%201AA").text
    assert '<a class="govuk-link" href="/areas/E020000000">Hyde Park (Leeds 00 MSOA)</a>' in page


def test_map_summary_names_msoas_with_their_local_names(named: TestClient) -> None:
    # gigabit in the fixture store: the four MSOAs at 60, 70, 80 and 90%, in the order of the wards
    summary = named.get("/map.json?indicator=gigabit&level=msoa").json()["summary"]
    assert "lowest in Hyde Park (Leeds 00 MSOA), 60.0%" in summary["text"]  # no second pair of brackets
    assert "highest in Bradford 11 MSOA (90.0%)" in summary["text"]
