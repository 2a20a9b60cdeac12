"""Suppression that holds: an attacker with everything the store publishes cannot work out a
suppressed figure by subtracting a published parent's other children from it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from observatory.pipeline.suppression import complementary

LEVELS = "('oa', 'lsoa', 'msoa', 'ward', 'lad', 'ca', 'rgn', 'nation', 'ew', 'gb', 'uk')"

# Every parent with a published count, and its children at each level (membership holds each
# child -> ancestor link), for one release and indicator: the parent's count minus the published
# children's counts, and how many children are hidden.
ATTACK = f"""
WITH cell AS (
    SELECT area_code, level, release, indicator, bool_or(suppressed) AS hidden,
           max(numerator) AS numerator, max(denominator) AS denominator
    FROM facts WHERE level IN {LEVELS} AND (denominator IS NOT NULL OR suppressed)
    GROUP BY ALL)
SELECT m.parent, c.level AS child_level, c.release, c.indicator,
       count(*) FILTER (WHERE c.hidden) AS hidden,
       any_value(c.area_code) FILTER (WHERE c.hidden) AS hidden_child,
       any_value(p.numerator) - coalesce(sum(c.numerator) FILTER (WHERE NOT c.hidden), 0) AS rest_numerator,
       any_value(p.denominator) - coalesce(sum(c.denominator) FILTER (WHERE NOT c.hidden), 0) AS rest_denominator
FROM membership m
JOIN cell c ON c.area_code = m.child
JOIN cell p ON p.area_code = m.parent AND p.release = c.release AND p.indicator = c.indicator AND NOT p.hidden
GROUP BY ALL
"""


def test_no_suppressed_cell_is_recovered_by_subtraction(strict_store, store):
    """The attacker: for every published parent and each level of its children, parent minus the
    shown children. Where exactly one child is hidden that difference would be the hidden child;
    compare every such attempt with the true figure (the same build with nothing suppressed)."""
    columns, rows = strict_store.sql(ATTACK)
    groups = pd.DataFrame(rows, columns=columns)
    assert (groups["hidden"] > 0).sum() > 100, "the threshold hides cells in many groups"
    single = groups[groups["hidden"] == 1]
    recovered = []
    for g in single.itertuples():
        truth = store.figures(g.child_level, g.indicator, g.release, area=g.hidden_child)[0]
        if (truth["numerator"], truth["denominator"]) == (g.rest_numerator, g.rest_denominator):
            recovered.append((g.parent, g.hidden_child, g.indicator, g.release))
    assert recovered == []
    assert single.empty, single.head()


def test_a_hidden_premises_count_is_hidden_for_every_indicator_over_it(strict_store):
    """All-premises indicators share the count: hidden for one, hidden for all (same for _res)."""
    _, rows = strict_store.sql("""
        SELECT count(*) FROM (
            SELECT area_code, release, indicator LIKE '%\\_res' ESCAPE '\\' AS res,
                   count(DISTINCT suppressed) AS states
            FROM facts WHERE level IN ('oa', 'lsoa', 'msoa', 'ward') GROUP BY ALL)
        WHERE states > 1""")
    assert rows[0][0] == 0


def test_hand_worked_example():
    """One district with three output areas of 3, 50 and 60 premises, threshold 5: the 3 is
    hidden (primary); the district shows 113, so one more must go: the smallest other, 50."""
    facts = pd.DataFrame({
        "area_code": ["A", "B", "C", "D"], "level": ["oa", "oa", "oa", "lad"],
        "release": "2025-07", "indicator": "sfbb", "denominator": [3.0, 50.0, 60.0, 113.0],
    })
    links = pd.DataFrame({"child": ["A", "B", "C"], "parent": ["D", "D", "D"], "parent_level": "lad"})
    primary = (facts["denominator"] < 5).to_numpy()
    mask, added = complementary(facts, links, primary)
    assert mask.tolist() == [True, True, False, False] and added == 1


def test_a_parent_with_one_hidden_child_only_is_hidden_too():
    facts = pd.DataFrame({"area_code": ["A", "P"], "level": ["oa", "lsoa"], "release": "2025-07",
                          "indicator": "gigabit", "denominator": [3.0, 3.0]})
    links = pd.DataFrame({"child": ["A"], "parent": ["P"], "parent_level": "lsoa"})
    mask, _ = complementary(facts, links, np.array([True, True]))
    assert mask.tolist() == [True, True]
    mask, added = complementary(facts.assign(denominator=[3.0, 9.0]), links, np.array([True, False]))
    assert mask.tolist() == [True, True] and added == 1
