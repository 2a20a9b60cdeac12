"""`observatory check`: do our roll-ups reproduce the publishers' figures, and what needs a look?

For every area, indicator and month holding both a published figure and one we rolled up, compare
counts (exactly) and percentages (within the publisher's rounding: Ofcom publishes one decimal
place, so a difference up to 0.05 points is rounding, not disagreement). Where two publishers give
the same figure (ONS republishes Ofcom's district gigabit figures), their figures are compared the
same way. The report says in words what was compared, and says so when nothing could be.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from .inclusion.crosswalk import for_workspace
from .store import Store
from .strategy.freshness import freshness
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


# Two publishers' figures for the same area, indicator and month (ONS's gigabit series republishes
# Ofcom's district figures): each pair of releases once.
_AGREE = f"""
SELECT p.level, p.indicator, p.release, p.release_id AS first, q.release_id AS second,
       p.synthetic OR q.synthetic AS synthetic,
       count(*) AS compared,
       sum(CASE WHEN abs(p.value - q.value) > {ROUNDING} THEN 1 ELSE 0 END) AS value_differs,
       sum(CASE WHEN p.numerator IS NOT NULL AND q.numerator IS NOT NULL
                 AND (p.numerator <> q.numerator OR p.denominator <> q.denominator) THEN 1 ELSE 0 END) AS counts_differ,
       max(abs(p.value - q.value)) AS max_difference
FROM facts p JOIN facts q ON p.area_code = q.area_code AND p.indicator = q.indicator AND p.release = q.release
     AND p.method = 'published' AND q.method = 'published' AND p.release_id < q.release_id
GROUP BY ALL ORDER BY p.level, p.indicator, p.release, first, second
"""

_DISAGREE = f"""
SELECT p.area_code, a.name AS area_name, p.level, p.indicator, p.release, p.value AS first_value,
       q.value AS second_value, p.release_id AS first, q.release_id AS second
FROM facts p JOIN facts q ON p.area_code = q.area_code AND p.indicator = q.indicator AND p.release = q.release
     AND p.method = 'published' AND q.method = 'published' AND p.release_id < q.release_id
JOIN areas a ON a.code = p.area_code
WHERE abs(p.value - q.value) > {ROUNDING}
   OR (p.numerator IS NOT NULL AND q.numerator IS NOT NULL AND p.numerator <> q.numerator)
