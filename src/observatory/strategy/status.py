"""Each metric's status, from its values and trajectory.assess, with the rule in words beside it.

`evaluate` turns a metric and its series into one plain dictionary that the CLI, the pages, the
API and the report all show: status, rule, trajectory in words, projected value, run rate needed,
date reached, the notes on what was done to the data, and the history with the fitted trend.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..months import month_end, to_date, year_of
from ..workspace.metrics import Metric, MetricsConfig
from .forecast import trend_band, when
from .sources import Series, StoreView, values_of
from .trajectory import FRACTIONAL_UNITS, Trajectory, assess

STATUSES = ("red", "amber", "green", "no data")


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "%":
        return f"{value:.1f}%"
    fractional = unit in FRACTIONAL_UNITS and abs(value) < 100 and value != int(value)
    text = f"{value:,.1f}" if fractional else f"{value:,.0f}"  # whole things are counted whole
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
               trend=series.fit, ceiling=series.ceiling, within=series.within,
               within_label=series.within_label)
    latest_date = max(d for d, _ in series.points)
    if series.reaches is not None and t.reaches is not None:
        # the figure's owner forecasts the month itself (the programme's completion): shown as it is
        t.reaches = year_of(series.reaches + "-15")
    reach = forecast_words(t, latest_date, today)
    out.update(status=t.status, rule=t.rule, latest=t.latest, latest_date=latest_date.isoformat(),
               latest_words=series.date_words(latest_date),
               projected=t.projected, needed_per_year=t.needed_per_year,
               reaches=to_date(t.reaches).isoformat() if reach and reach["reaches"] else None,
               reaches_kind=reach["kind"] if reach else None,
               reaches_words=_reaches_words(t, reach), notes=t.notes,
               words=words(metric, t, latest_date, series, reach),
               method=t.fit.method if t.fit else None)
    out["trend"] = _trend(metric, t, points)
    out["band"] = []
    if band and t.fit is not None:
        used = sorted(points)[-6:]
        years = [row[0] for row in out["trend"]]
        nested = t.fit if series.within is not None else None
        out["band"] = [list(r) for r in trend_band(used, metric.unit, years, trend=nested)]
    return out


def forecast_words(t: Trajectory, latest_date: date, today: date,
                   goal: str = "the target") -> dict[str, Any] | None:
    """The forecast month of a trajectory in words (forecast.when: the one place they are made);
    None where there is no trend to forecast from."""
    if t.fit is None or t.status == "no data":
        return None
    month = to_date(t.reaches).isoformat()[:7] if t.reaches is not None else None
    return when(month, latest_date.isoformat()[:7], today, goal, passed=t.reached_before_latest)


def _baseline(metric: Metric, series: Series) -> dict[str, Any] | None:
    """The configured baseline. A metric without a baseline value takes it from its series: for a
    publisher's releases, the release of the month the baseline names ("2020-09": the September
    2020 release; the next one after it where that month has none, said in `from`); for dated
    values, the first on or after the baseline date."""
    b = metric.baseline
    if b is None:
        return None
    if b.value is not None:
        return {"value": b.value, "date": b.date.isoformat(), "from": "the metrics file",
                "when": f"on {b.date.day} {b.date:%B %Y}"}
    if series.dating == "release":
        named = f"{b.date:%Y-%m}"
        later = sorted((d, v) for d, v in series.points if f"{d:%Y-%m}" >= named)
        if not later:
            return {"value": None, "date": named, "from": f"no release of {b.date:%B %Y} or later",
                    "when": f"in {b.date:%B %Y}"}
        d, v = later[0]
        said = (f"the {d:%B %Y} release" if f"{d:%Y-%m}" == named
                else f"the first release after {b.date:%B %Y} (none of that month)")
        return {"value": v, "date": f"{d:%Y-%m}", "from": said, "when": f"in {d:%B %Y}"}
    if series.dating == "quarter":
        later = sorted((d, v) for d, v in series.points if d >= month_end(b.date))
    else:
        later = sorted((d, v) for d, v in series.points if d >= b.date)
    if not later:
        return {"value": None, "date": b.date.isoformat(), "from": "no value on or after the baseline date",
                "when": f"on {b.date.day} {b.date:%B %Y}"}
    return {"value": later[0][1], "date": later[0][0].isoformat(), "from": "the first value on or after "
            f"{b.date.day} {b.date:%B %Y}", "when": series.in_words(later[0][0])}


def _reaches_words(t: Trajectory, reach: dict[str, Any] | None) -> str:
    if t.status == "green" and t.fit is None:
        return "already met"
    if reach is not None:
        return reach["short"]
    if t.fit is None:
        return "no trend yet" if t.status != "red" else "target date passed"
    return "not on current trend"


def target_date_words(d: date) -> str:
    """A target date: its month where it is the month's last day (how "2030-12" is read), else the day."""
    return f"{d:%B %Y}" if d == month_end(d) else f"{d.day} {d:%B %Y}"


def words(metric: Metric, t: Trajectory, latest_date: date, series: Series | None = None,
          reach: dict[str, Any] | None = None) -> str:
    """The trajectory in one or two sentences."""
    unit = metric.unit
    when_latest = series.in_words(latest_date) if series is not None else f"on {latest_date.day} {latest_date:%B %Y}"
    head = f"{fmt(t.latest, unit)} {when_latest}"
    target = f"target of {fmt(metric.target.value, unit)} by {target_date_words(metric.target.date)}"
    if t.fit is None:
        if t.status == "green":
            return f"{head}: already meets the {target}."
        if t.needed_per_year is None:
            return f"{head}: the {target} has passed unmet."
        return f"{head}: one value, no trend yet; the {target} needs {_per_year(t.needed_per_year, unit)} a year."
    trend = "rising" if t.fit.slope > 0 else "falling" if t.fit.slope < 0 else "flat"
    reach_clause = reach["clause"] if reach is not None else "the target is not reached on the current trend"
    need = ""
    if t.needed_per_year is not None:
        need = f" Reaching it needs {_per_year(t.needed_per_year, unit)} a year from the latest value."
    return (f"{head}, {trend}; on the current trend {fmt(t.projected, unit)} at the target date "
            f"against a {target}; {reach_clause}.{need}")


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
