"""Each metric's status, from its values and trajectory.assess, with the rule in words beside it.

`evaluate` turns a metric and its series into one plain dictionary that the CLI, the pages, the
API and the report all show: status, rule, trajectory in words, projected value, run rate needed,
date reached, the notes on what was done to the data, and the history with the fitted trend.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..months import to_date, year_of
from ..workspace.metrics import Metric, MetricsConfig
from .forecast import trend_band
from .sources import Series, StoreView, values_of
from .trajectory import Trajectory, assess

STATUSES = ("red", "amber", "green", "no data")


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "%":
        return f"{value:.1f}%"
    text = f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.1f}"
    return f"{text} {unit}"


def evaluate(metric: Metric, series: Series, today: date | None = None, band: bool = False) -> dict[str, Any]:
    """The status of one metric. `band` adds the bootstrap band around the trend (for its chart)."""
    today = today or date.today()
    out: dict[str, Any] = {
        "id": metric.id, "title": metric.title, "area_name": series.area_name,
        "display_title": f"{metric.title}: {series.area_name}" if series.area_name else metric.title,
        "description": metric.description, "priority": metric.priority, "life_stage": metric.life_stage,
        "owner": metric.owner, "unit": metric.unit, "direction": metric.direction,
        "target": {"value": metric.target.value, "date": metric.target.date.isoformat()},
        "tolerance": metric.tolerance, "source": {"kind": metric.source.kind, "indicator": metric.source.indicator,
                                                  "area": metric.source.area, "figure": metric.source.figure,
                                                  "describe": metric.source.describe(),
                                                  "provenance": series.provenance},
        "illustrative": series.illustrative, "values": series.rows,
        "baseline": _baseline(metric, series),
    }
    if series.reason:
        out.update(status="no data", rule=f"No data: {series.reason}", words=f"No data: {series.reason}",
                   latest=None, latest_date=None, projected=None, needed_per_year=None, reaches=None,
                   reaches_words="-", notes=[], trend=[], band=[])
        return out
    points = [(year_of(d), v) for d, v in series.points]
    t = assess(points, metric.unit, metric.target.value, year_of(metric.target.date),
               higher_is_better=metric.higher_is_better, tolerance=metric.tolerance, today=year_of(today),
               trend=series.fit, ceiling=series.ceiling)
    latest_date = max(d for d, _ in series.points)
    if series.reaches is not None and t.reaches is not None:
        # the figure's owner forecasts the month itself (the programme's completion): shown as it is
        t.reaches = year_of(series.reaches + "-15")
    out.update(status=t.status, rule=t.rule, latest=t.latest, latest_date=latest_date.isoformat(),
               projected=t.projected, needed_per_year=t.needed_per_year,
               reaches=to_date(t.reaches).isoformat() if t.reaches is not None else None,
               reaches_words=_reaches_words(metric, t), notes=t.notes, words=words(metric, t, latest_date),
               method=t.fit.method if t.fit else None)
    out["trend"] = _trend(metric, t, points)
    out["band"] = []
    if band and t.fit is not None:
        used = sorted(points)[-6:]
        years = [row[0] for row in out["trend"]]
        out["band"] = [list(r) for r in trend_band(used, metric.unit, years)]
    return out


def _baseline(metric: Metric, series: Series) -> dict[str, Any] | None:
    """The configured baseline; a store or records metric without a value takes the first value
    on or after the baseline date (said in `from`)."""
    b = metric.baseline
    if b is None:
        return None
    if b.value is not None:
        return {"value": b.value, "date": b.date.isoformat(), "from": "the metrics file"}
    later = sorted((d, v) for d, v in series.points if d >= b.date)
    if not later:
        return {"value": None, "date": b.date.isoformat(), "from": "no value on or after the baseline date"}
    return {"value": later[0][1], "date": later[0][0].isoformat(), "from": "the first value on or after "
            f"{b.date.isoformat()}"}


def _reaches_words(metric: Metric, t: Trajectory) -> str:
    if t.status == "green" and t.fit is None:
        return "already met"
    if t.reaches is not None:
        return to_date(t.reaches).strftime("%B %Y")
    if t.fit is None:
        return "no trend yet" if t.status != "red" else "target date passed"
    return "not on current trend"


def words(metric: Metric, t: Trajectory, latest_date: date) -> str:
    """The trajectory in one or two sentences."""
    unit = metric.unit
    head = f"{fmt(t.latest, unit)} on {latest_date:%d %B %Y}"
    target = f"target of {fmt(metric.target.value, unit)} by {metric.target.date:%d %B %Y}"
    if t.fit is None:
        if t.status == "green":
            return f"{head}: already meets the {target}."
        if t.needed_per_year is None:
            return f"{head}: the {target} has passed unmet."
        return f"{head}: one value, no trend yet; the {target} needs {_per_year(t.needed_per_year, unit)} a year."
    trend = "rising" if t.fit.slope > 0 else "falling" if t.fit.slope < 0 else "flat"
    reach = (f"it reaches the target in {to_date(t.reaches):%B %Y}" if t.reaches is not None
             else "it does not reach the target on the current trend")
    need = ""
    if t.needed_per_year is not None:
        need = f" Reaching it needs {_per_year(t.needed_per_year, unit)} a year from the latest value."
    return (f"{head}, {trend}; on the current trend {fmt(t.projected, unit)} at the target date "
            f"against a {target}; {reach}.{need}")


def _per_year(rate: float, unit: str) -> str:
    change = "a rise of" if rate > 0 else "a fall of"
    amount = f"{abs(rate):.1f} percentage points" if unit == "%" else fmt(abs(rate), unit)
    return f"{change} {amount}"


def _trend(metric: Metric, t: Trajectory, points: list[tuple[float, float]]) -> list[list[float]]:
    """The fitted trend from the first value it was fitted to, to the target date (or the date the
    trend reaches the target, if later and within ten years): year, value."""
    if t.fit is None:
        return []
    used = sorted(points)[-6:]
    start = used[0][0]
    end = max(year_of(metric.target.date), used[-1][0])
    steps = 24
    return [[start + (end - start) * i / steps, t.fit.at(start + (end - start) * i / steps)] for i in range(steps + 1)]


def evaluate_all(config: MetricsConfig, store: Any | None, records: Any | None, today: date | None = None,
                 band: bool = False, records_reason: str | None = None,
                 programme: Any = None) -> list[dict[str, Any]]:
    """Every metric of a workspace, in the file's order (the store read once for all of them)."""
    if store is not None:
        store = StoreView(store, [m.source.area for m in config.metrics if m.source.kind == "store" and m.source.area])
    return [evaluate(m, values_of(m, store, records, records_reason, programme), today, band) for m in config.metrics]


