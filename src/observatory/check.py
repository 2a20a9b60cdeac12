"""`observatory check`: do our roll-ups reproduce the publishers' figures, and what needs a look?

For every area, indicator and month holding both a published figure and one we rolled up, compare
counts (exactly) and percentages (within the publisher's rounding: Ofcom publishes one decimal
place, so a difference up to 0.05 points is rounding, not disagreement).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from .store import Store

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


def run(store: Store) -> dict[str, Any]:
    comparisons = store.rows(_COMPARE)
    differences = store.rows(_DIFFERENCES)
    findings = store.findings()
    incomplete = [f for f in findings if f["kind"] == "incomplete-parent"]
    shrank = [f for f in findings if f["kind"] == "level-shrank"]
    from .inclusion.crosswalk import for_store  # late: a feature package's own check

    return {
        "crosswalk": for_store(store),  # LSOA 2011 -> 2021: how coverage was approximated (informative)
        "comparisons": comparisons,
        "differences": differences,
        "incomplete_parents": incomplete,
        "findings": findings,
        "shrunk_levels": shrank,
        # exit status for scheduled jobs: 0 all good, 1 something to look at
        "ok": not differences and not incomplete and not shrank,
    }


def print_report(report: dict[str, Any], console: Console) -> None:
    table = Table(title="Rolled-up figures against published figures")
    for col in ("level", "indicator", "release", "method", "published in", "rolled from", "compared",
                "differ (value)", "differ (counts)", "max diff (points)"):
        table.add_column(col)
    for c in report["comparisons"]:
        table.add_row(
            c["level"], c["indicator"], c["release"], c["method"], c["published_in"],
            c["rolled_from"] + (" [synthetic]" if c["synthetic"] else ""), str(c["compared"]),
            str(c["value_differs"]), str(c["counts_differ"]), f"{c['max_difference']:.3f}",
        )
    console.print(table)
    if report["differences"]:
        d = Table(title="Largest differences")
        for col in ("area_code", "area_name", "indicator", "release", "published", "rolled_up", "method"):
            d.add_column(col)
        for r in report["differences"][:20]:
            d.add_row(r["area_code"], r["area_name"] or "", r["indicator"], r["release"],
                      f"{r['published']:.2f}", f"{r['rolled_up']:.2f}", r["method"])
        console.print(d)
    f = Table(title="Findings")
    for col in ("kind", "subject", "count", "detail"):
        f.add_column(col, overflow="fold")
    for r in report["findings"]:
        f.add_row(r["kind"], r["subject"] or "", f"{r['count']:,}", r["detail"] or "")
    console.print(f)
    if report["differences"]:
        console.print(f"[yellow]{len(report['differences'])} figures differ; see above.[/]")
    else:
        console.print("[green]All roll-ups match the published figures.[/]")
    if report["incomplete_parents"]:
        console.print(f"[yellow]{len(report['incomplete_parents'])} parent figures cover only part of their "
                      "premises (kind incomplete-parent above): they are not complete.[/]")
    else:
        console.print("[green]Every parent figure covers all of its premises.[/]")
    if report.get("crosswalk"):
        console.print(report["crosswalk"]["text"], soft_wrap=True, highlight=False)
    for r in report.get("shrunk_levels", []):
        console.print(f"[yellow]Level {r['subject']} lost most of its figures since the previous build "
                      "(kind level-shrank above): check the inputs before relying on it.[/]")
