"""Every page links the glossary's words where a reader meets them (issue 12, point 7): a page
whose text uses a defined word ("LSOA", "USO", "full fibre", "gigabit" ...) links that word's
definition at least once, and no page links an anchor the glossary does not have.

What a page "uses" is read from the page itself: the words a reader sees in its main content,
leaving out the places a link may not go (other links, the page's <h1> and its caption, form
labels, options and buttons, hidden text)."""

from __future__ import annotations

import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from observatory.web.app import create_app

from .test_browser import PAGES as BROWSER_PAGES
from .test_pages import PAGES as FIXTURE_PAGES

# The dashboard's words as a reader meets them, written from the glossary's own headings and
# definitions (Ofcom's and ONS's names), each with the anchor of its definition. Case-insensitive,
# except abbreviations and the lower-case "combined authority" and "region" (the names "West
# Yorkshire Combined Authority" and "the whole region" in a choice are names, not the term).
WORDS: dict[str, str] = {
    "lsoa": r"\bLSOAs?\b|(?i:lower layer super output area)",
    "msoa": r"\bMSOAs?\b|(?i:middle layer super output area)",
    "output-area": r"(?i:(?<!super )\boutput areas?\b)",
    "ward": r"(?i:\bwards?\b)",
    "district": r"(?i:\bdistricts?\b)",
    "combined-authority": r"\bcombined authority\b",
    "region": r"\bregions?\b",
    "premises": r"(?i:\bpremises\b)",
    "uso": r"\bUSO\b|(?i:universal service obligation)",
    "superfast": r"(?i:\bsuperfast\b)",
    "ultrafast": r"(?i:\bultrafast\b)",
    "gigabit": r"(?i:\bgigabit\b)",
    "full-fibre": r"(?i:\bfull[- ]fibre\b(?! programme))|\bFTTP\b",
    "full-fibre-programme": r"(?i:\bfull fibre programme\b)",
    "take-up": r"(?i:\btake-up\b)",
    "backbone-reach": r"(?i:\bbackbone reach\b)",
    "percentage-points": r"(?i:\bpercentage points?\b)",
    "suppression": r"(?i:\bsuppress(?:ed|ion)\b)",
    "illustrative": r"(?i:\billustrative\b)",
    "natural-breaks": r"(?i:\bnatural breaks\b)",
    "rolled-up": r"(?i:\brolled[- ]up\b)",
    "best-fit": r"(?i:\bbest[- ]fit\b)",
    "exclusion-risk": r"(?i:\bexclusion risk\b)",
    "imd": r"\bIMD\b|(?i:index of multiple deprivation)",
    "shared-care-record": r"(?i:\bshared care record\b)",
    "forecast": r"(?i:\btrajectory\b|\bcurrent trend\b)",
    "rag-status": r"\bRAG\b",
}

# where a glossary link may not go, so a word there does not oblige the page to link it
NO_LINK_TAGS = {"a", "option", "select", "button", "label", "h1", "title", "script", "style", "svg",
                "textarea", "template", "noscript", "code"}
NO_LINK_CLASSES = ("govuk-caption-", "govuk-visually-hidden")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


# where a link must never be: inside another link or a control, in the page's title or <h1>
NEVER_INSIDE = {"a", "option", "select", "button", "label", "title", "h1", "textarea"}


class ReadableText(HTMLParser):
    """The text of <main> a reader sees and a link could be put in; and any glossary link put
    where a link may not go."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is it (or an ancestor) off limits?
        self.tags: list[str] = []
        self.in_main = 0
        self.parts: list[str] = []
        self.misplaced: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        a = dict(attrs)
        if tag == "a" and (a.get("href") or "").startswith("/glossary#") and NEVER_INSIDE & set(self.tags):
            self.misplaced.append(f"{a['href']} inside <{'><'.join(self.tags[-3:])}>")
        self.tags.append(tag)
        if tag == "main":
            self.in_main += 1
        off = (bool(self.stack and self.stack[-1]) or tag in NO_LINK_TAGS or "hidden" in a
               or a.get("aria-hidden") == "true" or any(c in (a.get("class") or "") for c in NO_LINK_CLASSES))
        self.stack.append(off)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self.stack:
            return
        self.stack.pop()
        self.tags.pop()
        if tag == "main":
            self.in_main -= 1

    def handle_data(self, data: str) -> None:
        if self.in_main and not (self.stack and self.stack[-1]):
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        return " ".join(" ".join(cls.parse(html).parts).split())

    @classmethod
    def parse(cls, html: str) -> ReadableText:
        parser = cls()
        parser.feed(html)
        return parser


def glossary_links(html: str) -> set[str]:
    return set(re.findall(r'href="/glossary#([^"]+)"', html))


def words_used(html: str) -> dict[str, str]:
    """Each word the page's readable text uses, by glossary anchor, with where it first appears."""
    text = ReadableText.of(html)
    return {tid: f"...{text[max(0, m.start() - 60):m.end() + 20]}..." for tid, pattern in WORDS.items()
            if (m := re.search(pattern, text))}


