"""The coverage section and the summary's sentences: the region and each district against the
targets, with the change since last year's update, and England beside them for context."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from ..overview import HEADLINE, region_of
from ..store import Store
from ..strategy.coverage_targets import standing, target_value
from ..workspace.metrics import MetricsConfig
from .period import compared, month_words
from .sparkline import sparkline

ENGLAND = "E92000001"


def coverage(store: Store, year: int, targets: MetricsConfig | None = None) -> dict[str, Any]:
    region_code = region_of(store)
    region = store.area(region_code)
    districts = store.children(region_code, "lad")
    known = {i["id"]: i for i in store.indicators()}
    indicators = [dict(known[i], target=target_value(targets, i, region_code)) for i in HEADLINE if i in known]
    codes = [region_code, *(d["code"] for d in districts), ENGLAND]
    series: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in store.series_many(codes):
        series[(row["area_code"], row["indicator"])].append(row)

    def row_of(area: dict[str, Any]) -> dict[str, Any]:
        figures = {}
        for ind in indicators:
            c = compared(series.get((area["code"], ind["id"]), []), year)
            if c is not None:
                # the standing every view shows (strategy.coverage_targets), for the region and districts
                c["standing"] = (standing(store, targets, ind["id"], area["code"])
                                 if area["code"] != ENGLAND else None)
                c["meets_target"] = c["standing"]["meets"] if c["standing"] else None
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


def target_words(s: dict[str, Any]) -> str:
    """An area's standing against the strategy's target, in one sentence (coverage_targets.standing)."""
    goal = f"the strategy's target of {s['value']:g}% by {s['date_words']}"
    if s["meets"]:
        return f" That already meets {goal}."
    if s["reaches"] is not None:
        return f" On the current trend {s['value']:g}% is reached in {s['reaches_words']}: {s['status_words']} for {goal}."
    return f" On the current trend {goal} is not reached ({s['status_words']})."


def sentences(region: dict[str, Any], districts: list[dict[str, Any]], england: dict[str, Any],
              indicators: list[dict[str, Any]]) -> list[str]:
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
        if c.get("standing"):
            text += target_words(c["standing"])
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
