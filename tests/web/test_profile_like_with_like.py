"""Profiles compare like with like (issue 20, item 8): a district's wards are compared with the
district's figure at the wards' release, not the district's newer one; a rank names the set it
ranks in; and the headline change has one definition, said where it is shown. Expected figures
are worked out here from the fixture store's counts (tests/web/fixture_store.py)."""

from __future__ import annotations

import html
import re
import warnings
from pathlib import Path

import pytest

from .fixture_store import GIGABIT_LAD, PREMISES, make_variant

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from observatory.web.app import create_app

# Leeds gets a January 2026 gigabit figure (ONS, 360,000 of 400,000 = 90.0%); its wards' newest is
# still July 2025's.
NEWER_DISTRICT = ("INSERT INTO facts VALUES ('ons-gigabit-2026-01', '2026-01', 'E08000035', 'lad', 'gigabit', "
                  "360000, 400000, 90.0, 'published', false, false)")


def text_of(page: str) -> str:
    """A page as a reader reads it: no tags, entities as characters, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())


@pytest.fixture(scope="module")
def newer(fixture_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    path = make_variant(fixture_store_path, tmp_path_factory.mktemp("newer") / "store.duckdb", NEWER_DISTRICT)
    with TestClient(create_app(path), raise_server_exceptions=False) as c:
        yield c


def test_wards_are_compared_with_the_district_at_their_release(newer):
    data = newer.get("/areas/E08000035.json").json()
    gigabit = next(f for f in data["figures"] if f["indicator"] == "gigabit")
    assert gigabit["release"] == "2026-01" and gigabit["value"] == 90.0  # the district's newest
    table = data["ranked_children"]
    assert table["release"] == "2025-07"
    # Leeds in July 2025: 340,000 / 400,000 = 85.0%; Headingley 60 of 100 = 60.0%, City and Hunslet
    # 70 of 100 = 70.0%: gaps -25.0 and -15.0 (not -30.0 and -20.0 against January 2026's 90.0%)
    leeds_july = 100 * GIGABIT_LAD["E08000035"]["2025-07"] / PREMISES["E08000035"]
    assert table["parent_value"] == pytest.approx(leeds_july) == pytest.approx(85.0)
    gaps = {r["code"]: r["gap_pp"] for r in table["rows"]}
    assert gaps == {"E05001420": -25.0, "E05001421": -15.0}
    page = text_of(newer.get("/areas/E08000035").text)
    assert "Leeds's (85.0%), in percentage points, both at July 2025" in page


def test_the_headline_change_says_what_it_is_measured_against(client):
    # Leeds gigabit July 2025 85.0% against July 2024 300,000 / 400,000 = 75.0%: up 10.0 points, the
    # newest release at least twelve months earlier, on the overview and the area page alike
    page = text_of(client.get("/areas/E08000035").text)
    assert "up 10.0 percentage points since July 2024 (the change against the newest release at least twelve months earlier)" in page
    overview = text_of(client.get("/").text)
    assert "Each change is against the newest release at least twelve months earlier" in overview
    assert "The newest Ofcom release in this observatory is July 2025." in overview
