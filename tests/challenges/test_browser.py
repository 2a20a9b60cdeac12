"""The challenge pages in a real browser, at 1280 and 390 px: no serious accessibility violations
(axe-core), nothing wider than a phone, the public form usable with JavaScript off (errors keep
the input), and the editors' pages after signing in through the form."""

from __future__ import annotations

import pytest

from tests.browser import axe_violations, chromium, served

from .conftest import GOOD, send

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("records_url", ["sqlite"], indirect=True)]
PAGES = ["/challenges", "/challenges/report", "/challenges/privacy", "/challenges/report/done?ref=CH-00001"]
EDITOR_PAGES = ["/challenges/manage", "/challenges/manage/1"]


@pytest.fixture
def site(app, web, people, records):
    for _ in range(3):  # three reports in one postcode: shown in the public tables
        assert send(web).status_code == 303
    with served(app) as url:
        yield url


@pytest.fixture
def browser():
    with chromium() as b:
        yield b


def _check(page, url: str, width: int) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    assert axe_violations(page) == [], url
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{url} is wider than {width} px"


def _sign_in(page, site: str, next_path: str) -> None:
    page.goto(f"{site}/login?next={next_path}")
    page.fill("#username", "editor1")
    page.fill("#password", "correct horse battery")
    page.click("form[action='/login'] button")
    page.wait_for_url(f"**{next_path}")


@pytest.mark.parametrize("width", [1280, 390])
def test_every_challenge_page_passes_axe_at_both_widths(site, browser, width) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    for path in PAGES:
        _check(page, site + path, width)
    assert page.goto(f"{site}/challenges").ok and page.locator("#postcode-table tbody tr[data-code='LS1 1AA']").count() == 1
    _sign_in(page, site, "/challenges/manage")
    for path in EDITOR_PAGES:
        _check(page, site + path, width)
    context.close()


def test_the_form_works_without_javascript_and_keeps_the_input(site, browser) -> None:
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(f"{site}/challenges/report")
    page.fill("#postcode", "BD99 9ZZ")
    page.select_option("#claimed", GOOD["claimed"])
    page.select_option("#type", GOOD["type"])
    page.fill("#found", "Only 30 Mbit/s offered.")
    page.fill("#evidence_text", GOOD["evidence_text"])
    page.check("#consent")
    page.click("form[action='/challenges/report'] button")
    assert "is not in this observatory's postcode list" in page.inner_text("#error-summary")
    assert page.input_value("#found") == "Only 30 Mbit/s offered."
    assert page.is_checked("#consent")
    page.fill("#postcode", "LS1 1AA")
    page.click("form[action='/challenges/report'] button")
    page.wait_for_url("**/challenges/report/done?ref=CH-00004")
    assert page.inner_text("#reference") == "CH-00004"
