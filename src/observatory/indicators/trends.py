"""A figure as a change since earlier releases (its target: strategy/coverage_targets.py)."""

from __future__ import annotations

from typing import Any


def months_before(month: str, n: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + (mon - 1) - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def trend(series: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest figure of a series with its change since the previous release and since a year
    before (the nearest release at or before twelve months earlier), in percentage points."""
    known = [r for r in series if r["value"] is not None]
    if not known:
        return dict(series[-1], previous=None, year_before=None) if series else None
    latest = known[-1]
    previous = known[-2] if len(known) > 1 else None
    year_ago = months_before(latest["release"], 12)
    earlier = [r for r in known if r["release"] <= year_ago]
    year_before = earlier[-1] if earlier else None
    return dict(
        latest,
        previous=_change(latest, previous),
        year_before=_change(latest, year_before),
    )


def _change(latest: dict[str, Any], other: dict[str, Any] | None) -> dict[str, Any] | None:
    if other is None:
        return None
    return {
        "release": other["release"],
        "value": other["value"],
        # unrounded: every view rounds once, from the unrounded figures (3.2549 shows as 3.3, not
        # as 3.25 rounded again to 3.2)
        "change_pp": latest["value"] - other["value"],
        "method": other["method"],
        "synthetic": other["synthetic"],
    }


def any_synthetic(rows: list[dict[str, Any]]) -> bool:
    return any(r.get("synthetic") for r in rows)
