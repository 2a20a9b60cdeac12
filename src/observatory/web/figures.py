"""Wording shown wherever figures derive from synthetic input."""

from __future__ import annotations

ILLUSTRATIVE = (
    "Illustrative data: figures below district level are derived from a synthetic demo file, not "
    "from published coverage. Do not use them for decisions."
)
ILLUSTRATIVE_NOTE = "illustrative data (derived from synthetic demo input)"
