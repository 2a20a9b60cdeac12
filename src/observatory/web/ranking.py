"""Ranks: an area's children ranked within it (value, rank, gap to the parent), and a district's
rank among England's districts ("Calderdale: 201st of 296 English districts").

Ranks follow the indicator's direction (1st is the best: highest coverage, fewest premises below
the USO); areas with the same figure as shown (one decimal place) share a rank, as in a league
table ("=3rd"); areas without a figure are listed last, unranked.
"""

from __future__ import annotations

from typing import Any

from ..errors import ObservatoryError
from ..store import Store

ENGLISH_DISTRICT = ("E06", "E07", "E08", "E09")  # unitary, non-metropolitan, metropolitan, London
CHILD_INDICATORS = ("gigabit", "ufbb", "sfbb", "full_fibre", "below_uso", "unable_30")


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ranked(rows: list[dict[str, Any]], direction: str) -> list[dict[str, Any]]:
    """Rows with `rank` (shared on ties) and `tied`, best first; no figure last with rank None."""
    known = [r for r in rows if r["value"] is not None]
    best_first = sorted(known, key=lambda r: round(r["value"], 1), reverse=direction != "lower-is-better")
    out, previous, current = [], None, 0
    for i, r in enumerate(best_first, start=1):
        shown = round(r["value"], 1)
        if shown != previous:
            current, previous = i, shown
        out.append(dict(r, rank=current))
    counts: dict[int, int] = {}
    for r in out:
        counts[r["rank"]] = counts.get(r["rank"], 0) + 1
    for r in out:
        r["tied"] = counts[r["rank"]] > 1
    return out + [dict(r, rank=None, tied=False) for r in rows if r["value"] is None]


def children_table(store: Store, code: str, child_level: str, indicator: str,
                   parent_value: float | None) -> dict[str, Any] | None:
    """The areas inside `code` at `child_level` for one indicator: value, rank within the parent
    and the gap to the parent's figure in percentage points."""
    try:
        rows = store.figures(child_level, indicator, "latest", within=code)
        ind = store.indicator(indicator)
    except ObservatoryError:
        return None
    if not rows:
        return None
    table = []
    for r in ranked(rows, ind["direction"]):
        gap = None if r["value"] is None or parent_value is None else round(r["value"] - parent_value, 1)
        table.append({"code": r["area_code"], "name": r["area_name"], "value": r["value"], "rank": r["rank"],
                      "tied": r["tied"], "gap_pp": gap, "synthetic": bool(r["synthetic"]),
                      "suppressed": bool(r["suppressed"])})
    return {"indicator": indicator, "label": ind["label"], "unit": ind["unit"], "direction": ind["direction"],
            "release": rows[0]["release"], "parent_value": parent_value, "rows": table,
            "illustrative": any(r["synthetic"] for r in table)}


def england_rank(store: Store, code: str, indicator: str, release: str) -> dict[str, Any] | None:
    """A district's rank among English districts at one release (None for other areas)."""
    if not code.startswith(ENGLISH_DISTRICT):
        return None
    try:
        rows = store.figures("lad", indicator, release)
        direction = store.indicator(indicator)["direction"]
    except ObservatoryError:
        return None
    english = [r for r in rows if r["area_code"].startswith(ENGLISH_DISTRICT)]
    for r in ranked(english, direction):
        if r["area_code"] == code and r["rank"] is not None:
            total = sum(1 for e in english if e["value"] is not None)
            text = f"{'=' if r['tied'] else ''}{ordinal(r['rank'])} of {total} English districts"
            return {"rank": r["rank"], "of": total, "tied": r["tied"], "text": text}
    return None
