"""The service navigation says where a page belongs, on every page family (that it fits one line
on a desktop is checked in the browser, test_browser.py)."""

from __future__ import annotations

import re

import pytest

CURRENT = re.compile(r'<a class="govuk-service-navigation__link" href="([^"]+)" aria-current="(page|true)">')


@pytest.mark.parametrize("path, section, exact", [
    ("/", "/", True),
    ("/map?indicator=gigabit&level=ward", "/map", True),
    ("/areas/E08000035", "/map", False),
    ("/changes", "/changes", True),
    ("/search?q=Leeds", "/sources", False),
    ("/glossary", "/sources", False),
    ("/sources", "/sources", True),
])
def test_each_page_marks_the_section_it_belongs_to(client, path, section, exact):
    r = client.get(path)
    assert r.status_code == 200
    marked = CURRENT.findall(r.text)
    assert marked == [(section, "page" if exact else "true")]
