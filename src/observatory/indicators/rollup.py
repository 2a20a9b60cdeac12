"""Rolling figures up from areas to the areas that contain them.

The rules that keep figures honest (DESIGN.md, "The store"):
- a parent's figure sums its children's numerators and denominators (premise-weighted); it never
  averages percentages;
- where children have percentages but no counts (the ONS gigabit series, Ofcom's take-up table),
  the parent is weighted by the counts of the nearest release that has them, and says so
  (method 'estimated-weights');
- a suppressed child still counts in its parent: suppression happens only on output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..months import month_index

KEYS = ["release", "indicator"]


def roll_up(facts: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Sum children's counts into parents.

    facts: area_code, release, indicator, numerator, denominator, synthetic (and release_id: kept).
    links: child, parent, parent_level (one row per child and parent level).
    Returns parent rows with value = 100 * numerator / denominator and `children` (how many).
    """
    counted = facts.dropna(subset=["numerator", "denominator"])
    joined = counted.merge(links[["child", "parent", "parent_level"]], left_on="area_code", right_on="child")
    out = _sum_into_parents(joined)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["value"] = np.where(out["denominator"] > 0, 100 * out["numerator"] / out["denominator"], np.nan)
    out["method"] = "rolled-up"
    return out


def nearest_weights(percent: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Attach to each percentage row the weight from the nearest release that counts that area.

    percent: area_code, release, indicator, value.
    counts: area_code, release, weight (the denominator the percentage is over).
    Adds `weight` and `weight_release`; rows whose area no release counts get NaN. Nearest is per
    area: a district created in 2023 takes its weight from the first table that lists it, not a
    nearer table from before it existed. On a tie, the later release (newer premises counts).
    """
    if counts.empty:
        return percent.assign(weight=np.nan, weight_release=None)
    candidates = counts.rename(columns={"release": "weight_release"})[["area_code", "weight_release", "weight"]]
    rows = percent.reset_index(drop=True).assign(_row=lambda d: np.arange(len(d)))
    pairs = rows[["_row", "area_code", "release"]].merge(candidates, on="area_code", how="inner")
    if not pairs.empty:
        wanted, have = _month_numbers(pairs["release"]), _month_numbers(pairs["weight_release"])
        pairs["_distance"] = np.abs(wanted - have) - 1e-3 * have / 1e5
        pairs = pairs.sort_values(["_row", "_distance"], kind="stable").drop_duplicates("_row")
    out = rows.merge(pairs[["_row", "weight_release", "weight"]], on="_row", how="left")
    return out.drop(columns="_row")


def roll_up_weighted(percent: pd.DataFrame, links: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Premise-weighted parents of percentages: sum(p_i * w_i) / sum(w_i).

    percent: area_code, release, indicator, value, weight, synthetic (and release_id). Children without a weight are
    left out of the parent and returned as the second frame, so `check` can list them.
    """
    joined = percent.merge(links[["child", "parent", "parent_level"]], left_on="area_code", right_on="child")
    missing = joined[joined["weight"].isna()]
    usable = joined.dropna(subset=["weight", "value"]).assign(
        numerator=lambda d: d["value"] * d["weight"] / 100.0, denominator=lambda d: d["weight"]
    )
    out = _sum_into_parents(usable)
    out["value"] = 100 * out["numerator"] / out["denominator"]
    # The counts behind an estimated figure are weights, not premises with the service: do not
    # publish them as if they were counted.
    out["numerator"] = np.nan
    out["denominator"] = np.nan
    out["method"] = "estimated-weights"
    return out, missing


def _sum_into_parents(joined: pd.DataFrame) -> pd.DataFrame:
    """Children joined to their parents -> one row per parent with summed counts. Where the
    children carry a release_id, each release is summed on its own (two publishers' figures for
    the same month never add up)."""
    keys = ["parent", "parent_level", *KEYS, *(["release_id"] if "release_id" in joined.columns else [])]
    groups = joined.groupby(keys, sort=True)
    out = groups[["numerator", "denominator"]].sum()
    out["synthetic"] = groups["synthetic"].max()  # a parent of any synthetic child is synthetic
    out["children"] = groups.size()
    return out.reset_index().rename(columns={"parent": "area_code", "parent_level": "level"})


def _month_numbers(months: pd.Series) -> np.ndarray:
    """Months ("2025-07") as numbers, one apart from month to month (each distinct month worked
    out once: a release has thousands of rows)."""
    codes, distinct = pd.factorize(months)
    return np.array([month_index(m) for m in distinct], dtype=np.int64)[codes]
