"""The coverage section and the summary's sentences: the region and each district against the
targets, with the change since last year's update, and England beside them for context."""

from __future__ import annotations

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
                values = [r["value"] for r in series[(area["code"], ind["id"])]
                          if r["value"] is not None and r["release"] <= c["now"]["release"]]
                c["spark"] = sparkline(values, f"{ind['label']}, {area['name']}: {len(values)} releases")
            figures[ind["id"]] = c
        return {"code": area["code"], "name": area["name"], "level": area["level"], "figures": figures}

    rows = [row_of(region), *(row_of(d) for d in districts)]
    england = row_of({"code": ENGLAND, "name": "England", "level": "nation"})
    shown = [f["now"] for r in [*rows, england] for f in r["figures"].values() if f]
    return {
        "region": rows[0],
        "districts": rows[1:],
        "england": england if any(england["figures"].values()) else None,
        "indicators": indicators,
        "illustrative": any(f.get("synthetic") for f in shown),
        "sentences": sentences(rows[0], rows[1:], england, indicators),
    }


def pp(change: float) -> str:
    """A change in percentage points, rounded once from the unrounded values."""
    text = f"{abs(change):.1f}"
    if text == "0.0":
        return "unchanged"
    return f"{'up' if change > 0 else 'down'} {text} percentage points"


def sentences(region: dict[str, Any], districts: list[dict[str, Any]], england: dict[str, Any],
              indicators: list[dict[str, Any]]) -> list[str]:
    """The summary in words, generated from the figures (never typed)."""
    out = []
    for ind in indicators:
        c = region["figures"].get(ind["id"])
        if not c:
            continue
        now, before = c["now"], c["before"]
        label = ind["label"][0].lower() + ind["label"][1:]
        text = f"Coverage of {label} in {region['name']} was {now['value']:.1f}% in {month_words(now['release'])}"
        if before is not None:
            if c["basis"] == "last-report":
                text += f", {pp(c['change'])} since {month_words(before['release'])}, the figure in last year's update"
            else:
                text += (f" (no newer release since last year's update); {pp(c['change'])} on "
                         f"{month_words(before['release'])}")
        e = england["figures"].get(ind["id"])
        if e and e["now"]["release"] == now["release"]:
            text += f". England: {e['now']['value']:.1f}%"
        text += "."
        if ind.get("target") is not None and c.get("meets_target") is not None:
            verb = "meets" if c["meets_target"] else "is below"
            text += f" That {verb} the strategy's target of {ind['target']:g}%."
        out.append(text)
        ranked = sorted((d for d in districts if d["figures"].get(ind["id"])),
                        key=lambda d: d["figures"][ind["id"]]["now"]["value"])
        if len(ranked) >= 2:
            lo, hi = ranked[0], ranked[-1]
            lo_v, hi_v = lo["figures"][ind["id"]]["now"]["value"], hi["figures"][ind["id"]]["now"]["value"]
            out.append(f"Among the districts, {hi['name']} had the highest ({hi_v:.1f}%) and "
                       f"{lo['name']} the lowest ({lo_v:.1f}%).")
    return out
