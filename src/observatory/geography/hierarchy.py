"""Districts up to every area ONS publishes above them: English regions (RGN), combined
authorities (CAUTH), nations, England and Wales, Great Britain and the UK; and a workspace's own
groupings of districts.

Regions and combined authorities come from the ONS lookups shipped with the workspace (LAD 2025 to
RGN 2025 and CAUTH 2025, ONS Open Geography Portal, OGL v3.0). The rest follow from the first
letter of a district's GSS code (E England, W Wales, S Scotland, N Northern Ireland). A district
abolished before LAD 2025 sits where its successor sits today (geography.code_history), so a
release that still lists it counts it in the right parents.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..levels import EW, GB, NATIONS, UK
from .code_history import current

LINK_COLUMNS = ["child", "parent", "parent_level", "method", "weight"]


@dataclass
class Hierarchy:
    """Parents of current districts above district level: code -> [(parent, level)], and the
    parent areas' names."""

    parents: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (name, level)

    def add(self, district: str, parent: str, name: str, level: str) -> None:
        self.parents.setdefault(district, []).append((parent, level))
        self.names[parent] = (name, level)

    def members(self, parent: str) -> list[str]:
        return sorted(d for d, ps in self.parents.items() if any(p == parent for p, _ in ps))


def national(districts: list[str]) -> Hierarchy:
    """Nations, England and Wales, Great Britain and the UK for every district."""
    h = Hierarchy()
    for code in districts:
        letter = code[:1]
        if letter in NATIONS:
            h.add(code, *NATIONS[letter], "nation")
        if letter in ("E", "W"):
            h.add(code, *EW, "ew")
        if letter in ("E", "W", "S"):
            h.add(code, *GB, "gb")
        h.add(code, *UK, "uk")
    return h


def add_lookup(h: Hierarchy, table: pd.DataFrame, level: str) -> None:
    """Rows of district, parent code, parent name (already validated) into the hierarchy."""
    for district, parent, name in table[["district", "code", "name"]].itertuples(index=False):
        h.add(district, parent, name, level)


def links(h: Hierarchy, codes: list[str]) -> pd.DataFrame:
    """Each district code (current or abolished) to every parent of the district that holds its
    area today. Parents above nations also get their own parents (a region is in England...), so
    that a query never walks the tree."""
    rows = []
    for code in codes:
        for parent, level in h.parents.get(current(code), ()):
            rows.append((code, parent, level, "lookup", 1.0))
    for letter, (nation, _) in NATIONS.items():
        if letter in ("E", "W"):
            rows.append((nation, EW[0], "ew", "lookup", 1.0))
        if letter in ("E", "W", "S"):
            rows.append((nation, GB[0], "gb", "lookup", 1.0))
        rows.append((nation, UK[0], "uk", "lookup", 1.0))
    rows += [(EW[0], GB[0], "gb", "lookup", 1.0), (EW[0], UK[0], "uk", "lookup", 1.0), (GB[0], UK[0], "uk", "lookup", 1.0)]
    for parent, (_, level) in h.names.items():
        if level in ("rgn", "ca", "group"):
            nations = {p for d in h.members(parent) for p, lv in h.parents[d] if lv in ("nation", "ew", "gb", "uk")}
            for n in nations:
                rows.append((parent, n, _level_of(h, n), "lookup", 1.0))
    return pd.DataFrame(rows, columns=LINK_COLUMNS).drop_duplicates()


def _level_of(h: Hierarchy, code: str) -> str:
    return h.names[code][1]
