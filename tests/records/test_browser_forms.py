"""The records forms in a real browser with JavaScript switched off: sign in, add an update,
see it on the page with its author and in the history."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from tests.web.test_browser import ARGS, CHROMIUM

pytestmark = [pytest.mark.browser]


@pytest.fixture
def site(app, people, records):
    import uvicorn

    from observatory.demo.records_demo import seed

    with records.session() as s:
        seed(s)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


def test_sign_in_and_add_an_update_without_javascript(site: str) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}: run `make browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
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
        assert "Mapping data received from two providers." in page.locator("#updates ~ ol").inner_text()
        assert page.locator("#state").inner_text().startswith("done")
        assert "editor1" in page.locator("#history ~ .obs-scroll").inner_text()
        browser.close()
