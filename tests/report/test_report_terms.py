"""The annual update carries its own glossary for readers on paper, and reads on a phone: "Terms used in this report" holds
exactly the glossary's terms that its text uses, and the first use of each in a section links there.
Which words the text uses is found here by reading the written HTML with the standard library's
parser, not with the report's own code."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from observatory.glossary import TERMS

NOT_LINKED_IN = {"h1", "h2", "h3", "h4", "h5", "h6", "th", "caption", "a", "nav", "svg", "title", "dl"}


class ReportReader(HTMLParser):
    """The text outside the terms list, the ids and names of the terms defined, and each term link
    with the elements it sits in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.defined: dict[str, str] = {}
        self.links: list[tuple[str, tuple[str, ...], str]] = []  # (target id, enclosing elements, word)
        self.sections: list[list[str]] = []  # the targets linked in each <section>, in order
        self._dt: str | None = None
        self._link: tuple[str, tuple[str, ...]] | None = None
        self._in_terms = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section":
            self.sections.append([])
        if tag == "dl" and "terms" in (attrs.get("class") or ""):
            self._in_terms = True
        if tag == "dt" and self._in_terms:
            self._dt = attrs.get("id")
        if tag == "a" and attrs.get("class") == "term":
            self._link = (attrs["href"], tuple(self.stack))
        if tag not in ("br", "img", "meta", "link", "input", "hr"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            del self.stack[len(self.stack) - 1 - self.stack[::-1].index(tag)]
        if tag == "dl":
            self._in_terms = False

    def handle_data(self, data):
        if self._dt:
            self.defined[self._dt] = data.strip()
            self._dt = None
        if self._link:
            href, where = self._link
            self.links.append((href, where, data))
            if self.sections:
                self.sections[-1].append(href)
            self._link = None
        if not self._in_terms and not {"style", "title", "script"} & set(self.stack):
            self.text.append(data)


@pytest.fixture(scope="module")
def read(report):
    reader = ReportReader()
    reader.feed(report.html.read_text(encoding="utf-8"))
    return reader


def test_terms_defined_are_those_the_text_uses(read):
    text = " ".join(read.text)
    names = {term_id: name for term_id, name, _, _ in TERMS}
    defined = {k.removeprefix("term-") for k in read.defined}
    assert defined, "the report defines no terms"
    # Each definition is headed by the glossary's name for the term...
    for term_id in defined:
        assert read.defined[f"term-{term_id}"] == names[term_id]
    # ...words the report certainly uses are defined (all are in the summary's sentences)...
    for word, term_id in (("LSOA", "lsoa"), ("percentage points", "percentage-points"), ("Full fibre", "full-fibre"),
                          ("Shared Care Record", "shared-care-record")):
        assert re.search(rf"\b{word}\b", text, re.I), word
        assert term_id in defined, term_id
    # ...and a glossary word that never appears in it is not.
    for word, term_id in (("natural breaks", "natural-breaks"), ("backbone reach", "backbone-reach")):
        if not re.search(rf"\b{word}\b", text, re.I):
            assert term_id not in defined, term_id


def test_each_term_is_linked_once_a_section_and_never_inside_a_heading_or_table_header(read):
    targets = {f"#{k}" for k in read.defined}
    linked = {href for href, _, _ in read.links}
    assert linked == targets  # every link lands on a definition, and every definition is reached
    for href, where, word in read.links:
        assert not NOT_LINKED_IN & set(where), (href, word, where)
    for hrefs in read.sections:
        assert len(hrefs) == len(set(hrefs)), hrefs


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing: run `make test`")
def test_the_pdf_ends_with_the_terms(pdf_text):
    at = pdf_text.rindex("Terms used in this report")
    assert "LSOA (lower layer super output area)" in pdf_text[at:]


@pytest.mark.browser
@pytest.mark.slow
def test_on_a_phone_the_report_is_no_wider_than_the_screen_and_its_tables_scroll(report):
    """390 px wide (a phone): the page never scrolls sideways; a table wider than the screen
    scrolls inside its own box, which the keyboard can reach; and a term link lands on its
    definition."""
    from ..browser import ARGS, CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}: run `make browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(report.html.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        boxes = page.eval_on_selector_all(
            ".table-scroll", "els => els.map(e => [e.scrollWidth > e.clientWidth, e.tabIndex])")
        assert boxes and any(wide for wide, _ in boxes)  # the trend tables are wider than a phone
        assert all(tab == 0 for _, tab in boxes)
        first = page.locator("a.term").first
        target = first.get_attribute("href")
        first.click()
        assert page.evaluate("location.hash") == target
        assert page.locator(target).is_visible()
        browser.close()
