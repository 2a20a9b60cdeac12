"""Terms used in the annual update, for readers on paper as well as on screen.

The dashboard links its words to its glossary page; a report is read printed, away from the
dashboard, so it carries the definitions itself: "Terms used in this report" at the end of the
methodology, holding only the glossary's terms that the report uses (observatory/glossary.py), and
the first use of each term in each section links to its definition there (a link inside the
document, which the PDF keeps).
"""

from __future__ import annotations

import re
from typing import Any

from ..glossary import FIND, TAG, Places, glossary, term_of

# Elements whose text is never linked: page furniture and headings, links themselves, table
# headers and captions (names of areas and columns), drawings, and the definitions.
_SKIP = frozenset({"head", "style", "script", "title", "svg", "nav", "h1", "h2", "h3", "h4", "h5", "h6",
                   "a", "caption", "th", "dl", "button"})
_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)")


def link_terms(document: str) -> tuple[str, list[str]]:
    """The document with the first use of each term in each <section> linked to #term-ID, and the
    ids of the terms it uses, in order of first use."""
    out: list[str] = []
    used: list[str] = []
    seen: set[str] = set()
    open_skips: list[str] = []

    def link(match: re.Match) -> str:
        term_id = term_of(match)
        if term_id in seen:
            return match.group(0)
        seen.add(term_id)
        if term_id not in used:
            used.append(term_id)
        return f'<a class="term" href="#term-{term_id}">{match.group(0)}</a>'

    for part in TAG.split(document):
        if part.startswith("<"):
            found = _NAME.match(part)
            name = found.group(1).lower() if found else ""
            closing = part.startswith("</")
            if name == "section" and not closing:
                seen.clear()
            if name in _SKIP and not part.endswith("/>"):
                if not closing:
                    open_skips.append(name)
                elif name in open_skips:
                    del open_skips[len(open_skips) - 1 - open_skips[::-1].index(name)]
            out.append(part)
        elif open_skips or not part.strip():
            out.append(part)
        else:
            out.append(FIND.sub(link, part))
    return "".join(out), used


def definitions(used: list[str], suppress_below: int | None = None,
                places: Places | None = None) -> list[dict[str, Any]]:
    """The glossary entries of the terms used, in alphabetical order of their names (with the
    workspace's own places as examples, where `places` gives them)."""
    entries = {t["id"]: t for t in glossary(suppress_below, places)["terms"]}
    return sorted((entries[i] for i in used), key=lambda t: t["term"].lower())
