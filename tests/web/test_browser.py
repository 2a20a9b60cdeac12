"""What only a browser shows: the map draws and responds, the table alternative matches, search and
keyboard work, no serious accessibility violations (axe-core), and a screenshot of every page.

Drives Debian's chromium through Playwright (`make browser` installs both); `playwright install`
cannot download browsers here, and the tests skip with that reason when chromium is missing.
"""

from __future__ import annotations

import json

import pytest

from tests.browser import ARTIFACTS, AXE, chromium, served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAGES = {
    "overview": "/",
    "map-district": "/map",
    "map-lsoa": "/map?indicator=gigabit&level=lsoa",
    "map-oa": "/map?indicator=gigabit&level=oa",
    "map-uso-lsoa": "/map?indicator=below_uso&level=lsoa",
    "map-within-leeds": "/map?indicator=sfbb&level=ward&within=E08000035",
    "map-fallback": "/map?indicator=full_fibre&level=ward",
    "area-leeds": "/areas/E08000035",
    "area-lsoa": "/areas/E01011698",
    "postcode": "/postcodes/LS1%201BA",
    "search": "/search?q=headingley",
    "sources": "/sources",
    "not-found": "/areas/E99999999",
    "bad-parameter": "/map?level=county",
    "api-docs": "/api/v1/docs",
    "changes": "/changes?since=2022-09",
    "glossary": "/glossary",
    "search-leeds": "/search?q=leeds",
    "oversight": "/oversight",
}


@pytest.fixture(scope="module")
def server(built_store_path):
    from observatory.web.app import create_app

    with served(create_app(built_store_path)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser):
    # bypass_csp: only so the test can inject axe-core; the pages themselves run under the CSP
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    yield pg
    context.close()


def wait_for_map(page) -> dict:
    try:
        page.wait_for_selector("#map[data-ready=true]", state="attached", timeout=30_000)
        # the map's own count of what it loaded and drew, taken just after it is drawn
        page.wait_for_selector("#map[data-checked=true]", state="attached", timeout=30_000)
    except Exception:
        print("MAP STATE", page.url, page.eval_on_selector("#map", "el => JSON.stringify(el.dataset)"), page.errors)
        raise
    return page.eval_on_selector("#map", "el => Object.assign({}, el.dataset)")


def table_values(page) -> dict[str, float | None]:
    rows = page.eval_on_selector_all(
        "#figures-table tbody tr", "rows => rows.map(r => [r.dataset.code, r.dataset.value])"
    )
    return {code: (float(v) if v else None) for code, v in rows}


@pytest.mark.parametrize("level, count", [("lad", 5), ("ward", 124), ("lsoa", 1404), ("oa", 7131)])  # LSOA 2021, OA 2011
def test_map_draws_every_area(server, page, level, count):
    page.goto(f"{server}/map?indicator=gigabit&level={level}")
    state = wait_for_map(page)
    assert int(state["features"]) == count
    assert int(state["featuresWithFigures"]) == count
    assert int(state["renderedFeatures"]) == count
    assert page.errors == []


def test_controls_change_the_map(server, page):
    page.goto(f"{server}/map?indicator=gigabit&level=lad")
    assert int(wait_for_map(page)["renderedFeatures"]) == 5
    page.select_option("#level", "msoa")
    page.select_option("#indicator", "sfbb")
    page.click("#update-map")
    page.wait_for_url("**/map?indicator=sfbb&level=msoa*")
    assert int(wait_for_map(page)["renderedFeatures"]) == 299
    assert page.inner_text("h1") == "Superfast broadband (30 Mbit/s or more)"


def test_table_alternative_holds_the_same_values_as_the_json(server, page):
    page.goto(f"{server}/map?indicator=sfbb&level=ward")
    wait_for_map(page)
    shown = table_values(page)
    data = json.loads(page.request.get(f"{server}/map.json?indicator=sfbb&level=ward").text())
    assert shown == {f["area_code"]: f["value"] for f in data["figures"]}
    # and the map was coloured from the same figures
    areas_url = page.get_attribute("#map", "data-areas")
    coloured = json.loads(page.request.get(server + areas_url).text())["areas"]
    assert {code: v[0] for code, v in coloured.items()} == shown


def test_hover_shows_the_figure_and_a_tap_pins_it_with_a_link_to_the_profile(server, page):
    page.goto(f"{server}/map?indicator=gigabit&level=lad")
    wait_for_map(page)
    page.locator("#map").scroll_into_view_if_needed()
    box = page.locator("#map canvas").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    popup = page.wait_for_selector(".maplibregl-popup-content", timeout=5_000)
    text = popup.inner_text()
    assert "%" in text
    page.mouse.click(x, y)  # a tap stays on the page: the figure can be read, then followed
    link = page.wait_for_selector(".maplibregl-popup-content a[href^='/areas/E080000']", timeout=5_000)
    assert "%" in page.inner_text(".maplibregl-popup-content")
    link.click()
    page.wait_for_url("**/areas/E080000*")
    assert page.locator("h1").inner_text() in text


