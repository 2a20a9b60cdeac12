"""The one-line reason per area, worked out by hand on small inputs."""

from __future__ import annotations

import numpy as np
import pytest

from observatory.inclusion import reasons
from observatory.workspace.inclusion import IndicatorSpec


def spec(id_: str, label: str, component: str, source: str) -> IndicatorSpec:
    return IndicatorSpec(id=id_, label=label, component=component, weight=1.0, direction="higher", source=source,
                         columns=(id_,), published=label, substitute_for=None, reason=None)


SPECS = [
    spec("aged_75_plus", "% population aged 75+", "demography", "census"),
    spec("health", "IMD 2025 health deprivation and disability score", "demography", "imd"),
    spec("gigabit", "% premises with gigabit-capable broadband", "broadband", "store"),
    spec("income", "IMD 2025 income score", "deprivation", "imd"),
]


def test_themes_are_the_words_a_reader_knows():
    assert [reasons.theme(s) for s in SPECS] == ["age", "disability", "broadband", "deprivation"]


def test_shares_add_up_to_the_index_by_hand():
    # weights: age 1, health 1 (demography 2); gigabit 1 (broadband 1); income 1 (deprivation 1).
    # Area with every figure: demography share 2/4, each of its two inputs half of it: 0.25;
    # broadband 1/4; deprivation 1/4.
    scores = np.array([[8.0, 6.0, 1.0, 4.0], [8.0, np.nan, 1.0, 4.0]])
    iw = np.ones(4)
    of = np.array([0, 0, 1, 2])
    cw = np.array([2.0, 1.0, 1.0])
    share = reasons.shares(scores, iw, of, cw)
    assert share[0] == pytest.approx([0.25, 0.25, 0.25, 0.25])
    # without a health figure, age carries the whole demography share
    assert share[1] == pytest.approx([0.5, 0.0, 0.25, 0.25])
    # index of area 0 by hand: demography (8 + 6) / 2 = 7 x 2/4 + 1 x 1/4 + 4 x 1/4 = 3.5 + 1.25 = 4.75
    assert float(np.nansum(scores[0] * share[0])) == pytest.approx(4.75)


def test_high_risk_because_of_age_and_disability_broadband_good():
    # age 8 and disability 6 raise it (>= 5); broadband 1 is good (<= 2.5); income 4 neither
    scores = np.array([8.0, 6.0, 1.0, 4.0])
    share = np.full(4, 0.25)
    themes = reasons.themes_of(scores, share, np.ones(4), [reasons.theme(s) for s in SPECS],
                               np.array([False, False, False, False]))
    assert reasons.sentence(True, themes) == "High risk mainly because of age and disability; broadband is good here."


def test_the_two_that_add_most_are_named_and_illustrative_inputs_are_said():
    # broadband 9 adds 9 x 0.5 = 4.5; age 6 adds 1.5; disability 7 adds 1.75; income 0.5 is good
    scores = np.array([6.0, 7.0, 9.0, 0.5])
    share = np.array([0.25, 0.25, 0.5, 0.0])
    themes = reasons.themes_of(scores, share, np.ones(4), [reasons.theme(s) for s in SPECS],
                               np.array([False, False, True, False]))
    assert reasons.sentence(True, themes) == (
        "High risk mainly because of broadband and disability; deprivation is low here "
        "(the broadband figures are illustrative).")


def test_lower_risk_sentences():
    names = [reasons.theme(s) for s in SPECS]
    none = np.zeros(4, dtype=bool)
    low = reasons.themes_of(np.array([3.0, 4.0, 3.0, 4.0]), np.full(4, 0.25), np.ones(4), names, none)
    assert reasons.sentence(False, low) == "Lower risk, with no input high here."
    one = reasons.themes_of(np.array([3.0, 4.0, 3.0, 7.0]), np.full(4, 0.25), np.ones(4), names, none)
    assert reasons.sentence(False, one) == "Lower risk, although deprivation raises it here."
