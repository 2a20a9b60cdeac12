"""The /inclusion map in a real browser: every area drawn, the hubs on it, no script errors.
Skips without chromium (`make browser`), as tests/web/test_browser.py does."""

from __future__ import annotations

import pytest

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
    page.click("summary")
    page.fill("#c_broadband", "10")
    page.click("#recompute")
    page.wait_for_url("**/inclusion?**")
    assert "c_broadband=10" in page.url
    assert page.input_value("#c_broadband") == "10"


@pytest.mark.parametrize("path", ["/inclusion", "/inclusion/area/E05001376"])
def test_no_serious_accessibility_violations(server, page, path):  # noqa: F811
    from ..web.test_browser import AXE

    page.goto(server + path)
    if path == "/inclusion":
        page.wait_for_selector("#inclusion-map[data-ready=true]", state="attached", timeout=60_000)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
           for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], "\n".join(bad)
    assert page.errors == []
