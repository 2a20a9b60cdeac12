"""What changed: each district's (or ward's) figure now and at an earlier month, the change in
percentage points, the biggest movers first, and every district's trend beside England's on a
true time axis. Calderdale's gigabit coverage rising from about half to nearly nine in ten
premises since 2022 is the kind of story this page exists to show."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..months import month_words
from ..workspace.additions import what_to_add
from .charts import lines_svg
from .render import check_indicator, render, snapshot_of

router = APIRouter(include_in_schema=False)
ENGLAND = ("E92000001", "England")
MOVERS = 5


def changes_view(store, region: str | None, indicator: str, level: str, since: str) -> dict[str, Any]:
    ind = store.indicator(indicator)
    releases = store.releases_of(indicator, level)
    nouns = "districts" if level == "lad" else "wards"
    if not releases:
        has_figures = bool(store.rows("SELECT 1 FROM facts WHERE level = ? LIMIT 1", [level]))
        lacking = "" if has_figures else what_to_add(level, bool(store.names(level)))
        return {"indicator": {k: ind[k] for k in ("id", "label", "unit", "direction")}, "level": level,
                "rows": [], "movers": [], "releases": [], "now": None, "since": None, "now_words": "",
                "since_words": "", "comparable": False,
                "notice": lacking or f"There are no {ind['label'][:1].lower() + ind['label'][1:]} figures by "
                                     f"{nouns[:-1]} in this observatory: the publisher gives them for districts "
                                     "and larger areas only."}
    now = releases[-1]
    earlier = [r for r in releases if r < now]
    if not earlier:  # one release at this level: nothing to compare it with, so no change is shown
        inside = {c["code"] for c in store.children(region, level)} if region else None
        rows = [{"code": r["area_code"], "name": r["area_name"], "now": r["value"], "then": None, "change_pp": None,
                 "synthetic": bool(r["synthetic"])} for r in store.figures(level, indicator, now)
                if inside is None or r["area_code"] in inside]
        rows.sort(key=lambda r: (r["now"] is None, -(r["now"] or 0)))
        return {"indicator": {k: ind[k] for k in ("id", "label", "unit", "direction")}, "level": level,
                "now": now, "since": None, "now_words": month_words(now), "since_words": "", "releases": releases,
                "comparable": False, "rows": rows, "movers": [], "illustrative": any(r["synthetic"] for r in rows),
                "notice": f"The {nouns} have figures for one release only ({month_words(now)}), so there is no "
                          f"change to show yet. Their figures for {month_words(now)} are below; compare the "
                          "districts to see change over time."}
    notice = None
    if since not in earlier:
        # default: a year before the latest month where there is one, else the earliest
        year_before = f"{int(now[:4]) - 1}{now[4:]}"
        pick = [r for r in earlier if r <= year_before]
        if since:
            notice = f"{month_words(since)} has no figures at this level: comparing with {month_words((pick or earlier or [now])[-1])}."
        since = (pick or earlier or [now])[-1]
    inside = {c["code"] for c in store.children(region, level)} if region else None
    current = {r["area_code"]: r for r in store.figures(level, indicator, now)}
    before = {r["area_code"]: r for r in store.figures(level, indicator, since)}
    rows = []
    for code, r in current.items():
        if inside is not None and code not in inside:
            continue
        b = before.get(code)
        change = None if r["value"] is None or b is None or b["value"] is None else round(r["value"] - b["value"], 1)
        rows.append({"code": code, "name": r["area_name"], "now": r["value"], "then": b["value"] if b else None,
                     "change_pp": change, "synthetic": bool(r["synthetic"] or (b and b["synthetic"]))})
    rows.sort(key=lambda r: (r["change_pp"] is None, -(r["change_pp"] or 0)))
    if ind["direction"] == "lower-is-better":
        rows.sort(key=lambda r: (r["change_pp"] is None, r["change_pp"] or 0))
    return {
        "indicator": {k: ind[k] for k in ("id", "label", "unit", "direction")},
        "level": level, "now": now, "since": since, "now_words": month_words(now),
        "since_words": month_words(since), "releases": releases, "notice": notice, "comparable": True,
        "rows": rows, "movers": [r for r in rows if r["change_pp"] is not None][:MOVERS],
        "illustrative": any(r["synthetic"] for r in rows),
    }


def trend_lines(store, region: str | None, indicator: str) -> list[dict[str, Any]]:
    """Each of the region's districts and England: (month, value) over every release."""
    districts = [(d["code"], d["name"]) for d in store.children(region, "lad")] if region else []
    names = dict([*districts, ENGLAND])
    lines: dict[str, list[tuple[str, float]]] = {}
    for row in store.series_many(list(names)):
        if row["indicator"] == indicator and row["value"] is not None:
            lines.setdefault(row["area_code"], []).append((row["release"], row["value"]))
    return [{"code": c, "name": names[c], "points": lines[c], "england": c == ENGLAND[0]} for c in names if c in lines]


@router.get("/changes")
def changes_page(request: Request, indicator: str = "gigabit", level: Literal["lad", "ward"] = "lad",
                 since: str = "") -> Response:
    check_indicator(request, indicator)
    snap = snapshot_of(request)
    data = changes_view(snap.store, snap.region, indicator, level, since)
    lines = trend_lines(snap.store, snap.region, indicator)
    data["trend"] = lines
    choices = sorted({(a["indicator"], a["indicator_label"]) for a in snap.available if a["level"] == "lad"},
                     key=lambda kv: kv[1])
    return render(request, "changes.html", data, title=f"What changed: {data['indicator']['label']}",
                  chart=lines_svg(lines, data["indicator"]["label"], data["indicator"]["unit"], "trend"),
                  choices=[{"id": i, "label": lbl} for i, lbl in choices])
