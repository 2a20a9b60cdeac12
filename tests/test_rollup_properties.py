"""Invariants of roll-ups that every figure in the store relies on (Hypothesis)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observatory.indicators.rollup import nearest_weights, roll_up, roll_up_weighted
from observatory.pipeline.rollups import suppress

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


@pytest.mark.slow
@given(children)
def test_parent_counts_are_the_sum_of_their_childrens(rows):
    facts, links = _facts(rows)
    parents = roll_up(facts, links).set_index("area_code")
    joined = facts.merge(links, left_on="area_code", right_on="child")
    expected = joined.groupby("parent")[["numerator", "denominator"]].sum()
    assert set(parents.index) == set(expected.index)
    assert (parents.loc[expected.index, "numerator"] == expected["numerator"]).all()
    assert (parents.loc[expected.index, "denominator"] == expected["denominator"]).all()


@pytest.mark.slow
@given(children)
def test_parents_are_premise_weighted_never_an_average_of_percentages(rows):
    facts, links = _facts(rows)
    parents = roll_up(facts, links).set_index("area_code")
    joined = facts.merge(links, left_on="area_code", right_on="child")
    for parent, kids in joined.groupby("parent"):
        value = parents.loc[parent, "value"]
        if kids["denominator"].sum() == 0:
            assert np.isnan(value)
            continue
        assert value == pytest.approx(100 * kids["numerator"].sum() / kids["denominator"].sum())
        assert 0 <= value <= 100


@pytest.mark.slow
@given(children, st.integers(min_value=1, max_value=500))
def test_the_build_suppresses_only_after_rolling_up(rows, threshold):
    """The build's own steps: parents keep every child's premises, however many are hidden."""
    facts, links = _facts(rows)
    facts = facts.assign(release_id="r", level="oa", method="published", suppressed=False)
    rolled = roll_up(facts, links).assign(release_id="r", suppressed=False)
    b = SimpleNamespace(ws=SimpleNamespace(suppress_below=threshold), facts=[facts, rolled], findings=[],
                        links=links)
    b.finding = lambda *f: b.findings.append(f)
    suppress(b)
    out = b.facts[0]
    kids = out[out["level"] == "oa"]
    small = facts["denominator"] < threshold
    # every small cell is hidden; others only to protect them (complementary suppression) ...
    assert kids["suppressed"].to_numpy()[small.to_numpy()].all()
    # ... so no shown parent has exactly one hidden child, which subtraction would give away
    hidden_kids = kids.loc[kids["suppressed"], "area_code"]
    per_parent = links[links["child"].isin(hidden_kids)].groupby("parent").size()
    shown_parents = set(out.loc[(out["level"] == "ward") & ~out["suppressed"], "area_code"])
    assert not any(n == 1 and p in shown_parents for p, n in per_parent.items())
    assert kids.loc[kids["suppressed"], ["numerator", "denominator", "value"]].isna().all().all()
    parents = out[out["level"] == "ward"].set_index("area_code")
    shown = parents[~parents["suppressed"]]
    expected = rolled.set_index("area_code").loc[shown.index]
    assert (shown["numerator"] == expected["numerator"]).all()
    assert (shown["denominator"] == expected["denominator"]).all()


@pytest.mark.slow
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


def test_releases_of_the_same_month_are_rolled_up_apart():
    """Two publishers' counts for one month (say Ofcom's and a council's own survey) give two
    parent figures, one per release, never their sum."""
    facts = pd.DataFrame({
        "release_id": ["ofcom", "ofcom", "survey", "survey"], "area_code": ["a", "b", "a", "b"],
        "release": "2025-07", "indicator": "gigabit", "numerator": [30.0, 50.0, 10.0, 20.0],
        "denominator": [100.0, 100.0, 40.0, 60.0], "synthetic": False,
    })
    links = pd.DataFrame({"child": ["a", "b"], "parent": "p", "parent_level": "ward", "method": "best-fit",
                          "weight": 1.0})
    parents = roll_up(facts, links).set_index("release_id")
    # ofcom: (30 + 50) / (100 + 100) = 40%; survey: (10 + 20) / (40 + 60) = 30%
    assert parents.loc["ofcom", "value"] == pytest.approx(40.0)
    assert parents.loc["survey", "value"] == pytest.approx(30.0)
    assert list(parents["children"]) == [2, 2]
