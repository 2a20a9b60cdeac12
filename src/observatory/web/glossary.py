"""The glossary page: the words the dashboard uses (observatory/glossary.py), in plain English, each
with an anchor (/glossary#lsoa) that pages link to with the `term(id, text)` template global."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup, escape

from ..glossary import FIND as _FIND
from ..glossary import GROUPS, IDS, PHRASES, TERMS, Places, glossary, places_from, term_of
from ..glossary import TAG as _TAG
from .render import render, snapshot_of, targets_of

__all__ = ["GROUPS", "IDS", "PHRASES", "TERMS", "TermLinks", "glossary", "glossed", "router", "term"]

router = APIRouter(include_in_schema=False)


def term(term_id: str, text: str) -> Markup:
    """A link to a term's definition, for templates: {{ term("lsoa", "LSOA") }}."""
    return Markup('<a class="govuk-link obs-term" href="/glossary#{}">{}</a>').format(term_id, text)


class TermLinks:
    """Links a page's words to the glossary: each term the first time it appears, then plain text
    until `section()` starts a new part of the page. Text inside links is left alone (a link may
    not hold another). In templates: {% set gl = term_links() %} ... {{ gl(ind.definition) }},
    {{ gl.term("ward", "Ward") }}, {{ gl.section() }}."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, text: Any, *skip: str) -> Markup:
        """`text` with its terms linked, except those in `skip` (already linked nearby)."""
        if text is None:
            return Markup("")
        html = str(text) if isinstance(text, Markup) else str(escape(text))
        out, in_link = [], 0
        for part in _TAG.split(html):
            if part.startswith("<"):
                name = part[1:].split(None, 1)[0].rstrip(">").lower() if len(part) > 2 else ""
                in_link += 1 if name == "a" else -1 if name == "/a" else 0
                out.append(part)
            elif in_link or not part:
                out.append(part)
            else:
                out.append(_FIND.sub(lambda m: self._link(m, skip), part))
        return Markup("".join(out))

    def _link(self, match: re.Match, skip: tuple[str, ...]) -> str:
        term_id = term_of(match)
        if term_id in self.seen or term_id in skip:
            return match.group(0)
        self.seen.add(term_id)
        return str(term(term_id, Markup(match.group(0))))

    def term(self, term_id: str, text: str) -> Markup:
        """`text` as a link to `term_id`, or plain if the term was linked already in this section."""
        if term_id in self.seen or term_id not in IDS:
            return escape(text)
        self.seen.add(term_id)
        return term(term_id, text)

    def section(self) -> str:
        self.seen.clear()
        return ""


def glossed(text: Any, *skip: str) -> Markup:
    """One piece of text with each of its terms linked once (but those in `skip`): the `glossed`
    template filter, {{ notice | glossed("illustrative") }}."""
    return TermLinks()(text, *skip)


def places_of(request: Request) -> Places:
    """The workspace's own places, for the glossary's examples (from the store the request reads)."""
    snap = snapshot_of(request)
    targets = targets_of(request)
    sfbb = targets.target("sfbb") if targets is not None else None
    return places_from(snap.store, snap.region, sfbb.value if sfbb is not None else None)


@router.get("/glossary")
def glossary_page(request: Request) -> Response:
    snap = snapshot_of(request)
    return render(request, "glossary.html", glossary(snap.suppress_below, places_of(request)), title="Glossary")
