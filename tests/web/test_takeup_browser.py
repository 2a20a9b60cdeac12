"""/takeup in a real browser over the bundled workspace as built: axe at 1280 and 390 px, nothing
wider than a phone, and every point of the district chart reached with the Tab key, in turn."""

from __future__ import annotations

import pytest

from tests.browser import axe_violations, chromium, served

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(built_store_path, built_workspace):
    from observatory.web.app import create_app

    with served(create_app(built_store_path, built_workspace)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.mark.parametrize("width", [1280, 390])
def test_the_take_up_page_passes_axe_and_fits_a_phone(server, browser, width) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    assert page.goto(f"{server}/takeup").status == 200
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == [] and errors == []
    context.close()


def test_every_district_point_is_reached_by_the_tab_key(server, browser) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{server}/takeup")
    expected = page.eval_on_selector_all("#takeup-chart-t ~ a.obs-point, svg[aria-labelledby='takeup-chart-t'] a.obs-point",
                                         "els => els.map(e => e.getAttribute('href'))")
    assert len(expected) == 5
    reached: list[str] = []
    for _ in range(400):
        page.keyboard.press("Tab")
        active = page.evaluate("(() => { const a = document.activeElement; return a && a.classList && "
                               "a.classList.contains('obs-point') ? a.getAttribute('href') : null })()")
        if active:
            reached.append(active)
        elif reached:
            break
    assert reached == expected
    # each point names its figures for a screen reader
    label = page.get_attribute("a.obs-point[href='/areas/E08000035']", "aria-label")
    assert label.startswith("Leeds: full fibre available") and "exclusion risk" in label
