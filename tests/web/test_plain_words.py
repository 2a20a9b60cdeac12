"""No developer's word in front of a reader (issue 23): every page of the bundled workspace, built
and seeded as `make demo` seeds it, and the annual update's PDF (its text, as pdftotext reads it)
are read for the words a council officer or a board member should never meet.

DEVELOPER_WORDS is the maintained list: add to it when a new kind of leak is found. Text inside
<code> and <pre> (a command an officer is told to run) and inside <script> is not prose and is
not checked; attributes (links, values) are not text."""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest

from observatory import workspace
from observatory.report import write_report

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from observatory.web.app import create_app

# (name, pattern): what a reader must not meet, and why it is listed.
DEVELOPER_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a module path", re.compile(r"\bobservatory\.[a-z_]+\.[a-z_]+")),
    ("the word demo", re.compile(r"\bdemo\b(?!nstrat)|\bdemo's\b|\bdemo-seed\b", re.I)),
    ("a settings key", re.compile(r"\[\[?[a-z_]+\]\]?\s+settings|workspace's `?\[|`\[[a-z_]+\]`")),
    ("an ISO date in prose", re.compile(r"\b(19|20)\d\d-(0[1-9]|1[0-2])-([0-2]\d|3[01])\b")),
    ("an ISO month in prose", re.compile(r"(?<![\w-])(19|20)\d\d-(0[1-9]|1[0-2])(?![\d-])")),
    ("an internal release id", re.compile(r"\b[a-z]+(?:-[a-z]+)*-(19|20)\d\d-(0[1-9]|1[0-2])\b")),
    ("the forecast method's jargon", re.compile(r"\blogistic\b|\bbootstrap\b|\(saturating\)|\bseeded\b", re.I)),
    ("a level code in brackets", re.compile(r"\(ca\)")),
    ("a fractional count", re.compile(
        r"\b\d[\d,]*\.\d+ (?:sites|actions|providers|wards|residents|staff|young people|resolutions)\b(?! a (?:year|month))")),
    ("a label cased by code", re.compile(r"\bGp surgery\b")),
    ("a command line in prose", re.compile(r"`observatory [a-z]")),
)
# Pages for people who build on the data (the API's documentation, the list of every release
# with its id for the API) may name release ids and dates as the API takes them.
REFERENCE_PAGES = ("/sources", "/api")
REFERENCE_ALLOWED = {"an internal release id", "an ISO month in prose", "an ISO date in prose"}

PAGES = (
    "/", "/map", "/map?level=ward&indicator=sfbb", "/map?level=lad&indicator=full_fibre", "/changes",
    "/changes?level=ward&indicator=gigabit", "/changes?level=ward&indicator=full_fibre", "/inclusion",
    "/programme", "/metrics", "/oversight", "/actions", "/shared-care-record", "/report", "/glossary",
    "/areas/E08000033", "/areas/E47000003", "/search?q=Leeds",
)


class _Text(HTMLParser):
    """The text a reader meets: element text and the alt/title/aria-label words, not code."""

    SKIP = {"script", "style", "code", "pre"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        for name, value in attrs:
            if name in ("alt", "aria-label", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def text_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def findings(text: str, allowed: set[str] = frozenset()) -> list[str]:
    out = []
    for name, pattern in DEVELOPER_WORDS:
        if name in allowed:
            continue
        for m in pattern.finditer(text):
            out.append(f"{name}: …{text[max(0, m.start() - 60):m.end() + 40]}…")
    return out


@pytest.fixture(scope="module")
def seeded(seeded_workspace: Path) -> Path:
    """The bundled workspace built and seeded as `make demo` does (shared with the annual update's
    tests: tests/conftest.py), with its annual update written."""
    write_report(workspace.load(seeded_workspace))
    return seeded_workspace


def test_the_checker_finds_each_kind_of_word():
    text = ("set in the workspace's `[programme]` settings (the demo's target); observatory.demo.programme_demo; "
            "signed demo-seed: on 2026-12-07; as of 2025-07; release ons-gigabit-2026-01; a logistic (saturating) trend with a "
            "seeded residual bootstrap; (ca) OpenStreetMap; 1,247.9 sites; 3.1 actions; Gp surgery; run "
            "`observatory metrics set`")
    found = {f.split(":")[0] for f in findings(text)}
    assert found == {name for name, _ in DEVELOPER_WORDS}
    plain = ("Set by the council (the strategy's target of 95%). Lawson Road Health Centre was lit on 7 December "
             "2026; the January 2026 release; 1,248 sites lit; a rise of 9.6 actions a year; a demonstration "
             "workspace; GP surgery; © OpenStreetMap contributors.")
    assert findings(plain) == []


def test_no_page_shows_a_developer_word(seeded: Path):
    problems = []
    with TestClient(create_app(workspace.load(seeded).store_path, seeded), raise_server_exceptions=False) as c:
        pages = list(PAGES)
        metric = c.get("/metrics.json").json()
        first = next((m["id"] for g in metric.get("groups", []) for m in g.get("metrics", [])), None)
        if first:
            pages.append(f"/metrics/{first}")
        pages += [p for p in REFERENCE_PAGES]
        for path in pages:
            page = c.get(path)
            assert page.status_code == 200, (path, page.status_code)
            allowed = REFERENCE_ALLOWED if path.startswith(REFERENCE_PAGES) else set()
            problems += [f"{path}: {f}" for f in findings(text_of(page.text), allowed)]
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_the_annual_update_has_no_developer_word(seeded: Path):
    pdf = next((seeded / "build" / "report").glob("annual-update-*.pdf"))
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    # the list of sources names where each file came from, as its publisher names it
    problems = findings(text)
    assert not problems, "\n".join(problems)
