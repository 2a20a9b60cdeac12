"""Invariants of roll-ups that every figure in the store relies on (Hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from observatory.indicators.rollup import nearest_weights, roll_up, roll_up_weighted

children = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),  # parent index
        st.integers(min_value=0, max_value=2000),  # premises
        st.floats(min_value=0, max_value=1),  # share with the service
    ),
    min_size=1,
    max_size=40,
)


def _facts(rows: list[tuple[int, int, float]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    den = np.array([r[1] for r in rows], dtype=float)
    num = np.floor(den * np.array([r[2] for r in rows]))
    facts = pd.DataFrame({
        "area_code": [f"c{i}" for i in range(len(rows))], "release": "2025-07", "indicator": "gigabit",
        "numerator": num, "denominator": den, "synthetic": False,
    })
    links = pd.DataFrame({
        "child": facts["area_code"], "parent": [f"p{r[0]}" for r in rows], "parent_level": "ward",
        "method": "best-fit", "weight": 1.0,
    })
    return facts, links


@given(children)
def test_parent_counts_are_the_sum_of_their_childrens(rows):
    facts, links = _facts(rows)
    parents = roll_up(facts, links).set_index("area_code")
    joined = facts.merge(links, left_on="area_code", right_on="child")
    expected = joined.groupby("parent")[["numerator", "denominator"]].sum()
    assert set(parents.index) == set(expected.index)
    assert (parents.loc[expected.index, "numerator"] == expected["numerator"]).all()
    assert (parents.loc[expected.index, "denominator"] == expected["denominator"]).all()


@given(children)
def test_rolled_up_percentages_stay_between_0_and_100(rows):
    facts, links = _facts(rows)
    values = roll_up(facts, links)["value"].dropna()
    assert ((values >= 0) & (values <= 100)).all()


@given(children, st.integers(min_value=1, max_value=50))
def test_suppressing_children_never_changes_their_parent(rows, threshold):
    """Suppression is an output rule: parents are rolled up from every child, shown or not."""
    facts, links = _facts(rows)
    before = roll_up(facts, links)
    shown = facts.assign(suppressed=facts["denominator"] < threshold)
    after = roll_up(shown, links)
    pd.testing.assert_frame_equal(before, after)


@settings(max_examples=50)
@given(st.lists(st.tuples(st.floats(0, 100), st.integers(1, 10_000)), min_size=1, max_size=20))
def test_weighted_parent_lies_between_its_childrens_percentages(rows):
    pct = pd.DataFrame({
        "area_code": [f"c{i}" for i in range(len(rows))], "release": "2023-01", "indicator": "gigabit",
        "value": [r[0] for r in rows], "synthetic": False, "release_id": "r",
    })
    counts = pd.DataFrame({"area_code": pct["area_code"], "release": "2025-07", "weight": [float(r[1]) for r in rows]})
    links = pd.DataFrame({"child": pct["area_code"], "parent": "P", "parent_level": "nation"})
    rolled, missing = roll_up_weighted(nearest_weights(pct, counts), links)
    assert missing.empty
    v = rolled["value"].iloc[0]
    assert min(r[0] for r in rows) - 1e-9 <= v <= max(r[0] for r in rows) + 1e-9
    assert rolled["method"].iloc[0] == "estimated-weights"


def test_weights_come_from_the_nearest_release_with_counts():
    pct = pd.DataFrame({"area_code": ["a", "a", "a"], "release": ["2022-09", "2024-07", "2026-01"],
                        "indicator": "gigabit", "value": [50.0, 60.0, 70.0]})
    counts = pd.DataFrame({"area_code": ["a", "a"], "release": ["2023-01", "2025-07"], "weight": [100.0, 120.0]})
    out = nearest_weights(pct, counts)
    assert list(out["weight_release"]) == ["2023-01", "2025-07", "2025-07"]
    assert list(out["weight"]) == [100.0, 120.0, 120.0]
