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
