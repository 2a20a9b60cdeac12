"""Suppression that holds: small cells hidden, and enough others hidden that no hidden cell can be
worked out from everything the store publishes, exactly or to within its protection interval.

Primary suppression hides every figure over fewer premises than the workspace's threshold (Ofcom
hides postcodes with fewer than 4 connections). That alone is not enough: a total is the sum of
its parts, so an attacker who knows every published total and every shown cell can solve for
hidden ones. One parent at a time is not the whole of it either: output areas nest in LSOAs, MSOAs
and wards that do not nest in each other, and ward minus MSOA totals can isolate a cell that every
single parent hides with a sibling. Complementary (secondary) suppression is therefore audited as
statistical disclosure control tools audit it (Hundepool et al., Statistical Disclosure Control,
2012, ch. 4; tau-argus and sdcTable on secondary suppression and protection intervals): every
published total of a release, over every hierarchy, is one linear system, and cells are added
until, for every hidden cell,

- it is not determined by the system (no combination of published totals gives it), and
- the attacker's interval for it (its minimum and maximum given every total and that no count is
  negative) reaches at least PROTECTION (10%) of its premises count either side of the truth,
  and at least MIN_PROTECTION premises, so a small or empty area is not pinned down either.

The system is solved as a network (pipeline.suppression_network): the store's totals form two
trees over the output areas (LSOA, MSOA, district; ward), which is what makes the audit exact and
fast. The premises count is what the interval protects. The numerators (premises with a service)
are hidden with it and follow the same system, so none of them is determined exactly either; their
intervals depend on their own values and are not audited here.

The tests attack the result with an independent solver (tests/test_suppression_attacker.py): null
space for exactness, linear programs for the intervals, at thresholds 5, 100 and 400.

Cells are hidden per area and release for every indicator over the same premises at once (all
premises, or residential premises for the `_res` indicators): the premises count is shared, so
hiding it for one indicator and showing it for another would give it away. A count shared by two
releases of one month (a district counted by Ofcom's district table and rolled up from its output
areas) is one cell: hidden in one, hidden in both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..indicators.definitions import RESIDENTIAL_SUFFIX
from .state import isin
from .suppression_network import network, protect

# The protection interval: a hidden count must stay uncertain by at least this share of itself
# either way (tau-argus's upper and lower protection levels, as a percentage of the cell), and by
# at least MIN_PROTECTION premises (so an area of 0 or 3 premises is not pinned down either; never
# below 0, which any attacker knows). complementary(..., protection=) takes another share.
PROTECTION = 0.10
MIN_PROTECTION = 1.0


def threshold_of(meta: dict[str, str]) -> int | None:
    """The threshold a store was built with (its meta's `suppress_below`, pipeline/writer.py), or
    None when it has none: what the dashboard and the report say figures under it are hidden by."""
    try:
        return int(meta["suppress_below"])
    except (KeyError, TypeError, ValueError):
        return None


def family(indicator: pd.Series) -> pd.Series:
    """Which premises an indicator's denominator counts: 'res' for residential, else 'all'."""
    return np.where(indicator.str.endswith(RESIDENTIAL_SUFFIX), "res", "all")


def protection_needed(size: np.ndarray, protection: float = PROTECTION) -> np.ndarray:
    """How far either way the attacker's interval for a hidden count must reach."""
    return np.maximum(protection * np.asarray(size, dtype=float), MIN_PROTECTION)


@dataclass
class Outcome:
    """What complementary suppression did: the mask over the facts, how many cells (area x
    release x premises family) it added, and any hidden cell it could not fully protect."""

    mask: np.ndarray
    added: int
    exposed: int = 0       # still determined exactly (none unless a total has a single part)
    uncertified: int = 0   # not determined, but no interval of PROTECTION could be certified


def complementary(facts: pd.DataFrame, links: pd.DataFrame, primary: np.ndarray,
                  protection: float = PROTECTION) -> tuple[np.ndarray, int]:
    """The full suppression mask (primary plus complementary) over `facts`, and how many cells
    (area x release x premises family) the complementary suppressions added.

    facts: release_id, area_code, level, release, indicator, denominator, method ('rolled-up' for
    the totals the build summed; counted figures carry a denominator).
    links: child, parent, parent_level (every child -> ancestor link of the store).
    """
    out = audit(facts, links, primary, protection)
    return out.mask, out.added


def audit(facts: pd.DataFrame, links: pd.DataFrame, primary: np.ndarray,
          protection: float = PROTECTION) -> Outcome:
    """complementary(), with the counts of cells it could not fully protect."""
    counted = facts["denominator"].notna().to_numpy()
    primary = np.asarray(primary, dtype=bool)
    at = np.flatnonzero(counted)  # postcodes (percentages only) are most rows and no part of it
    part = facts.iloc[at]
    rows = pd.DataFrame({
        "release_id": part["release_id"].to_numpy(object), "area": part["area_code"].to_numpy(object),
        "release": part["release"].to_numpy(object), "family": family(part["indicator"].astype(str)),
        "size": part["denominator"].to_numpy(float), "rolled": (part["method"] == "rolled-up").to_numpy(),
    })
    cell = np.full(len(facts), -1, dtype=np.int64)
    cell[at] = pd.MultiIndex.from_frame(rows[["area", "release", "family"]]).factorize()[0]
    rows["cell"] = cell[at]
    n = int(rows["cell"].max()) + 1 if len(rows) else 0
    size = rows.groupby("cell")["size"].min().reindex(range(n)).to_numpy()
    hidden = np.zeros(n, dtype=bool)
    hidden[cell[primary & counted]] = True
    first = hidden.copy()
    need = protection_needed(size, protection)
    systems = _systems(rows, links)
    exposed = uncertified = 0
    changed = True
    while changed:  # a cell in two systems (a district in two tables) carries hiding across
        changed = False
        exposed = uncertified = 0
        for cells, member in systems:
            if not hidden[cells].any():
                continue
            net = network(size[cells], member)
            result = protect(net, hidden[cells], need[cells], size[cells])
            exposed += result.exposed
            uncertified += result.uncertified
            new = cells[result.hidden & ~hidden[cells]]
            if len(new):
                hidden[new] = True
                changed = True
    mask = np.zeros(len(facts), dtype=bool)
    mask[counted] = hidden[cell[counted]]
    return Outcome(mask | primary, int((hidden & ~first).sum()), exposed, uncertified)


def _systems(rows: pd.DataFrame, links: pd.DataFrame) -> list[tuple[np.ndarray, pd.DataFrame]]:
    """One linear system per release_id and premises family: its cells (global cell ids) and, in
    local ids, which total each base cell is summed into at each level. The totals are the figures
    the build rolled up (pipeline.rollups), each the sum of the release's own figures linked to it."""
    cells = rows.groupby(["release_id", "family", "area", "cell"], sort=False)["rolled"].max().reset_index()
    parents = cells[cells["rolled"]]
    # a figure both summed and given in one release (none today) is taken as the total only
    own = pd.MultiIndex.from_frame(cells[["release_id", "cell"]]).isin(
        pd.MultiIndex.from_frame(parents[["release_id", "cell"]]))
    base = cells[~own]
    wanted = links[isin(links["child"], set(base["area"])) & isin(links["parent"], set(parents["area"]))]
    member = base.merge(wanted[["child", "parent", "parent_level"]], left_on="area", right_on="child")
    member = member.merge(parents[["release_id", "family", "area", "cell"]],
                          left_on=["release_id", "family", "parent"], right_on=["release_id", "family", "area"],
                          suffixes=("", "_parent"))
    out = []
    for _, part in member.groupby(["release_id", "family"], sort=False):
        ids = pd.unique(np.concatenate([part["cell"].to_numpy(), part["cell_parent"].to_numpy()]))
        local = pd.Series(np.arange(len(ids)), index=ids)
        out.append((ids, pd.DataFrame({
            "cell": local[part["cell"].to_numpy()].to_numpy(), "level": part["parent_level"].to_numpy(),
            "parent": local[part["cell_parent"].to_numpy()].to_numpy(),
        })))
    return out