def test_table_sorts_by_value(server, page):
    page.goto(f"{server}/map?indicator=gigabit&level=lad")
    page.click("#figures-table thead a:has-text('Value')")
    page.wait_for_url("**sort=value**")
    values = list(table_values(page).values())
    assert values == sorted(values)


def test_postcode_search(server, page):
    page.goto(server + "/")
    page.fill("#site-search", " ls11ba ")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/postcodes/LS1%201BA")
    assert page.inner_text("h1") == "LS1 1BA"
    assert "not for any individual address" in page.inner_text("#postcode-notice")
    page.click("#postcode-table a[href='/areas/E08000035']")
    page.wait_for_url("**/areas/E08000035")


def test_keyboard_skip_link_and_controls(server, page):
    page.goto(server + "/map?indicator=gigabit&level=lad")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    page.focus("#level")
    page.keyboard.press("ArrowDown")  # District -> Ward
    page.keyboard.press("Tab")  # Release
    page.keyboard.press("Tab")  # Update map
    assert page.evaluate("document.activeElement.id") == "update-map"
    page.keyboard.press("Enter")
    page.wait_for_url("**level=ward**")
    # every link in the table is reachable and shows a visible focus state
    first = page.locator("#figures-table tbody a").first
    first.focus()
    outline = first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert outline != "rgba(0, 0, 0, 0)"


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_screenshot_and_accessibility(server, page, name):
    response = page.goto(server + PAGES[name])
    assert response.status in (200, 404, 422)
    if "map" in name:
        wait_for_map(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / f"{name}-print.png"), full_page=True)
    assert page.locator(".obs-nav").is_hidden()  # print CSS drops navigation
    page.emulate_media(media="screen")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], "\n".join(bad)
    assert page.errors == []


def test_the_map_draws_under_the_content_security_policy(server, browser):
    """No bypass here: the page's own scripts, MapLibre and its blob: worker all run under the CSP."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{server}/map?indicator=gigabit&level=ward")
    state = wait_for_map(page)
    assert int(state["features"]) == 124
    assert violations == []
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_works_on_a_phone(server, browser, name):
    """390 px wide: nothing scrolls sideways (tables scroll inside their own box), and no page is
    over 300 KB of HTML."""
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        response = phone.goto(server + PAGES[name])
        assert len(response.body()) < 300_000, f"{PAGES[name]} is {len(response.body()):,} bytes"
        if "map" in name and response.status == 200:
            wait_for_map(phone)
        ARTIFACTS.mkdir(exist_ok=True)
        phone.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{PAGES[name]} is {width} px wide at 390"
    finally:
        phone.close()


def test_the_navigation_is_one_line_on_a_desktop(server, page):
    """Every section is in one row of the service navigation at 1280 px (13 links wrapped onto
    three rows before they were grouped), and the search box sits in the header beside it."""
    page.goto(f"{server}/")
    tops = page.eval_on_selector_all(".govuk-service-navigation__item", "items => items.map(i => i.getBoundingClientRect().top)")
    assert len(tops) >= 6 and len(set(tops)) == 1, tops
    assert page.is_visible("header .obs-search input[name=q]")


def test_an_area_can_be_shown_on_the_map_from_the_keyboard(server, page):
    """The select beside the map lists the table page's areas; choosing one (arrow keys step
    through it) pins that area's figure on the map, with its profile link."""
    page.goto(f"{server}/map?indicator=gigabit&level=ward")
    wait_for_map(page)
    values = table_values(page)
    code = sorted(c for c, v in values.items() if v is not None)[3]
    name = page.eval_on_selector(f'#figures-table tr[data-code="{code}"] a', "a => a.textContent.trim()")
    page.focus("#map-goto")
    page.select_option("#map-goto", code)
    page.wait_for_selector(f'#map[data-shown="{code}"]', state="attached")
    popup = page.inner_text(".maplibregl-popup-content")
    assert name in popup and f"{values[code]:.1f}%" in popup
    assert page.get_attribute(".maplibregl-popup-content a", "href") == f"/areas/{code}"
    # the focus stays in the select, so the next arrow key shows the next area
    page.keyboard.press("ArrowDown")
    following = page.eval_on_selector("#map-goto", "s => s.value")
    assert following != code
    page.wait_for_selector(f'#map[data-shown="{following}"]', state="attached")
    assert page.errors == []
