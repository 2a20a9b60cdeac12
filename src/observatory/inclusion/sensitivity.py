"""How much an area's place in the list hinges on the choice of weights.

The published index has one set of weights. Here the weights are perturbed many times (1,000 draws,
seeded, so the answer is the same every run): component weights are drawn from a Dirichlet
distribution centred on the chosen weights, and so are the indicator weights within each component
(Dirichlet(c * w / sum w), c the concentration: the larger, the closer the draws stay to the chosen
weights; c = 20 moves a weight of one third by about +/- 0.1). A weight of 0 stays 0. For each draw
the index is recomputed from the same 0-10 indicator scores, and each area's rank is noted.

Per area: the share of draws in which it is in the top decile (or the configured top share), and
the 5th to 95th percentile of its rank. "In the top 10% in 97% of weightings" means robust; 40%
means the priority hinges on a weight choice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .index import membership


@dataclass
class Sensitivity:
    draws: int
    seed: int
    concentration: float
    top_n: int  # how many areas make the top share (summed over the groups ranked within)
    share_in_top: np.ndarray  # (areas,) 0-1
    rank_low: np.ndarray  # 5th percentile of rank (best)
    rank_high: np.ndarray  # 95th percentile of rank (worst)
    rank_median: np.ndarray


def weight_draws(indicator_weights: np.ndarray, component_of: np.ndarray, component_weights: np.ndarray,
                 draws: int, seed: int, concentration: float) -> tuple[np.ndarray, np.ndarray]:
    """(draws, components) component weights and (draws, indicators) indicator weights, each
    summing to 1 across components, or within each component."""
    rng = np.random.default_rng(seed)
    cw = component_weights / component_weights.sum()
    gc = np.zeros((draws, len(cw)))
    pos = cw > 0
    gc[:, pos] = rng.gamma(concentration * cw[pos], size=(draws, int(pos.sum())))
    comp = gc / gc.sum(axis=1, keepdims=True)
    m = membership(component_of, len(cw))
    within = m.T @ indicator_weights  # each component's indicator weight total
    iw = np.where(within[component_of] > 0, indicator_weights / np.where(within > 0, within, 1)[component_of], 0.0)
    gi = np.zeros((draws, len(iw)))
    ipos = iw > 0
    gi[:, ipos] = rng.gamma(concentration * iw[ipos], size=(draws, int(ipos.sum())))
    sums = gi @ m
    ind = gi / np.where(sums > 0, sums, 1.0)[:, component_of]
    return comp, ind


def draw_indices(scores: np.ndarray, component_of: np.ndarray, comp: np.ndarray, ind: np.ndarray) -> np.ndarray:
    """(areas, draws) index under every draw; an indicator without a figure drops out of the area's
    weighted mean, as in index.combine."""
    have = ~np.isnan(scores)
    s0 = np.where(have, scores, 0.0)
    if have.all():
        # every area has every figure: the weights of each draw already sum to 1 (components, and
        # indicators within each component), so the index is one matrix product
        return s0 @ (comp[:, component_of] * ind).T
    num = np.zeros((scores.shape[0], comp.shape[0]))
    den = np.zeros_like(num)
    for c in range(comp.shape[1]):
        cols = np.flatnonzero(component_of == c)
        if not len(cols) or not comp[:, c].any():
            continue
        g = ind[:, cols].T  # (k_c, draws)
        a = s0[:, cols] @ g
        b = have[:, cols].astype(float) @ g
        ok = b > 0
        comp_score = np.where(ok, a / np.where(ok, b, 1.0), 0.0)
        num += comp_score * comp[:, c][None, :]
        den += ok * comp[:, c][None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def analyse(scores: np.ndarray, indicator_weights: np.ndarray, component_of: np.ndarray,
            component_weights: np.ndarray, draws: int = 1000, seed: int = 20250701,
            concentration: float = 20.0, share: float = 0.1, groups: np.ndarray | None = None) -> Sensitivity:
    """`groups` (a small integer per area) ranks each area within its group under every draw, as
    the list ranks it when areas are compared within each district; None ranks them all together."""
    comp, ind = weight_draws(indicator_weights, component_of, component_weights, draws, seed, concentration)
    idx = draw_indices(scores, component_of, comp, ind)
    if groups is None:
        groups = np.zeros(idx.shape[0], dtype=int)
    # one row per draw, so each sort runs over contiguous memory (sorting down columns is ~10x
    # slower); ties between continuous index values do not occur in practice, and numpy's default
    # sort is deterministic, so the same seed always gives the same ranks
    # sort, so the areas of one group sit together (the index lies in 0-10: 100 per group apart)
    key = np.where(np.isnan(idx), 50.0, -idx) + 100.0 * groups[:, None]
    key = np.ascontiguousarray(key.T)
    order = np.argsort(key, axis=1)
    sizes = np.bincount(groups)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    place = np.arange(idx.shape[0])[None, :] - starts[groups[order]] + 1  # rank within the group
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, place, axis=1)
    top_each = np.maximum(1, np.ceil(sizes * share - 1e-9)).astype(int)
    top_n = int(top_each.sum())
    per_area = np.ascontiguousarray(ranks.T)
    # 5th percentile, median and 95th percentile of each area's rank, taken as order statistics
    # (outward: the interval never understates the spread)
    lo_k, mid_k, hi_k = int(np.floor(0.05 * (draws - 1))), (draws - 1) // 2, int(np.ceil(0.95 * (draws - 1)))
    part = np.partition(per_area, [lo_k, mid_k, hi_k], axis=1)
    low, median, high = part[:, lo_k], part[:, mid_k], part[:, hi_k]
    return Sensitivity(draws, seed, concentration, top_n, (per_area <= top_each[groups][:, None]).mean(axis=1),
                       low.astype(int), high.astype(int), median.astype(float))


def phrase(share_in_top: float, top_share_: float, high_risk: bool = True) -> str:
    """What the re-weighting measures, in words: 'stays in the top 10% under 94% of alternative
    weightings' (a high-risk area), 'enters the top 10% under 3% of alternative weightings' (the
    rest). It says nothing about the inputs themselves: see the leave-one-out figures for that."""
    verb = "stays in" if high_risk else "enters"
    return f"{verb} the top {100 * top_share_:.0f}% under {100 * share_in_top:.0f}% of alternative weightings"