def test_the_reader_text_leaves_out_links_headings_and_controls():
    html = ('<title>LSOA</title><main><h1>Gigabit</h1><span class="govuk-caption-l">Ward</span>'
            '<p>The <a href="/x">MSOA</a> and <b>output areas</b><br>of a district.</p>'
            '<select><option>USO</option></select><button>Full fibre</button>'
            '<span class="govuk-visually-hidden">superfast</span><p hidden>take-up</p></main><p>premises</p>')
    assert ReadableText.of(html) == "The and output areas of a district."
    assert set(words_used(html)) == {"output-area", "district"}
    # "super output area" is an LSOA or MSOA, not an output area; the programme is not the term
    assert set(words_used("<main>a lower layer super output area; the Full Fibre programme</main>")) == {
        "lsoa", "full-fibre-programme"}


def test_a_link_where_links_may_not_go_is_found():
    html = ('<title>x</title><main><h1>Full <a href="/glossary#full-fibre">fibre</a></h1>'
            '<a href="/x">the <a href="/glossary#lsoa">LSOA</a></a><p><a href="/glossary#ward">ward</a></p>'
            '<select><option><a href="/glossary#uso">USO</a></option></select></main>')
    assert ReadableText.parse(html).misplaced == [
        "/glossary#full-fibre inside <main><h1>", "/glossary#lsoa inside <main><a>", "/glossary#uso inside <main><select><option>"]


def _check(client: TestClient, url: str, anchors: set[str]) -> None:
    page = client.get(url)
    assert page.status_code == 200, url
    linked = glossary_links(page.text)
    dangling = linked - anchors
    assert not dangling, f"{url} links glossary anchors that do not exist: {sorted(dangling)}"
    misplaced = ReadableText.parse(page.text).misplaced
    assert not misplaced, f"{url} puts glossary links where a link may not go: {misplaced[:5]}"
    if url.startswith("/glossary"):
        return  # the glossary does not link to itself
    missing = {tid: word for tid, word in words_used(page.text).items() if tid not in linked}
    assert not missing, f"{url} uses these words without linking the glossary: {missing}"


@pytest.fixture(scope="module")
def anchors(client: TestClient) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', client.get("/glossary").text))


def test_the_vocabulary_is_defined_in_the_glossary(anchors):
    assert set(WORDS) <= anchors


@pytest.mark.parametrize("url", FIXTURE_PAGES)
def test_fixture_pages_link_the_words_they_use(client, anchors, url):
    _check(client, url, anchors)


# The demo workspace's pages, with its records database seeded as `make records` seeds it: the
# browser tests' list and every page family the navigation reaches. Left out: the error pages (their
# words are a parameter's values, such as 'ward') and the API docs (drawn by script).
DEMO_PAGES = sorted(set(BROWSER_PAGES.values()) - {"/areas/E99999999", "/map?level=county", "/api/v1/docs"}) + [
    "/map?indicator=sfbb&level=msoa", "/changes?level=ward",
    "/areas/E47000003", "/areas/E05011397",
    "/inclusion", "/inclusion?level=lsoa", "/inclusion/area/E01011698",
    "/programme", "/programme/sites", "/programme/scenario", "/programme/scenario?what=planned&distance=200",
    "/metrics", "/actions", "/shared-care-record",
]


@pytest.fixture(scope="module")
def demo(built_workspace: Path, built_store_path: Path, tmp_path_factory: pytest.TempPathFactory):
    from observatory import workspace
    from observatory.demo import metrics_demo, programme_demo, records_demo
    from observatory.records.db import open_records
    from observatory.records.migrate import upgrade
    from observatory.strategy.board import metrics_config

    url = f"sqlite:///{tmp_path_factory.mktemp('glossary-records') / 'records.sqlite'}"
    upgrade(url)
    records = open_records(url)
    entered = [m.id for m in metrics_config(workspace.load(built_workspace)).metrics if m.source.kind == "entered"]
    with records.session() as s:
        records_demo.seed(s)
        programme_demo.seed(s, built_workspace)
        metrics_demo.seed(s, entered)
    records.dispose()
    app = create_app(built_store_path, workspace_dir=built_workspace)
    app.state.records_url = url
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _first_link(client: TestClient, page: str, prefix: str) -> str:
    return re.search(rf'href="({re.escape(prefix)}[^"#?]+)"', client.get(page).text).group(1)


@pytest.mark.slow
@pytest.mark.parametrize("url", DEMO_PAGES)
def test_demo_pages_link_the_words_they_use(demo, anchors, url):
    _check(demo, url, anchors)


@pytest.mark.slow
@pytest.mark.parametrize("listing, prefix", [("/programme/sites", "/programme/sites/WY-"), ("/metrics", "/metrics/"),
                                             ("/actions", "/actions/"), ("/shared-care-record", "/shared-care-record/")])
def test_demo_record_pages_link_the_words_they_use(demo, anchors, listing, prefix):
    _check(demo, _first_link(demo, listing, prefix), anchors)


@pytest.mark.slow
def test_the_admin_page_links_the_words_it_uses(demo, anchors):
    """/admin (users and the audit log of the demo's records) needs an admin's sign-in."""
    from observatory.records.db import open_records
    from observatory.records.users import add_user

    from ..records.helpers import sign_in

    records = open_records(demo.app.state.records_url)
    with records.session() as s:
        add_user(s, "test", "glossary-admin", "a long enough password", "admin")
    records.dispose()
    with TestClient(demo.app, raise_server_exceptions=False, follow_redirects=False) as admin:
        sign_in(admin, "glossary-admin", "a long enough password")
        assert "glossary-admin" in admin.get("/admin").text  # signed in: the page lists the users
        _check(admin, "/admin", anchors)
