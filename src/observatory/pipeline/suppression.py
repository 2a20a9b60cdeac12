"""Suppression that holds: small cells hidden, and enough others hidden that no hidden cell can be
worked out by subtraction.

Primary suppression hides every figure over fewer premises than the workspace's threshold (Ofcom
hides postcodes with fewer than 4 connections). That alone is not enough: a parent is the sum of its
children, so if one child of a published parent is hidden and the rest are shown, parent minus the
others gives it back exactly. Complementary (secondary) suppression, as statistical offices do it
(ONS, "Statistical disclosure control"; Hundepool et al., Statistical Disclosure Control, ch. 4):
in every group of a published parent and its children at one level, hide at least two children or
none. The second is the smallest unsuppressed sibling (it loses the least information). A parent
with one child that is hidden is hidden too. Groups overlap (an output area sits in an LSOA, an
MSOA, a ward, a district and everything above), so the rule is applied until no group has a single
hidden child.

Cells are hidden per area and release for every indicator over the same premises at once (all
premises, or residential premises for the `_res` indicators): the premises count is shared, so
hiding it for one indicator and showing it for another would give it away.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..indicators.definitions import RESIDENTIAL_SUFFIX


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


def complementary(facts: pd.DataFrame, links: pd.DataFrame, primary: np.ndarray) -> tuple[np.ndarray, int]:
    """The full suppression mask (primary plus complementary) over `facts`, and how many cells
    (area x release x premises family) the complementary rule added.

    facts: area_code, level, release, indicator, denominator (counted figures carry one).
    links: child, parent, parent_level (every child -> ancestor link of the store).
    """
    counted = facts["denominator"].notna().to_numpy()
    cells = pd.DataFrame({
        "area": facts["area_code"].to_numpy(), "level": facts["level"].to_numpy(),
        "release": facts["release"].to_numpy(), "family": family(facts["indicator"]),
        "size": facts["denominator"].to_numpy(), "hidden": primary & counted,
    })[counted]
    # one row per area, release and family: hidden if any of its indicators is
    cell = cells.groupby(["area", "level", "release", "family"], sort=False).agg(
        size=("size", "min"), hidden=("hidden", "max")).reset_index()
    groups = links[["child", "parent"]].merge(cell[["area", "level"]].drop_duplicates(), left_on="child",
                                              right_on="area")[["child", "parent", "level"]]
    groups = groups.rename(columns={"level": "child_level"})
    key = ["release", "family"]
    members = groups.merge(cell, left_on="child", right_on="area")[["parent", "child_level", "child", *key, "size"]]
    parents = cell.rename(columns={"area": "parent", "hidden": "parent_hidden"})[["parent", *key, "parent_hidden"]]
    members = members.merge(parents, on=["parent", *key])  # only parents published with counts
    hidden = set(map(tuple, cell.loc[cell["hidden"], ["area", *key]].to_numpy()))
    added = 0
    group = ["parent", "child_level", *key]
    while True:
        live = members.assign(
            hidden=[t in hidden for t in members[["child", *key]].itertuples(index=False, name=None)],
            parent_hidden=[t in hidden for t in members[["parent", *key]].itertuples(index=False, name=None)],
        )
        live = live[~live["parent_hidden"]]
        g = live.groupby(group, sort=False)["hidden"]
        live = live.assign(n_hidden=g.transform("sum"), n=g.transform("size"))
        exposed = live[live["n_hidden"] == 1]
        # a published parent with one child at a level, and that child hidden: the parent is that child
        new = set(map(tuple, exposed.loc[exposed["n"] == 1, ["parent", *key]].to_numpy()))
        siblings = exposed[(exposed["n"] > 1) & ~exposed["hidden"]]
        smallest = siblings.sort_values("size", kind="stable").drop_duplicates(group)
        new |= set(map(tuple, smallest[["child", *key]].to_numpy()))
        new -= hidden
        if not new:
            break
        hidden |= new
        added += len(new)
    mask = np.fromiter(((a, r, f) in hidden for a, r, f in zip(
        facts["area_code"].to_numpy(), facts["release"].to_numpy(), family(facts["indicator"]), strict=True)),
        dtype=bool, count=len(facts))
    return mask & counted | primary, added
