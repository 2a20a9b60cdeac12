"""The annual update as a page of the dashboard: reached from Oversight, in the site's layout with
a way back, offering the PDF with its pages and size and the date it was written; saying when the
records changed after it was written; and written again by an administrator in the background,
the old paper staying downloadable until the new one is complete.

Expected pages and sizes are read from the PDF itself (pdfinfo, the file's size), never from the
report code."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import warnings
from pathlib import Path

import pytest

from observatory import workspace
from observatory.records.db import open_records
from observatory.records.users import add_user
from observatory.report import write_report

from ..conftest import copy_workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from observatory.web.app import create_app

PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
needs_poppler = pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils missing")


@pytest.fixture(scope="module")
def ws(seeded_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the seeded workspace (its store and records), so edits here touch no other test."""
    root = copy_workspace(tmp_path_factory.mktemp("report-page") / "west-yorkshire")
    (root / "build").mkdir()
    shutil.copy(seeded_workspace / "build" / "observatory.duckdb", root / "build" / "observatory.duckdb")
    shutil.copy(seeded_workspace / "records.sqlite", root / "records.sqlite")
    return root


def _client(root: Path) -> TestClient:
    return TestClient(create_app(workspace.load(root).store_path, root), raise_server_exceptions=False)


def _main(html: str) -> str:
    return html[html.index('<main'):html.index('</main>')]


def _sign_in(c: TestClient, username: str) -> str:
    token = TOKEN.search(c.get("/login").text).group(1)
    r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/report"},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    return TOKEN.search(c.get("/login").text).group(1)


def test_before_any_report_the_page_says_how_one_is_written(ws: Path):
    with _client(ws) as c:
        page = c.get("/report")
        assert page.status_code == 200
        main = _main(page.text)
        assert "No annual update has been written" in main and "observatory report" in main
        assert 'href="/oversight"' in main  # the way back
        assert '<header class="obs-header"' in page.text  # the site's layout
        assert c.get("/report.json").json()["written"] is False
        assert c.get("/report/read").status_code == 404


@needs_poppler
def test_the_page_offers_the_pdf_with_its_pages_size_and_date(ws: Path):
    written = write_report(workspace.load(ws))
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(written.pdf)], capture_output=True,
                                                             text=True, check=True).stdout).group(1))
    kb = round(written.pdf.stat().st_size / 1000)
    with _client(ws) as c:
        main = _main(c.get("/report").text)
        assert f"Download the PDF ({pages} pages, {kb} KB)" in main
        assert 'href="/report/annual-update-2026.pdf"' in main
        assert re.search(r"Written on \d{1,2} [A-Z][a-z]+ 20\d\d at \d\d:\d\d\.", main)
        assert "before the latest changes" not in main
        assert 'href="/report/read"' in main
        document = c.get("/report/read")
        assert document.status_code == 200 and "annual update 2026" in document.text
        assert "style-src 'unsafe-inline'" in document.headers["content-security-policy"]
        pdf = c.get("/report/annual-update-2026.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        # Oversight links to the paper itself, with the same words
        oversight = c.get("/oversight").text
        assert f'href="/report/annual-update-2026.pdf" download>Download the PDF ({pages} pages, {kb} KB)' in oversight
        assert c.get("/report/..%2Fobservatory.toml").status_code == 404
        assert c.get("/report/annual-update-1999.pdf").status_code == 404


def test_after_an_edit_the_page_says_so_and_an_admin_writes_it_again(ws: Path):
    if not (ws / "build" / "report" / "index.html").exists():
        write_report(workspace.load(ws), formats=("html", "pdf"))
    before = (ws / "build" / "report" / "about.json").read_text(encoding="utf-8")
    time.sleep(1.1)  # the audit log and about.json are to the second: the edit must be a later second
    records = open_records(workspace.load(ws))
    try:
        with records.session() as s:  # an edit to the records after the paper was written
            add_user(s, "setup", "admin9", PASSWORD, "admin")
    finally:
        records.dispose()
    with _client(ws) as c:
        main = _main(c.get("/report").text)
        assert "Written before the latest changes" in main and "the records were last changed on" in main
        assert 'id="report-write"' not in main  # a visitor cannot write it
        assert "An administrator can write it again" in main
        token = _sign_in(c, "admin9")
        main = _main(c.get("/report").text)
        assert 'id="report-write"' in main and "Write the update again" in main
        assert c.post("/report/write", follow_redirects=False).status_code == 403  # no CSRF token, no job
        started = c.post("/report/write", data={"csrf_token": token}, follow_redirects=False)
        assert started.status_code == 303 and started.headers["location"].startswith("/report")
        # while it is written, the old paper is still there and the page shows the progress
        progress = c.get("/report").text
        assert 'http-equiv="refresh"' in progress or "Written before" not in progress
        assert c.get("/report/annual-update-2026.pdf").status_code == 200
        deadline = time.monotonic() + 600  # a generous bound on a shared machine, not a timing check
        while (ws / "build" / "report" / ".progress.json").exists() and time.monotonic() < deadline:
            assert c.get("/report/annual-update-2026.pdf").content.startswith(b"%PDF")
            time.sleep(1)
        assert not (ws / "build" / "report" / ".progress.json").exists()
        main = _main(c.get("/report").text)
        assert "before the latest changes" not in main
        assert "The new update could not be written" not in main
    assert (ws / "build" / "report" / "about.json").read_text(encoding="utf-8") != before
    assert not list((ws / "build").glob(".report-*"))  # the working folder is gone


def test_visitors_and_editors_cannot_start_a_job(ws: Path):
    with _client(ws) as c:
        assert c.post("/report/write", follow_redirects=False).status_code in (303, 401, 403)
        assert not (ws / "build" / "report" / ".progress.json").exists()
