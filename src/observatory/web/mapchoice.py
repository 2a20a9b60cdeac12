"""What the map's controls may offer, and the nearest view that exists when a choice has none.

The controls change together in one form: full fibre (published for districts only) with
"Ward", or a month that has district figures but no ward figures. Those never lead to an error
page: the map falls back to the nearest view that exists and says so in one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import NotFoundError
from ..levels import rank
from ..months import month_words
from ..store import Store
from ..workspace.additions import what_to_add
from .params import LEVEL_NAMES, MAP_LEVELS


@dataclass
class Choice:
    indicator: str
    level: str
    release: str
    within: str | None
    notices: list[str] = field(default_factory=list)


def offered(available: list[dict[str, Any]]) -> dict[tuple[str, str], list[str]]:
    """(indicator, level) -> its releases, for the levels the map draws."""
    return {(a["indicator"], a["level"]): list(a["releases"]) for a in available if a["level"] in MAP_LEVELS}


def nearest(store: Store, available: list[dict[str, Any]], indicator: str, level: str, release: str,
            within: str | None) -> Choice:
    views = offered(available)
    labels = {a["indicator"]: a["indicator_label"] for a in available}
    choice = Choice(indicator, level, release, within or None)
    levels = [lv for lv in MAP_LEVELS if (indicator, lv) in views]
    if not levels:
        return choice  # an indicator the map cannot draw at all: the caller's check reports it
    if (indicator, level) not in views:
        order = list(MAP_LEVELS)
        # nearest level that has it, preferring the coarser one (publishers go no finer)
        best = min(levels, key=lambda lv: (abs(order.index(lv) - order.index(level)), order.index(lv)))
        lacking = "" if any(lv == level for _, lv in views) else what_to_add(level, bool(store.names(level)))
        choice.notices.append(
            f"{lacking} Showing {PLURAL.get(best, best)} instead." if lacking else
            f"{labels.get(indicator, indicator)} is not published by {LEVEL_NAMES.get(level, level).lower()}: "
            f"showing {PLURAL.get(best, best)} instead."
        )
        choice.level = best
    releases = views[(indicator, choice.level)]
    if release != "latest" and release not in releases:
        choice.notices.append(
            f"{month_words(release)} has no {PLURAL.get(choice.level, choice.level)} figures: "
            f"showing the latest, {month_words(releases[-1])}."
        )
        choice.release = "latest"
    if choice.within:
        try:
            area = store.area(choice.within)
        except NotFoundError:
            area = None
        if area is None or rank(area["level"]) <= rank(choice.level):
            choice.notices.append(f"{choice.within} does not contain {PLURAL.get(choice.level)}: showing them all.")
            choice.within = None
    return choice


PLURAL = {"lad": "districts", "ward": "wards", "msoa": "MSOAs", "lsoa": "LSOAs", "oa": "output areas"}


def level_options(views: dict[tuple[str, str], list[str]], indicator: str) -> list[dict[str, Any]]:
    """The level select: every level, those without this indicator marked so, and those without
    any figure in this workspace (a district-only one) marked as not here, which is the reason."""
    held = {lv for _, lv in views}

    def label_of(lv: str, label: str) -> str:
        if (indicator, lv) in views:
            return label
        return f"{label} (not for this indicator)" if lv in held else f"{label} (none in this dashboard)"

    return [{"id": lv, "label": label_of(lv, label), "available": (indicator, lv) in views}
            for lv, label in MAP_LEVELS.items()]


def indicator_options(views: dict[tuple[str, str], list[str]], labels: dict[str, str],
                      level: str) -> list[dict[str, Any]]:
    """The indicator select: every indicator the map can draw; those published only at some
    levels say which ("district level only")."""
    out = []
    for ind, label in sorted(labels.items(), key=lambda kv: kv[1]):
        levels = [lv for lv in MAP_LEVELS if (ind, lv) in views]
        if not levels:
            continue
        note = ""
        if (ind, level) not in views:
            note = " (district level only)" if levels == ["lad"] else f" ({', '.join(PLURAL[lv] for lv in levels)} only)"
        out.append({"id": ind, "label": label + note, "available": (ind, level) in views})
    return out
