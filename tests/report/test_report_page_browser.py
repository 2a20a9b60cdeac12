"""The annual update page, the oversight page and the metrics in a real browser (Debian's chromium
through Playwright), at 1280 and at 390 px: axe finds nothing serious, nothing scrolls sideways,
the PDF is one click from Oversight, on a phone the metrics read as cards and the illustrative
banner is one short line with its details behind a link."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from observatory import workspace
from observatory.report import Written

from ..browser import ARTIFACTS, axe_violations, chromium, served
from ..conftest import copy_workspace

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PAGES = {"report": "/report", "oversight": "/oversight", "metrics": "/metrics"}
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def server(seeded_workspace: Path, report: Written, tmp_path_factory: pytest.TempPathFactory):
    """The seeded workspace's store and records, and the annual update the package wrote from
    them (conftest.py), served from a copy of their own."""
    from observatory.web.app import create_app

    root = copy_workspace(tmp_path_factory.mktemp("report-browser") / "west-yorkshire")
    (root / "build").mkdir()
    shutil.copy(seeded_workspace / "build" / "observatory.duckdb", root / "build" / "observatory.duckdb")
    shutil.copy(seeded_workspace / "records.sqlite", root / "records.sqlite")
    shutil.copytree(report.pdf.parent, root / "build" / "report")
    with served(create_app(workspace.load(root).store_path, root)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_is_accessible_and_fits(server, browser, name, width):
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 600 else 900},
                                  bypass_csp=True)  # only so axe can be injected
    page = context.new_page()
    try:
        response = page.goto(server + PAGES[name])
        assert response.status == 200
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"issue23-{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert axe_violations(page) == []
    finally:
        context.close()


def test_the_pdf_is_one_click_from_oversight_and_the_report_page(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(server + "/oversight")
        link = page.locator("#oversight-report a", has_text="Download the PDF")
        assert link.count() == 1
        assert "pages" in link.inner_text() and "KB" in link.inner_text()
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename == "annual-update-2026.pdf"
        page.goto(server + "/report")
        assert page.locator("h1").inner_text().startswith("Annual update")
        assert page.locator(".govuk-breadcrumbs a[href='/oversight']").count() == 1  # the way back
        assert page.locator("#report-pdf").is_visible()
        assert page.locator("#report-written").inner_text().startswith("Written on ")
    finally:
        context.close()


def test_on_a_phone_metrics_are_cards_and_the_banner_is_short(server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(server + "/metrics")
        card = page.locator("table.obs-metrics tbody tr").first
        assert card.evaluate("el => getComputedStyle(el).display") == "block"
        # a card is as wide as the screen allows, not a column a word wide
        assert card.bounding_box()["width"] > 300
        assert page.locator("table.obs-metrics thead").first.bounding_box()["height"] <= 2
        banner = page.locator(".obs-banner").first
        assert banner.bounding_box()["height"] < 844 / 4
        assert page.locator(".obs-banner details").first.evaluate("el => el.open") is False
        assert page.locator("h1").bounding_box()["y"] < 844  # the page's subject on the first screen
    finally:
        page.close()
