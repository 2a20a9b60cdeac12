"""What anyone may see about challenges: counts, never a report. Counts per area are shown only
from [challenges] public_min_count reports (a smaller count could point at one household) and
said as "fewer than N" otherwise; totals over the whole region are shown as they are once they
reach the threshold. Postcodes and output areas are set beside the published gigabit figure
("23 reports in 6 postcodes where Ofcom shows 100% gigabit")."""

from __future__ import annotations

from collections import Counter
from statistics import median
from typing import Any

from ..errors import ObservatoryError
from ..store import Store
from .codes import TYPES
from .workflow import OUTCOMES, STATUSES

LEVEL_FIELD = {"postcode": "postcode", "oa": "oa_code", "lsoa": "lsoa_code", "ward": "ward_code", "lad": "district_code"}
LEVEL_WORDS = {"postcode": "postcode", "oa": "output area", "lsoa": "LSOA", "ward": "ward", "lad": "district"}


def shown(n: int, min_count: int) -> int | None:
    """A count as published: itself from the threshold up (and none at all), None below it."""
    return n if n >= min_count or n == 0 else None


def fewer(n: int | None, min_count: int) -> str:
    return f"{n:,}" if n is not None else f"fewer than {min_count}"


def _published(store: Store | None, level: str, codes: list[str]) -> dict[str, dict[str, Any]]:
    """The published gigabit figure of each area (value and release), where the store has one."""
    if store is None or not codes:
        return {}
    out: dict[str, dict[str, Any]] = {}
    try:
        release = store.release_for(level, "gigabit")
    except ObservatoryError:
        return {}
    for code in codes:
        try:
            rows = store.figures(level, "gigabit", release, area=code)
        except ObservatoryError:
            continue
        if rows:
            out[code] = {"value": rows[0]["value"], "release": rows[0]["release"], "synthetic": rows[0]["synthetic"]}
    return out


def _names(store: Store | None, level: str) -> dict[str, str]:
    if store is None:
        return {}
    try:
        return store.names(level)
    except ObservatoryError:
        return {}


def by_area(rows: list[dict[str, Any]], level: str, min_count: int, store: Store | None = None) -> list[dict[str, Any]]:
    """Reports per area of `level` (only areas with at least `min_count`), most first, each with
    the published gigabit figure."""
    counts = Counter(r[LEVEL_FIELD[level]] for r in rows if r[LEVEL_FIELD[level]])
    kept = sorted(((c, n) for c, n in counts.items() if n >= min_count), key=lambda cn: (-cn[1], cn[0]))
    published = _published(store, level, [c for c, _ in kept]) if level in ("postcode", "oa", "lsoa", "ward", "lad") else {}
    names = _names(store, level) if level in ("lsoa", "ward", "lad") else {}
    out = []
    for code, n in kept:
        pub = published.get(code, {})
        out.append({"code": code, "name": names.get(code, code), "level": level, "count": n,
                    "open": sum(1 for r in rows if r[LEVEL_FIELD[level]] == code and r["outcome"] is None),
                    "published_gigabit": pub.get("value"), "published_release": pub.get("release"),
                    "synthetic": bool(pub.get("synthetic"))})
    return out


def headline(areas: list[dict[str, Any]], level: str) -> str | None:
    """"23 reports in 6 postcodes where Ofcom shows 100% gigabit" (over the areas shown)."""
    full = [a for a in areas if a["published_gigabit"] is not None and a["published_gigabit"] >= 99.95]
    if not full:
        return None
    n = sum(a["count"] for a in full)
    words = LEVEL_WORDS[level] + ("s" if len(full) != 1 else "")
    return (f"{n:,} report{'s' if n != 1 else ''} in {len(full):,} {words} where the published figures show "
            "100% gigabit-capable coverage")


def summary(rows: list[dict[str, Any]], min_count: int, store: Store | None = None) -> dict[str, Any]:
    """The public answer: totals by status, type and outcome (each below the threshold said as
    "fewer than N"), counts per district, ward, output area and postcode, the time to answer, and
    whether any report is illustrative."""
    total = len(rows)
    by_status = Counter(r["status"] for r in rows)
    by_type = Counter(r["type"] for r in rows)
    answered = [r["days_to_answer"] for r in rows if r["days_to_answer"] is not None]
    levels = {lv: by_area(rows, lv, min_count, store) for lv in ("lad", "ward", "oa", "postcode")}
    return {
        "min_count": min_count,
        "total": shown(total, min_count),
        "total_words": fewer(shown(total, min_count), min_count),
        "by_status": [{"status": s, "count": shown(by_status.get(s, 0), min_count)} for s in STATUSES],
        "by_type": [{"type": t.code, "label": t.label, "fcc_code": t.fcc, "count": shown(by_type.get(t.code, 0), min_count)}
                    for t in TYPES],
        "by_outcome": [{"outcome": o, "count": shown(by_status.get(o, 0), min_count)} for o in OUTCOMES],
        "overdue": shown(sum(1 for r in rows if r["overdue"]), min_count),
        "answered": len(answered) if len(answered) >= min_count else None,
        "median_days_to_answer": median(answered) if len(answered) >= min_count else None,
        "areas": levels,
        "headline_postcodes": headline(levels["postcode"], "postcode"),
        "headline_oas": headline(levels["oa"], "oa"),
        "illustrative": any(r["illustrative"] for r in rows),
    }


def for_area(rows: list[dict[str, Any]], level: str, code: str, min_count: int) -> dict[str, Any] | None:
    """An area profile's block: the area's reports, open and closed (each count shown from the
    threshold up); None for a level challenges are not counted at."""
    field = LEVEL_FIELD.get(level)
    if field is None:
        return None
    mine = [r for r in rows if r[field] == code]
    closed = Counter(r["outcome"] for r in mine if r["outcome"])
    return {"level": level, "code": code, "min_count": min_count, "count": shown(len(mine), min_count),
            "count_words": fewer(shown(len(mine), min_count), min_count),
            "open": shown(sum(1 for r in mine if r["outcome"] is None), min_count),
            "by_outcome": [{"outcome": o, "count": shown(closed.get(o, 0), min_count)} for o in OUTCOMES],
            "illustrative": any(r["illustrative"] for r in mine)}
