"""The /inclusion map in a real browser: every area drawn, the hubs on it, no script errors.
Skips without chromium (`make browser`), as tests/web/test_browser.py does."""

from __future__ import annotations

import csv
import re

import pytest

from ..conftest import WORKSPACE
from ..web.test_browser import browser, page, server  # noqa: F401 - the shared browser fixtures

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("query, features", [("", 124), ("?level=lsoa&compare_within=lad", 1404)])
def test_risk_map_draws_areas_and_hubs(server, page, query, features):  # noqa: F811
    page.goto(f"{server}/inclusion{query}")
    page.wait_for_selector("#inclusion-map[data-ready=true]", state="attached", timeout=60_000)
    state = page.eval_on_selector("#inclusion-map", "el => Object.assign({}, el.dataset)")
    assert int(state["features"]) == features
    assert int(state["hubs"]) == 423
    assert page.errors == []


def test_weight_form_works_by_submitting(server, page):  # noqa: F811
    page.goto(f"{server}/inclusion")
    page.click("details:has(#c_broadband) > summary")
    page.fill("#c_broadband", "10")
    page.click("#recompute")
    page.wait_for_url("**/inclusion?**")
    assert "c_broadband=10" in page.url
    assert page.input_value("#c_broadband") == "10"


@pytest.mark.parametrize("path", ["/inclusion", "/inclusion/area/E05001376"])
def test_no_serious_accessibility_violations(server, page, path):  # noqa: F811
    from ..browser import AXE

    page.goto(server + path)
    if path == "/inclusion":
        page.wait_for_selector("#inclusion-map[data-ready=true]", state="attached", timeout=60_000)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], "\n".join(bad)
    assert page.errors == []


def _bradford_wards() -> set[str]:
    with open(WORKSPACE / "data" / "lookups" / "wy_lsoa21_wd24_lad24_bestfit.csv", newline="", encoding="utf-8-sig") as f:
        return {r["WD24CD"] for r in csv.DictReader(f) if r["LAD24CD"] == "E08000032"}


def test_district_filter_narrows_list_and_map_and_the_area_page_ranks_the_same(server, page):  # noqa: F811
    wards = _bradford_wards()
    page.goto(f"{server}/inclusion")
    page.select_option("#compare_within", "lad")
    page.select_option("#within", "E08000032")
    page.click("#recompute")
    page.wait_for_url("**within=E08000032**")
    page.wait_for_selector("#inclusion-map[data-ready=true]", state="attached", timeout=60_000)
    assert int(page.eval_on_selector("#inclusion-map", "el => el.dataset.features")) == len(wards)
    codes = set(page.eval_on_selector_all("#inclusion-table tbody tr", "rows => rows.map(r => r.dataset.code)"))
    assert codes == wards
    first = page.locator(".obs-priority li").first
    listed = re.search(r"rank \d+ of \d+ wards in Bradford", first.inner_text()).group(0)
    assert listed.endswith(f"of {len(wards)} wards in Bradford")
    first.locator("a").first.click()
    page.wait_for_url("**/inclusion/area/**")
    assert listed in page.inner_text("#rank")
    assert "compare_within=lad" in page.url and "within=E08000032" in page.url
    page.click("#back")
    page.wait_for_url("**/inclusion?**")
    assert page.input_value("#within") == "E08000032" and page.input_value("#compare_within") == "lad"
    assert page.errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_one_district_passes_axe_and_fits_a_phone(server, browser, width):  # noqa: F811
    from ..browser import AXE

    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    pg = context.new_page()
    try:
        for path in ("/inclusion?compare_within=lad&within=E08000032", "/inclusion?level=lsoa&page=2",
                     "/inclusion/area/E05001365?compare_within=lad"):
            response = pg.goto(server + path)
            assert response.status == 200 and len(response.body()) < 300_000, path
            pg.add_script_tag(path=str(AXE))
            result = pg.evaluate("axe.run(document, {resultTypes: ['violations']})")
            bad = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
                   for v in result["violations"] if v["impact"] in ("serious", "critical")]
            assert bad == [], (path, bad)
            assert pg.evaluate("document.documentElement.scrollWidth") <= width, path
    finally:
        context.close()
