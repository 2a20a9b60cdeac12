"""The service navigation, in order: (path, label, other paths that belong under it).

Eight entries, so that the bar is one line on a desktop (GOV.UK's service navigation is meant for
a handful of sections); the board's records and the annual update sit under "Oversight", whose
page leads to each, and search, the glossary and the API under "Data"."""

from __future__ import annotations

NAV: list[tuple[str, str, tuple[str, ...]]] = [
    ("/", "Overview", ()),
    ("/map", "Map", ("/areas", "/postcode", "/challenges")),
    ("/changes", "Changes", ()),
    ("/inclusion", "Where to act", ("/takeup",)),
    ("/programme", "Full Fibre programme", ()),
    ("/metrics", "Metrics", ()),
    ("/oversight", "Oversight", ("/actions", "/shared-care-record", "/report", "/admin")),
    ("/sources", "Data", ("/api/v1/docs", "/search", "/glossary")),
]


def section_of(path: str) -> str | None:
    """The entry a page belongs to: its own path, or the entry that names a prefix of it."""
    for href, _, under in NAV:
        if path == href or (href != "/" and path.startswith(href + "/")):
            return href
        if any(path == p or path.startswith(p + "/") for p in under):
            return href
    return None
