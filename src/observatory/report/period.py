"""Which releases a year's annual update reports, and how it names months.

An annual update for year Y shows, for each indicator, the newest release published as at the end of
Y, and compares it with what the previous year's update would have shown (the newest release as at
the end of Y-1). Where no new release has appeared since, it says so and compares with the release
about a year before instead, naming both months: a change is never shown without its dates.
"""

from __future__ import annotations

from typing import Any

from ..months import MONTHS, month_index, month_of_index, month_words  # noqa: F401 - MONTHS and month_words re-exported for the report's modules


def default_year(releases: list[dict[str, Any]]) -> int:
    """The year of the newest as-of month in the store: the latest update that can be written."""
    months = [r["as_of"] for r in releases if r.get("as_of")]
    if not months:
        return 0
    return int(max(months)[:4])


def as_at(series: list[dict[str, Any]], year: int) -> dict[str, Any] | None:
    """The newest figure with a value as at the end of `year`."""
    known = [r for r in series if r["value"] is not None and int(r["release"][:4]) <= year]
    return known[-1] if known else None


def compared(series: list[dict[str, Any]], year: int) -> dict[str, Any] | None:
    """This year's figure and the one it is compared with, with the change in percentage points
    computed from unrounded values and rounded once, where shown.

    `basis` is 'last-report' (the figure last year's update showed) or 'year-earlier' (no release
    since last year's update: the newest release at least twelve months before this one)."""
    now = as_at(series, year)
    if now is None:
        return None
    before = as_at(series, year - 1)
    basis = "last-report"
    if before is None or before["release"] == now["release"]:
        basis = "year-earlier"
        cutoff = _months_back(now["release"], 12)
        earlier = [r for r in series if r["value"] is not None and r["release"] <= cutoff]
        before = earlier[-1] if earlier else None
    change = None if before is None else now["value"] - before["value"]
    return {"now": now, "before": before, "change": change, "basis": basis,
            "new_since_last_report": basis == "last-report"}


def _months_back(month: str, n: int) -> str:
    return month_of_index(month_index(month) - n)
