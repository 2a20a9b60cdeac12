"""The coverage section and the summary's sentences: the region and each district against the
targets, with the change since last year's update, and England beside them for context."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from ..indicators.trends import meets, target_for
from ..overview import HEADLINE, region_of
from ..store import Store
from .period import compared, month_words
from .sparkline import sparkline

ENGLAND = "E92000001"


def coverage(store: Store, year: int) -> dict[str, Any]:
    region_code = region_of(store)
    region = store.area(region_code)
    districts = store.children(region_code, "lad")
    known = {i["id"]: i for i in store.indicators()}
    indicators = [dict(known[i], target=target_for(known[i], known)) for i in HEADLINE if i in known]
    codes = [region_code, *(d["code"] for d in districts), ENGLAND]
    series: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in store.series_many(codes):
        series[(row["area_code"], row["indicator"])].append(row)

    def row_of(area: dict[str, Any]) -> dict[str, Any]:
        figures = {}
        for ind in indicators:
            c = compared(series.get((area["code"], ind["id"]), []), year)
            if c is not None:
                c["meets_target"] = meets(c["now"]["value"], ind["target"], ind["direction"])
                known = [r for r in series[(area["code"], ind["id"])]
                         if r["value"] is not None and r["release"] <= c["now"]["release"]]
                values = [r["value"] for r in known]
                c["history"] = {r["release"]: r["value"] for r in known}
                c["spark"] = sparkline(values, f"{ind['label']}, {area['name']}, {len(values)} releases: " + "; ".join(
                    f"{month_words(r['release'])} {r['value']:.1f}%" for r in known))
            figures[ind["id"]] = c
        return {"code": area["code"], "name": area["name"], "level": area["level"], "figures": figures}

    rows = [row_of(region), *(row_of(d) for d in districts)]
    england = row_of({"code": ENGLAND, "name": "England", "level": "nation"})
    shown = [f["now"] for r in [*rows, england] for f in r["figures"].values() if f]
    # the figures behind the trend lines: one table per indicator, areas by release month
    trends = []
    for ind in indicators:
        months = sorted({m for r in [*rows, england] if r["figures"].get(ind["id"])
                         for m in r["figures"][ind["id"]]["history"]})
        if len(months) >= 2:
            trends.append({"indicator": ind, "months": months,
                           "rows": [{"name": r["name"], "level": r["level"],
                                     "values": [(r["figures"][ind["id"]] or {}).get("history", {}).get(m)
                                                if r["figures"].get(ind["id"]) else None for m in months]}
                                    for r in [*rows, england]]})
    return {
        "region": rows[0],
        "districts": rows[1:],
        "england": england if any(england["figures"].values()) else None,
        "indicators": indicators,
        "illustrative": any(f.get("synthetic") for f in shown),
        "trends": trends,
        "sentences": sentences(rows[0], rows[1:], england, indicators),
        "goals": {},
    }


def pp(change: float) -> str:
    """A change in percentage points, rounded once from the unrounded values."""
    text = f"{abs(change):.1f}"
    if text == "0.0":
        return "unchanged"
    return f"{'up' if change > 0 else 'down'} {text} percentage points"


def noun(label: str) -> str:
    """'Full fibre (FTTP) availability' -> 'Full fibre (FTTP) coverage', for a sentence's subject."""
    return re.sub(r"\s+(availability|coverage)$", "", label) + " coverage"


def _pct(row: dict[str, Any]) -> str:
    return f"{row['value']:.1f}%"


def goal_words(goal: dict[str, Any]) -> str:
    """The strategy's coverage goal for the region (from the metrics file's forecasts), in words."""
    target, by = goal["target"], month_words(goal["target_date"][:7])
    if goal.get("status") == "met":
        return f" That already meets the strategy's goal of {target:g}% by {by}."
    if goal.get("reaches_date"):
        when = "before" if goal["reaches_date"] <= goal["target_date"] else "after"
        return (f" On the current trend {target:g}% is reached in {month_words(goal['reaches_date'][:7])}, "
                f"{when} the strategy's target date of {by}.")
    return f" On the current trend the strategy's goal of {target:g}% by {by} is not reached."


def sentences(region: dict[str, Any], districts: list[dict[str, Any]], england: dict[str, Any],
              indicators: list[dict[str, Any]], goals: dict[str, dict[str, Any]] | None = None) -> list[str]:
    """The summary in words, generated from the figures (never typed): for each headline indicator,
    the region's figure now and in last year's update ('rose from X% to Y%'), England's over the
    same months beside it, the target, then the districts' range."""
    out = []
    for ind in indicators:
        c = region["figures"].get(ind["id"])
        if not c:
            continue
        now, before = c["now"], c["before"]
        subject = f"{noun(ind['label'])} in {region['name']}"
        if before is None:
            text = (f"{subject} was {_pct(now)} in {month_words(now['release'])}; the store holds no "
                    "earlier release to compare it with.")
        else:
            moved = pp(c["change"])
            verb = "stayed at" if moved == "unchanged" else "rose from" if c["change"] > 0 else "fell from"
            if c["basis"] == "last-report":
                if moved == "unchanged":
                    text = (f"{subject} stayed at {_pct(now)} between {month_words(before['release'])}, the "
                            f"figure in last year's update, and {month_words(now['release'])}.")
                else:
                    text = (f"{subject} {verb} {_pct(before)} in {month_words(before['release'])}, the figure "
                            f"in last year's update, to {_pct(now)} in {month_words(now['release'])} ({moved}).")
            else:
                since = "It was" if moved == "unchanged" else f"It {verb}"
                text = (f"{subject} was {_pct(now)} in {month_words(now['release'])}: no newer release has been "
                        f"published since last year's update. {since} {_pct(before)} in "
                        f"{month_words(before['release'])} ({moved}).")
        e = england["figures"].get(ind["id"])
        if e and e["now"]["release"] == now["release"]:
            eb = e["before"]
            if before is not None and eb is not None and eb["release"] == before["release"]:
                text += f" England over the same months: {_pct(eb)} to {_pct(e['now'])}."
            else:
                text += f" England: {_pct(e['now'])} in {month_words(now['release'])}."
        if ind.get("target") is not None and c.get("meets_target") is not None:
            verb = "meets" if c["meets_target"] else "is below"
            text += f" That {verb} the strategy's target of {ind['target']:g}%."
        elif goals and ind["id"] in goals:
            text += goal_words(goals[ind["id"]])
        text = text[0].upper() + text[1:]
        ranked = sorted((d for d in districts if d["figures"].get(ind["id"])),
                        key=lambda d: d["figures"][ind["id"]]["now"]["value"])
        if len(ranked) >= 2:
            lo, hi = ranked[0], ranked[-1]
            lo_v, hi_v = lo["figures"][ind["id"]]["now"]["value"], hi["figures"][ind["id"]]["now"]["value"]
            text += (f" Among the districts, {hi['name']} had the highest ({hi_v:.1f}%) and "
                     f"{lo['name']} the lowest ({lo_v:.1f}%).")
        out.append(text)
    return out
