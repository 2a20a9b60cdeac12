"""Geographic levels, finest first, and the codes of the fixed parents above districts."""

from __future__ import annotations

LEVELS = ("postcode", "oa", "lsoa", "msoa", "ward", "lad", "group", "ca", "rgn", "nation", "ew", "gb", "uk")

LEVEL_LABELS = {
    "postcode": "Postcode",
    "oa": "Output area",
    "lsoa": "Lower layer super output area",
    "msoa": "Middle layer super output area",
    "ward": "Electoral ward",
    "lad": "Local authority district",
    "group": "Grouping of districts",
    "ca": "Combined authority",
    "rgn": "English region",
    "nation": "Nation",
    "ew": "England and Wales",
    "gb": "Great Britain",
    "uk": "United Kingdom",
}

# ONS GSS codes for the nations and the UK. A district's nation is the first letter of its code
# (ONS Code History Database: E = England, W = Wales, S = Scotland, N = Northern Ireland).
NATIONS = {
    "E": ("E92000001", "England"),
    "W": ("W92000004", "Wales"),
    "S": ("S92000003", "Scotland"),
    "N": ("N92000002", "Northern Ireland"),
}
UK = ("K02000001", "United Kingdom")
EW = ("K04000001", "England and Wales")
GB = ("K03000001", "Great Britain")

# Levels above districts that are rolled up from district figures.
ABOVE_DISTRICT = ("group", "ca", "rgn", "nation", "ew", "gb", "uk")


def rank(level: str) -> int:
    """Position of a level from finest (0) to coarsest."""
    return LEVELS.index(level)
