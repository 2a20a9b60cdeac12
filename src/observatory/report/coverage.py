"""The coverage section and the summary's sentences: the region and each district against the
targets, with the change over twelve months, and England beside them for context.

The change is the one every view shows (indicators.trends.trend): the newest figure against the
newest release at least twelve months before it. The report says what it is measured against, and
where the two releases are further apart than a year, how far and which releases the observatory
lacks between them (strategy.freshness). The newest release is named as the newest *in this
observatory*: the store cannot know what a publisher has published since."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from typing import Any

from ..indicators.trends import trend
from ..overview import HEADLINE, region_of
from ..store import Store
from ..strategy.coverage_targets import standing, target_value
from ..strategy.freshness import freshness, gap_words
from ..workspace.metrics import MetricsConfig
from .period import as_at, month_words
from .sparkline import sparkline

ENGLAND = "E92000001"


def compared(series: list[dict[str, Any]], year: int) -> dict[str, Any] | None:
    """This year's figure (the newest as at the end of `year`) and the one it is compared with:
    the newest release at least twelve months before it (indicators.trends.trend, the definition
    the overview and area pages use), with the change in percentage points from unrounded values.
    `last_report`: the figure last year's update showed (the newest as at the end of `year` - 1),
    for context; `new_since_last_report`: whether a newer release has been loaded since."""
    known = [r for r in series if r["value"] is not None and int(r["release"][:4]) <= year]
    t = trend(known)
    if t is None or t.get("value") is None:
        return None
    now = known[-1]
    before = None
    if t["year_before"] is not None:
        before = next(r for r in known if r["release"] == t["year_before"]["release"])
    last = as_at(series, year - 1)
    return {"now": now, "before": before, "change": t["year_before"]["change_pp"] if before else None,
            "basis": "twelve-months", "last_report": last,
            "new_since_last_report": last is None or last["release"] != now["release"]}


def coverage(store: Store, year: int, targets: MetricsConfig | None = None,
             today: date | None = None) -> dict[str, Any]:
    """`today`: the date the forecasts and the freshness of the releases are judged at (default:
    the date it runs)."""
    today = today or date.today()
    releases = store.releases()
    publishers = {r["release_id"]: r["publisher"] for r in releases}
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
                c["standing"] = (standing(store, targets, ind["id"], area["code"], today)
                                 if area["code"] != ENGLAND else None)
                c["gap"] = gap_words(c["before"], c["now"], publishers) if c["before"] else None
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
        # each publisher's newest release here, and whether its cadence implies a newer one is out
        "freshness": freshness(releases, today),
        "change_words": CHANGE_WORDS,
    }


# What every change in the report is measured against, said where the changes are shown.
CHANGE_WORDS = ("Each change is measured against the newest release at least twelve months earlier, as on the "
                "dashboard's overview and area pages.")


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
    # the forecast's words as every view says them (strategy.forecast.when, via the standing)
    clause = s.get("reach_clause") or f"{s['value']:g}% is not reached on the current trend"
    return f" On the current trend {clause} ({s['status_words']} for {goal})."


def sentences(region: dict[str, Any], districts: list[dict[str, Any]], england: dict[str, Any],
              indicators: list[dict[str, Any]]) -> list[str]:
    """The summary in words, generated from the figures (never typed): for each headline indicator,
    the region's newest figure in this observatory and the change over twelve months ('rose from X%
    to Y%', with how far apart the releases are where more than a year), England's over the same
    months beside it, the target, then the districts' range."""
    out = []
    for ind in indicators:
        c = region["figures"].get(ind["id"])
        if not c:
            continue
        now, before = c["now"], c["before"]
        subject = f"{noun(ind['label'])} in {region['name']}"
        newest = (f"{_pct(now)} in {month_words(now['release'])}, the newest release of it in this observatory"
                  # what was newest at the end of last year, whether or not an update was written then
                  + ("" if c["new_since_last_report"] else " (already the newest at the end of last year)"))
        if before is None:
            text = (f"{subject} was {newest}; this observatory holds no release of it twelve months or more "
                    "earlier to compare it with.")
        else:
            moved = pp(c["change"])
            apart = c.get("gap") or "twelve months earlier"
            if moved == "unchanged":
                text = (f"{subject} was {newest}. It was also {_pct(before)} in {month_words(before['release'])} "
                        f"({apart}).")
            else:
                verb = "rose" if c["change"] > 0 else "fell"
                text = (f"{subject} was {newest}. It {verb} from {_pct(before)} in "
                        f"{month_words(before['release'])} ({apart}): {moved}.")
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
