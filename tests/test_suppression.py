"""Suppression that holds on the bundled West Yorkshire data: an attacker with everything the store
publishes, solving every total of every hierarchy at once (tests/test_suppression_attacker.py),
cannot work out a hidden premises count, nor narrow it to within 10% either way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from observatory.pipeline.suppression import complementary

from .test_suppression_attacker import attack, hide

# One indicator per premises family: every indicator over the same premises shares the count and
# is hidden with it (test below), so attacking one attacks the count.
COUNTS = ("sfbb", "sfbb_res")


@pytest.fixture(scope="module")
def bundled(store):
    """The bundled build's counted figures (nothing is under its threshold of 5, so nothing is
    hidden: the truth) and its membership links."""
    columns, rows = store.sql("""
        SELECT release_id, release, area_code, level, indicator, numerator, denominator, method
        FROM facts WHERE denominator IS NOT NULL""")
    facts = pd.DataFrame(rows, columns=columns)
    assert facts["denominator"].min() >= 5
    columns, rows = store.sql("""
        SELECT child, parent, parent_level FROM membership
        WHERE child IN (SELECT area_code FROM facts WHERE denominator IS NOT NULL)""")
    return facts, pd.DataFrame(rows, columns=columns)


def _attack(facts: pd.DataFrame, links: pd.DataFrame, mask: np.ndarray, intervals: str | None = "certify"):
    chosen = facts["indicator"].isin(COUNTS).to_numpy()
    return attack(hide(facts, mask)[chosen], facts.loc[chosen, "denominator"], links, intervals)


@pytest.mark.slow
@pytest.mark.parametrize("threshold", [5, 100, 400])
def test_no_hidden_count_is_worked_out_nor_narrowed(bundled, threshold):
    facts, links = bundled
    primary = (facts["denominator"] < threshold).to_numpy()
    mask, added = complementary(facts, links, primary)
    assert mask[primary].all()
    if threshold == 5:  # the smallest output area has 58 premises
        assert not mask.any() and added == 0
        return
    assert added > 0
    found = _attack(facts, links, mask)
    assert len(found.cells) >= primary[facts["indicator"].isin(COUNTS).to_numpy()].sum()
    assert found.exact().empty, found.exact().head()
    assert found.within().empty, found.within().head()


@pytest.mark.slow
def test_the_attacker_breaks_primary_suppression_alone(bundled):
    """The attack is not vacuous: with only the areas under 100 premises hidden, most of them are
    worked out exactly from their LSOA, MSOA, ward and district totals."""
    facts, links = bundled
    primary = (facts["denominator"] < 100).to_numpy()
    found = _attack(facts, links, primary, intervals=None)
    assert len(found.exact()) > len(found.cells) / 2


def test_the_store_built_with_a_threshold_leaves_nothing_to_recover(strict_store, store, bundled):
    """End to end: the store the pipeline writes at a threshold of 120, attacked on what it
    publishes, scored against the same build with nothing hidden."""
    facts, links = bundled
    columns, rows = strict_store.sql("""
        SELECT release_id, area_code, indicator, method, denominator, suppressed FROM facts
        WHERE indicator IN ('sfbb', 'sfbb_res') AND (denominator IS NOT NULL OR suppressed)""")
    published = pd.DataFrame(rows, columns=columns)
    truth = published.merge(facts, on=["release_id", "area_code", "indicator"], how="left",
                            suffixes=("", "_true"), validate="one_to_one")["denominator_true"]
    assert truth.notna().all()
    assert published["suppressed"].sum() > 1000 and published.loc[published["suppressed"], "denominator"].isna().all()
    found = attack(published, truth, links, "certify")
    assert found.exact().empty and found.within().empty


def test_a_hidden_premises_count_is_hidden_for_every_indicator_over_it(strict_store):
    """All-premises indicators share the count: hidden for one, hidden for all (same for _res)."""
    _, rows = strict_store.sql("""
        SELECT count(*) FROM (
            SELECT area_code, release, indicator LIKE '%\\_res' ESCAPE '\\' AS res,
                   count(DISTINCT suppressed) AS states
            FROM facts WHERE level IN ('oa', 'lsoa', 'msoa', 'ward') GROUP BY ALL)
        WHERE states > 1""")
    assert rows[0][0] == 0


def _tiny(areas, levels, sizes, links):
    facts = pd.DataFrame({"release_id": "r", "area_code": areas, "level": levels, "release": "2025-07",
                          "indicator": "sfbb", "denominator": sizes,
                          "method": ["published" if lvl == "oa" else "rolled-up" for lvl in levels]})
    return facts, pd.DataFrame(links, columns=["child", "parent", "parent_level"])


def test_hand_worked_example():
    """One district with three output areas of 3, 50 and 60 premises, threshold 5: the 3 is
    hidden (primary); the district shows 113, so one more must go, the smallest, 50. Then the
    attacker knows the two hold 53, and the 50 can rise by 3 at most, less than its 10% (5): the
    60 goes too, and each of the three lies anywhere in [0, 113]."""
    facts, links = _tiny(["A", "B", "C", "D"], ["oa", "oa", "oa", "lad"], [3.0, 50.0, 60.0, 113.0],
                         [("A", "D", "lad"), ("B", "D", "lad"), ("C", "D", "lad")])
    mask, added = complementary(facts, links, (facts["denominator"] < 5).to_numpy())
    assert mask.tolist() == [True, True, True, False] and added == 2
    found = attack(hide(facts, mask), facts["denominator"], links).cells
    assert found[["lo", "hi"]].to_numpy().ravel().tolist() == pytest.approx([0, 113] * 3)


def test_a_parent_with_one_child_that_is_hidden_is_hidden_too():
    facts, links = _tiny(["A", "P"], ["oa", "lsoa"], [3.0, 3.0], [("A", "P", "lsoa")])
    mask, _ = complementary(facts, links, np.array([True, True]))
    assert mask.tolist() == [True, True]
    facts, links = _tiny(["A", "P", "B", "Q"], ["oa", "lsoa", "oa", "lsoa"], [7.0, 7.0, 9.0, 9.0],
                         [("A", "P", "lsoa"), ("B", "Q", "lsoa")])
    mask, added = complementary(facts, links, np.array([True, False, False, False]))
    assert mask.tolist() == [True, True, False, False] and added == 1
