"""The arithmetic of the exclusion risk index, on numpy arrays (no loops over areas).

From GMCA's Digital Exclusion Risk Index methodology (OGL v3.0):
  score = 10 * (x - min) / (max - min), min and max over the LSOAs of the comparison area;
  reversed where a lower value means more risk: score = 10 * (max - x) / (max - min);
  component = sum_i(score_i * w_i) / sum_i(w_i) over the component's indicators;
  index = the same over components, with the component weights.

Beyond the published tool:
- absolute mode: min and max are fixed reference bounds saved from a baseline release, so that a
  score means the same next year (scores are clipped to 0-10; values beyond the baseline's range
  are counted and said);
- an indicator with no figure for an area drops out of that area's weighted mean (its weight is not
  counted), rather than counting as zero risk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Combined:
    components: np.ndarray  # (areas, components), NaN where no indicator of the component has a figure
    index: np.ndarray  # (areas,)
    rank: np.ndarray  # (areas,) 1 = highest risk; areas without an index rank last


def group_bounds(x: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per area, the minimum and maximum of x over the areas of its group (NaN ignored).

    `groups` holds a small integer per area (its comparison area)."""
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    lo = np.full(n_groups, np.inf)
    hi = np.full(n_groups, -np.inf)
    ok = ~np.isnan(x)
    np.minimum.at(lo, groups[ok], x[ok])
    np.maximum.at(hi, groups[ok], x[ok])
    lo[np.isinf(lo)] = np.nan
    hi[np.isinf(hi)] = np.nan
    return lo[groups], hi[groups]


def scale(values: np.ndarray, lo: np.ndarray, hi: np.ndarray, reverse: np.ndarray) -> tuple[np.ndarray, int]:
    """Scores 0-10 per area and indicator, and how many values fell outside [lo, hi] (held at 0
    or 10: only in absolute mode can a value lie beyond its bounds). Where min equals max the indicator does not separate the areas
    of that comparison area: every area scores 0 on it."""
    span = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        s = 10.0 * (values - lo) / span
    s = np.where(reverse[None, :], 10.0 - s, s)
    s = np.where(span == 0, 0.0, s)
    outside = int(np.count_nonzero((s < -1e-9) | (s > 10 + 1e-9)))
    # within the bounds by construction in relative mode: clipping there only removes rounding
    # (10.000000000000002); in absolute mode it holds values beyond the baseline at 0 or 10
    return np.clip(s, 0.0, 10.0), outside


def membership(component_of: np.ndarray, n_components: int) -> np.ndarray:
    """(indicators, components) 0/1 matrix: which component each indicator belongs to."""
    m = np.zeros((len(component_of), n_components))
    m[np.arange(len(component_of)), component_of] = 1.0
    return m


def combine(scores: np.ndarray, indicator_weights: np.ndarray, component_of: np.ndarray,
            component_weights: np.ndarray) -> Combined:
    """Weighted means: indicators into components, components into the index (weights are
    normalised by their sums, so multiplying all of a component's weights by one factor changes
    nothing)."""
    have = ~np.isnan(scores)
    s0 = np.where(have, scores, 0.0)
    w = membership(component_of, len(component_weights)) * indicator_weights[:, None]
    num = s0 @ w
    den = have.astype(float) @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        comps = np.where(den > 0, num / den, np.nan)
    chave = ~np.isnan(comps) & (component_weights[None, :] > 0)
    c0 = np.where(chave, comps, 0.0)
    cden = chave.astype(float) @ component_weights
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.where(cden > 0, (c0 @ component_weights) / cden, np.nan)
    return Combined(comps, index, rank_of(index))


def rank_of(index: np.ndarray) -> np.ndarray:
    """1 for the highest index; ties keep the areas' order; areas without an index come last."""
    key = np.where(np.isnan(index), -np.inf, index)
    order = np.argsort(-key, kind="stable")
    rank = np.empty(len(index), dtype=int)
    rank[order] = np.arange(1, len(index) + 1)
    return rank


def top_share(n: int, share: float) -> int:
    """How many areas make the top `share` (at least one): the top decile of 1,404 LSOAs is 141."""
    return max(1, int(np.ceil(n * share - 1e-9)))


def rank_within(index: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each area's rank within its group (1 = highest index; ties keep the areas' order; areas
    without an index come last) and the size of its group. `groups` holds a small integer per
    area: comparing wards within each district ranks a Bradford ward among Bradford's wards."""
    n = len(index)
    key = np.where(np.isnan(index), -np.inf, index)
    order = np.lexsort((np.arange(n), -key, groups))
    sizes = np.bincount(groups, minlength=int(groups.max()) + 1 if n else 0)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n) - starts[groups[order]] + 1
    return rank, sizes[groups]


def top_within(rank: np.ndarray, size: np.ndarray, share: float) -> np.ndarray:
    """Whether each area is in the top `share` of its group (at least one area per group)."""
    return rank <= np.maximum(1, np.ceil(size * share - 1e-9)).astype(int)
