"""The glossary: one page defining the dashboard's words, each with an anchor pages can link to
(issue 12, point 7)."""

from __future__ import annotations

import re

from observatory.web.glossary import IDS, TERMS, term

# the terms the issue asks for, by anchor
REQUIRED = {
    "lsoa", "msoa", "output-area", "ward", "district", "combined-authority", "uso", "superfast", "ultrafast",
    "gigabit", "full-fibre", "percentage-points", "premises", "take-up", "illustrative", "suppression",
    "best-fit", "rolled-up", "published", "estimated-weights", "release", "natural-breaks",
    "exclusion-risk", "backbone-reach",
    # the words the strategy, programme and records pages use
    "region", "imd", "forecast", "rag-status", "full-fibre-programme", "shared-care-record", "board-action",
}


def test_the_glossary_answers_with_every_term(client):
    page = client.get("/glossary")
    assert page.status_code == 200
    assert "<h1 class=\"govuk-heading-l\">Glossary</h1>" in page.text
    anchors = set(re.findall(r'\sid="([^"]+)"', page.text))
    assert REQUIRED <= IDS <= anchors
    # every link into the page resolves to an anchor on it
    for target in re.findall(r'href="#([^"]+)"', page.text):
        if target != "main-content":
            assert target in anchors, target
    # ids are unique, terms and group headings alike
    assert len({t[0] for t in TERMS}) == len(TERMS) and page.text.count(' id="') == len(set(re.findall(r' id="([^"]+)"', page.text)))


def test_definitions_use_the_publishers_thresholds(client):
    data = client.get("/glossary.json").json()
    words = {t["id"]: t["definition"] for t in data["terms"]}
    assert "download speed of at least 10 Mbit/s" in words["uso"]
    assert "upload speed of at least 1 Mbit/s" in words["uso"]
    assert "30 Mbit/s" in words["superfast"]
    assert "300 Mbit/s" in words["ultrafast"]
    assert "1 Gbit/s" in words["gigabit"]


def test_the_term_link_points_at_its_anchor(client):
    link = term("lsoa", "LSOA")
    assert str(link) == '<a class="govuk-link obs-term" href="/glossary#lsoa">LSOA</a>'
    assert "&lt;b&gt;" in str(term("uso", "<b>"))  # text is escaped
    page = client.get("/glossary").text
    for anchor in re.findall(r'href="/glossary#([^"]+)"', client.get("/").text):
        assert f'id="{anchor}"' in page, anchor


def test_the_footer_links_to_the_glossary(client):
    for path in ("/", "/sources", "/glossary"):
        assert 'href="/glossary">Glossary</a>' in client.get(path).text, path


def test_term_links_link_each_word_once_per_section():
    from markupsafe import Markup

    from observatory.web.glossary import TermLinks

    def link(anchor: str, text: str) -> str:
        return f'<a class="govuk-link obs-term" href="/glossary#{anchor}">{text}</a>'

    gl = TermLinks()
    first = gl("Gigabit-capable broadband across 1,404 LSOAs, up 3.0 pp; LSOAs again & <more>")
    assert str(first) == (f"{link('gigabit', 'Gigabit-capable broadband')} across 1,404 {link('lsoa', 'LSOAs')}, "
                          f"up 3.0 {link('percentage-points', 'pp')}; LSOAs again &amp; &lt;more&gt;")
    # later text in the same section: the words already linked stay plain
    assert str(gl("An LSOA is smaller than an MSOA")) == f"An LSOA is smaller than an {link('msoa', 'MSOA')}"
    assert str(gl.term("lsoa", "LSOA")) == "LSOA" and str(gl.term("no-such-term", "word")) == "word"
    gl.section()
    assert str(gl.term("lsoa", "LSOA")) == link("lsoa", "LSOA")
    # a lower layer super output area is not an output area; a name is not the term; no link in a link
    assert str(TermLinks()("a lower layer super output area")) == f"a {link('lsoa', 'lower layer super output area')}"
    assert str(TermLinks()("West Yorkshire Combined Authority")) == "West Yorkshire Combined Authority"
    assert str(TermLinks()(Markup('<a href="/areas/x">Headingley ward</a> ward'))) == (
        f'<a href="/areas/x">Headingley ward</a> {link("ward", "ward")}')
    # words asked to be skipped are left for a link nearby
    assert str(TermLinks()("full fibre premises", "premises")) == f"{link('full-fibre', 'full fibre')} premises"
