"""The appendix: every release in the store, named with its as-of month."""

from __future__ import annotations

import re
from typing import Any

from ..period import month_words
from .base import Context, Section

# ", 2023-09" in a release title that names its own month (the month is listed beside it instead)
_SERIES_MONTH = re.compile(r",? \d{4}-\d{2}\b(?!-)")


def gather(ctx: Context) -> Section:
    """Every release in the store, named with its as-of month. Releases of one series (the same
    publisher, title, licence and attribution: e.g. ONS's gigabit series, or the programme's
    quarterly backbone reach) share one row that lists each release's month, so the appendix names
    every release without repeating its licence a dozen times."""
    rows: list[dict[str, Any]] = []
    by_series: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in ctx.store.releases():
        title = _SERIES_MONTH.sub("", r["title"])
        key = (r["publisher"], title, r["licence"], r["attribution"] or "", r["origin"] or "", bool(r["synthetic"]))
        row = by_series.get(key)
        if row is None:
            row = by_series[key] = {
                "title": title, "publisher": r["publisher"], "months": [], "licence": r["licence"],
                "attribution": r["attribution"] or "", "origin": r["origin"] or "",
                "synthetic": bool(r["synthetic"]), "release_ids": [],
            }
            rows.append(row)
        row["months"].append(month_words(r["as_of"]) if r["as_of"] else "reference data")
        row["release_ids"].append(r["release_id"])
    for row in rows:
        row["as_of"] = ", ".join(row["months"])
    return Section("sources", "Sources", {"releases": rows, "count": sum(len(r["months"]) for r in rows)},
                   illustrative=any(r["synthetic"] for r in rows))
