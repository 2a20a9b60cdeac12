"""`observatory check`: do our roll-ups reproduce the publishers' figures, and what needs a look?

For every area, indicator and month holding both a published figure and one we rolled up, compare
counts (exactly) and percentages (within the publisher's rounding: Ofcom publishes one decimal
place, so a difference up to 0.05 points is rounding, not disagreement).
"""

from __future__ import annotations

from typing import Any

from .inclusion.crosswalk import for_workspace
from .store import Store
from .workspace import Workspace

ROUNDING = 0.05 + 1e-9

_COMPARE = f"""
WITH p AS (SELECT * FROM facts WHERE method = 'published'),
     r AS (SELECT * FROM facts WHERE method IN ('rolled-up', 'estimated-weights'))
SELECT r.level, r.indicator, r.release, r.method, p.release_id AS published_in, r.release_id AS rolled_from,
       p.synthetic OR r.synthetic AS synthetic,
       count(*) AS compared,
       sum(CASE WHEN abs(p.value - r.value) > {ROUNDING} THEN 1 ELSE 0 END) AS value_differs,
       sum(CASE WHEN p.numerator IS NOT NULL AND r.numerator IS NOT NULL
                 AND (p.numerator <> r.numerator OR p.denominator <> r.denominator) THEN 1 ELSE 0 END) AS counts_differ,
       max(abs(p.value - r.value)) AS max_difference
FROM p JOIN r ON p.area_code = r.area_code AND p.indicator = r.indicator AND p.release = r.release
GROUP BY ALL ORDER BY r.level, r.indicator, r.release, published_in, rolled_from
"""

_DIFFERENCES = f"""
SELECT p.area_code, a.name AS area_name, p.level, p.indicator, p.release, p.value AS published,
       r.value AS rolled_up, p.numerator AS published_numerator, r.numerator AS rolled_numerator,
       r.method, r.release_id AS rolled_from
FROM facts p JOIN facts r ON p.area_code = r.area_code AND p.indicator = r.indicator
     AND p.release = r.release AND p.method = 'published' AND r.method <> 'published'
JOIN areas a ON a.code = p.area_code
WHERE abs(p.value - r.value) > {ROUNDING}
   OR (p.numerator IS NOT NULL AND r.numerator IS NOT NULL AND p.numerator <> r.numerator)
ORDER BY abs(p.value - r.value) DESC LIMIT 50
"""


def run(store: Store, workspace: Workspace) -> dict[str, Any]:
    comparisons = store.rows(_COMPARE)
    differences = store.rows(_DIFFERENCES)
    findings = store.findings()
    incomplete = [f for f in findings if f["kind"] == "incomplete-parent"]
    shrank = [f for f in findings if f["kind"] == "level-shrank"]
    return {
        "crosswalk": for_workspace(workspace, store),  # LSOA 2011 -> 2021: how coverage was approximated (informative)
        "comparisons": comparisons,
        "differences": differences,
        "incomplete_parents": incomplete,
        "findings": findings,
        "shrunk_levels": shrank,
        # exit status for scheduled jobs: 0 all good, 1 something to look at
        "ok": not differences and not incomplete and not shrank and not workspace.problems(),
        "problems": workspace.problems(),  # settings sections that could not be read
    }