def select(rows: list[dict[str, Any]], priority: str | None = None, life_stage: str | None = None,
           status: str | None = None) -> list[dict[str, Any]]:
    return [r for r in rows if (priority is None or r["priority"] == priority)
            and (life_stage is None or r["life_stage"] == life_stage)
            and (status is None or r["status"] == status)]


def matrix(config: MetricsConfig, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Priority x life stage: in each cell, the count of metrics by status."""
    cells = []
    for p in config.framework.all_priorities:
        line = {"priority": p, "cross_cutting": p in config.framework.cross_cutting, "cells": []}
        for stage in config.framework.life_stages:
            inside = [r for r in rows if r["priority"] == p and r["life_stage"] == stage]
            line["cells"].append({"life_stage": stage, "total": len(inside),
                                  "counts": {s: sum(r["status"] == s for r in inside) for s in STATUSES}})
        cells.append(line)
    return {"life_stages": list(config.framework.life_stages), "rows": cells, "label": config.framework.label}


def by_priority(config: MetricsConfig, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups = []
    for p in config.framework.all_priorities:
        inside = [r for r in rows if r["priority"] == p]
        groups.append({"priority": p, "cross_cutting": p in config.framework.cross_cutting, "metrics": inside,
                       "counts": {s: sum(r["status"] == s for r in inside) for s in STATUSES}})
    return groups


def counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {s: sum(r["status"] == s for r in rows) for s in STATUSES}