ORDER BY abs(p.value - q.value) DESC LIMIT 50
"""

# Levels in the words of a sentence ("district figures").
_LEVEL_WORDS = {"postcode": "postcode", "oa": "output-area", "lsoa": "LSOA", "msoa": "MSOA", "ward": "ward",
                "lad": "district", "group": "grouping", "ca": "combined-authority", "rgn": "regional",
                "nation": "national", "ew": "England and Wales", "gb": "Great Britain", "uk": "UK"}


def run(store: Store, workspace: Workspace, today: date | None = None) -> dict[str, Any]:
    """Everything `check` reports; `today` (default: the date it runs) decides which publishers'
    newest tables are older than their cadence implies (strategy/freshness.py)."""
    comparisons = store.rows(_COMPARE)
    differences = store.rows(_DIFFERENCES)
    agreements = store.rows(_AGREE)
    disagreements = store.rows(_DISAGREE)
    findings = store.findings()
    incomplete = [f for f in findings if f["kind"] == "incomplete-parent"]
    shrank = [f for f in findings if f["kind"] == "level-shrank"]
    return {
        "crosswalk": for_workspace(workspace, store),  # LSOA 2011 -> 2021: how coverage was approximated (informative)
        "comparisons": comparisons,
        "differences": differences,
        # two publishers' figures for the same areas and months
        "publishers": agreements,
        "publisher_differences": disagreements,
        "compared": {"rolled_up": sum(c["compared"] for c in comparisons),
                     "publishers": sum(c["compared"] for c in agreements)},
        # what was compared (or that nothing was), in sentences
        "summary": summary(comparisons, agreements, _publishers(store), _has_small_areas(store)),
        "incomplete_parents": incomplete,
        "findings": findings,
        "shrunk_levels": shrank,
        # exit status for scheduled jobs: 0 all good, 1 something to look at
        "ok": not differences and not disagreements and not incomplete and not shrank and not workspace.problems(),
        "problems": workspace.problems(),  # settings sections that could not be read
        # each publisher's newest table here, and whether its cadence implies a newer one is out
        # (a warning: it does not change the exit status, since the store is right about what it holds)
        "freshness": freshness(store.releases(), today or date.today()),
    }


def _has_small_areas(store: Store) -> bool:
    return bool(store.rows("SELECT 1 AS x FROM facts WHERE level IN ('postcode', 'oa', 'lsoa', 'msoa', 'ward') LIMIT 1"))


def _publishers(store: Store) -> dict[str, str]:
    return {r["release_id"]: r["publisher"] for r in store.releases()}


def _months(rows: list[dict[str, Any]]) -> str:
    months = sorted({r["release"] for r in rows})
    return ", ".join(months) if len(months) <= 4 else f"{len(months)} months from {months[0]} to {months[-1]}"


def _levels(rows: list[dict[str, Any]]) -> str:
    words = [_LEVEL_WORDS.get(lv, lv) for lv in dict.fromkeys(r["level"] for r in rows)]
    return " and ".join(words)


def summary(comparisons: list[dict[str, Any]], agreements: list[dict[str, Any]],
            publishers: dict[str, str], small_areas: bool = False) -> list[str]:
    """What `check` compared, in sentences; "Nothing to compare" (and why, and what would give it
    something) when it compared nothing."""
    lines = []
    if comparisons:
        n = sum(c["compared"] for c in comparisons)
        bad = sum(c["value_differs"] + c["counts_differ"] > 0 for c in comparisons)
        indicators = sorted({c["indicator"] for c in comparisons})
        lines.append(
            f"Compared {n:,} {_levels(comparisons)} figures rolled up from smaller areas with the published "
            f"figures for the same areas ({len(indicators)} indicator{'s' if len(indicators) != 1 else ''}; "
            f"{_months(comparisons)}"
            + ("; rolled up from synthetic, illustrative small-area figures" if any(c["synthetic"] for c in comparisons)
               else "")
            + "): " + ("all match." if not bad else f"figures differ in {bad} of the {len(comparisons)} comparisons "
                       "(above)."))
    elif small_areas:
        lines.append("No figure rolled up from smaller areas has a published figure for the same area and month "
                     "to compare with: load the district table of the small-area release's month as well.")
    else:
        lines.append(
            "No figure rolled up from smaller areas could be compared with a published one: the workspace has no "
            "small-area coverage (Ofcom's output-area file, with output-area boundaries), so its district figures "
            "are Ofcom's own, and the figures above them are sums of Ofcom's district counts, which no loaded file "
            "publishes. To compare, add the output-area file and boundaries (the commented blocks of "
            "observatory.toml name them).")
    if agreements:
        n = sum(c["compared"] for c in agreements)
        bad = sum(c["value_differs"] + c["counts_differ"] > 0 for c in agreements)
        who = sorted({publishers.get(c[k], c[k]) for c in agreements for k in ("first", "second")})
        same = " and ".join(who) if len(who) > 1 else f"two releases of {who[0]}"
        indicators = ", ".join(sorted({c["indicator"] for c in agreements}))
        lines.append(f"Compared {n:,} {_levels(agreements)} figures published by both {same} ({indicators}; "
                     f"{_months(agreements)}): " + ("all agree." if not bad else f"figures differ in {bad} of the "
                                                    f"{len(agreements)} comparisons (above)."))
    if not comparisons and not agreements:
        lines[0] = "Nothing to compare. " + lines[0]
    return lines
