"""The weight-perturbation analysis: seeded, bounded, and collapsing to the plain index when the
draws cannot move."""

from __future__ import annotations

import numpy as np
import pytest

from observatory.inclusion import index as idx
from observatory.inclusion import sensitivity as sens

SCORES = np.array([[0, 0, 0], [5, 5, 5], [10, 10, 10], [5, 0, 2.5], [9, 1, 9]], dtype=float)
OF = np.array([0, 0, 1])
IW = np.array([1.0, 3.0, 2.0])
CW = np.array([1.0, 3.0])


def test_draws_sum_to_one_and_keep_zero_weights_zero():
    comp, ind = sens.weight_draws(np.array([1.0, 0.0, 2.0]), OF, CW, 500, 1, 20.0)
    assert comp.sum(axis=1) == pytest.approx(np.ones(500))
    assert (ind[:, 1] == 0).all()
    assert ind[:, 0] == pytest.approx(np.ones(500))  # the only weighted indicator of its component
    # centred on the chosen weights: component B's mean share is near 3 / 4
    assert abs(comp[:, 1].mean() - 0.75) < 0.02


def test_same_seed_same_answer():
    a = sens.analyse(SCORES, IW, OF, CW, draws=200, seed=7, share=0.2)
    b = sens.analyse(SCORES, IW, OF, CW, draws=200, seed=7, share=0.2)
    assert (a.share_in_top == b.share_in_top).all() and (a.rank_high == b.rank_high).all()


def test_unmovable_weights_reproduce_the_index():
    # a huge concentration keeps every draw at the chosen weights: the top area is top every time
    s = sens.analyse(SCORES, IW, OF, CW, draws=100, seed=3, concentration=1e9, share=0.2)
    plain = idx.combine(SCORES, IW, OF, CW)
    top = plain.rank <= idx.top_share(5, 0.2)
    assert list(s.share_in_top) == list(top.astype(float))
    assert list(s.rank_low) == list(plain.rank) == list(s.rank_high)


def test_draw_indices_match_combine_for_each_draw():
    comp, ind = sens.weight_draws(IW, OF, CW, 5, 11, 5.0)
    many = sens.draw_indices(SCORES, OF, comp, ind)
    for d in range(5):
        one = idx.combine(SCORES, ind[d], OF, comp[d])
        assert many[:, d] == pytest.approx(one.index)


def test_real_data_shares_and_intervals(model):
    r = model.compute("lsoa", "ca", sensitivity=True)
    s = r.sensitivity
    assert s.draws == 1000 and s.top_n == 141
    assert ((s.share_in_top >= 0) & (s.share_in_top <= 1)).all()
    assert (s.rank_low <= s.rank_high).all() and s.rank_low.min() >= 1 and s.rank_high.max() <= 1404
    # on average over draws exactly top_n areas are in the top: the shares sum to top_n
    assert s.share_in_top.sum() == pytest.approx(141)


def test_phrase_names_what_it_measures():
    assert sens.phrase(0.94, 0.1) == "stays in the top 10% under 94% of alternative weightings"
    assert sens.phrase(0.03, 0.1, high_risk=False) == "enters the top 10% under 3% of alternative weightings"


def test_ranks_within_groups_under_every_draw():
    # two groups of areas: 0, 1, 2 (group 0) and 3, 4 (group 1); unmovable weights, so every draw
    # gives the plain index. By hand (IW 1, 3 | 2; CW 1, 3): component A = (s0 + 3 s1) / 4,
    # B = s2; index = (A + 3 B) / 4:
    #   area 0: 0; area 1: 5; area 2: 10; area 3: A = 5/4, B = 2.5 -> (1.25 + 7.5) / 4 = 2.1875;
    #   area 4: A = (9 + 3) / 4 = 3, B = 9 -> (3 + 27) / 4 = 7.5
    groups = np.array([0, 0, 0, 1, 1])
    s = sens.analyse(SCORES, IW, OF, CW, draws=50, seed=3, concentration=1e9, share=0.2, groups=groups)
    # group 0 ranks 2 (10) first, then 1 (5), then 0 (0); group 1 ranks 4 (7.5), then 3
    assert list(s.rank_low) == [3, 2, 1, 2, 1] == list(s.rank_high)
    # the top 20% of each group is one area (at least one per group): areas 2 and 4
    assert list(s.share_in_top) == [0, 0, 1, 0, 1]
    assert s.top_n == 2


def test_rank_within_and_top_within_by_hand():
    index = np.array([3.0, 9.0, np.nan, 1.0, 4.0, 2.0])
    groups = np.array([0, 0, 0, 1, 1, 1])
    rank, size = idx.rank_within(index, groups)
    assert list(rank) == [2, 1, 3, 3, 1, 2]  # no index ranks last in its group
    assert list(size) == [3, 3, 3, 3, 3, 3]
    # top 40% of 3 areas: ceil(1.2) = 2 per group
    assert list(idx.top_within(rank, size, 0.4)) == [True, True, False, False, True, True]
