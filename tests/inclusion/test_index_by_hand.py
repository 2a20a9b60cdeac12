"""The index arithmetic on four areas, worked out by hand from the published formulae (GMCA DERI):
score = 10 (x - min) / (max - min), reversed where lower means more risk; weighted means."""

from __future__ import annotations

import numpy as np
import pytest

from observatory.inclusion import index as idx

# Four areas P, Q, R, S. Indicators: a1 (higher = more risk) and a2 (lower = more risk) in
# component A; b1 (higher) in component B. Weights: a1 1, a2 3, b1 2; components A 1, B 3.
VALUES = np.array([
    # a1   a2   b1
    [10.0, 50.0, 0.0],   # P
    [20.0, 30.0, 5.0],   # Q
    [30.0, 10.0, 10.0],  # R
    [20.0, 50.0, 2.5],   # S
])
REVERSE = np.array([False, True, False])
COMPONENT_OF = np.array([0, 0, 1])
IND_W = np.array([1.0, 3.0, 2.0])
COMP_W = np.array([1.0, 3.0])


def _scores(groups=None):
    groups = np.zeros(4, dtype=int) if groups is None else groups
    lo = np.empty_like(VALUES)
    hi = np.empty_like(VALUES)
    for j in range(3):
        lo[:, j], hi[:, j] = idx.group_bounds(VALUES[:, j], groups)
    return idx.scale(VALUES, lo, hi, REVERSE)[0]


def test_one_comparison_area_by_hand():
    # a1: min 10, max 30 -> P 0, Q 5, R 10, S 5
    # a2: min 10, max 50, reversed 10 (50 - x) / 40 -> P 0, Q 5, R 10, S 0
    # b1: min 0, max 10 -> P 0, Q 5, R 10, S 2.5
    expected_scores = [[0, 0, 0], [5, 5, 5], [10, 10, 10], [5, 0, 2.5]]
    s = _scores()
    assert s == pytest.approx(np.array(expected_scores, dtype=float))
    c = idx.combine(s, IND_W, COMPONENT_OF, COMP_W)
    # A = (1 a1 + 3 a2) / 4: P 0, Q 5, R 10, S 5/4 = 1.25;  B = b1
    assert c.components[:, 0] == pytest.approx([0, 5, 10, 1.25])
    assert c.components[:, 1] == pytest.approx([0, 5, 10, 2.5])
    # index = (1 A + 3 B) / 4: S = (1.25 + 7.5) / 4 = 2.1875
    assert c.index == pytest.approx([0, 5, 10, 2.1875])
    assert list(c.rank) == [4, 2, 1, 3]


def test_two_comparison_areas_by_hand():
    # P, Q in one district; R, S in another. a1: P 0, Q 10 | R 10, S 0.
    # a2 reversed: P, Q min 30 max 50 -> P 0, Q 10 | R, S min 10 max 50 -> R 10, S 0.
    # b1: P, Q min 0 max 5 -> P 0, Q 10 | R, S min 2.5 max 10 -> R 10, S 0.
    s = _scores(np.array([0, 0, 1, 1]))
    assert s == pytest.approx(np.array([[0, 0, 0], [10, 10, 10], [10, 10, 10], [0, 0, 0]], dtype=float))


def test_missing_figure_drops_out_of_the_weighted_mean():
    s = _scores()
    s[3, 1] = np.nan  # S has no a2: A = a1 alone = 5; B = 2.5; index = (5 + 3 * 2.5) / 4 = 3.125
    c = idx.combine(s, IND_W, COMPONENT_OF, COMP_W)
    assert c.components[3, 0] == pytest.approx(5.0)
    assert c.index[3] == pytest.approx(3.125)


def test_absolute_bounds_clip_and_count():
    # bounds 0-20 for a1: 30 is beyond -> 15, held at 10 and counted
    lo = np.zeros((4, 1))
    hi = np.full((4, 1), 20.0)
    s, outside = idx.scale(VALUES[:, :1], lo, hi, np.array([False]))
    assert s[:, 0] == pytest.approx([5, 10, 10, 10]) and outside == 1


def test_top_decile_size():
    assert idx.top_share(1404, 0.1) == 141  # ceil(140.4)
    assert idx.top_share(124, 0.1) == 13
    assert idx.top_share(5, 0.1) == 1
