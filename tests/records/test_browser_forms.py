"""The records forms in a real browser with JavaScript switched off: sign in, add an update,
see it on the page with its author and in the history."""

from __future__ import annotations

import pytest

from tests.browser import chromium, served

pytestmark = [pytest.mark.browser]


@pytest.fixture
def site(app, people, records):
    from observatory.demo.records_demo import seed

    with records.session() as s:
        seed(s)
    with served(app) as url:
        yield url


def test_sign_in_and_add_an_update_without_javascript(site: str) -> None:
    with chromium() as browser:
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(f"{site}/actions/5")
        assert page.locator("form[action='/actions/5/updates']").count() == 0  # no form for visitors
        page.goto(f"{site}/login?next=/actions/5")
        page.fill("#username", "editor1")
        page.fill("#password", "correct horse battery")
        page.click("form[action='/login'] button")
        page.wait_for_url("**/actions/5")
        page.fill("#text", "Mapping data received from two providers.")
        page.select_option("#update-status", "done")
        page.click("form[action='/actions/5/updates'] button")
        page.wait_for_url("**/actions/5*")
        assert "Mapping data received from two providers." in page.locator("#updates ~ ol").first.inner_text()
        assert page.locator("#state").inner_text().startswith("done")
        assert "editor1" in page.locator("#history-list").inner_text()
