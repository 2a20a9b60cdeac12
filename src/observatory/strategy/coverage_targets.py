"""Where an area stands against a coverage target: the one answer every view shows.

A coverage indicator's target is set once, in the metrics file's [[target]] table
(workspace/metrics.py). Its standing for an area (status, the rule in words, the projection at the
target date, when the trend reaches the target and the band around that date) is computed here
only, by the same evaluation the metrics board gives the indicator's store metric
(status.evaluate over the store's series), so the overview, area profiles, the map, the metrics
pages, the API and the annual update cannot disagree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..months import month_words, to_date, year_of
from ..workspace.metrics import Metric, MetricsConfig, Point, Source, Target
from .forecast import RECENT, bootstrap, when
from .sources import StoreView, from_store
from .status import evaluate, target_date_words
from .trajectory import fit

# A status as a reader says it (the tag beside a figure).
STATUS_WORDS = {"green": "on track", "amber": "close to target", "red": "off track", "no data": "no data"}


def target_of(config: MetricsConfig | None, indicator: str) -> Target | None:
    return config.target(indicator) if config is not None else None


def target_value(config: MetricsConfig | None, indicator: str, code: str | None) -> float | None:
    """The value an area's figure is held against (the map's class break, the dashed line)."""
    t = target_of(config, indicator)
    return t.value_for(code) if t else None


def meets(value: float | None, target: float | None, direction: str) -> bool | None:
    """Whether a figure already meets a target, in the indicator's direction."""
    if value is None or target is None:
        return None
    lower = direction.startswith("lower")
    return value <= target if lower else value >= target


def coverage_metric(target: Target, indicator: dict[str, Any], code: str) -> Metric:
    """The target as the store metric the metrics board evaluates for the same indicator and area."""
    return Metric(id=f"{target.indicator}-{code}", title=indicator["label"], priority="", life_stage="",
                  owner="", unit="%", direction="lower" if indicator["direction"].startswith("lower") else "higher",
                  target=Point(target.value_for(code), target.date), tolerance=target.tolerance,
                  source=Source("store", indicator=target.indicator, area=code))


def standing(store: Any, config: MetricsConfig | None, indicator: str, code: str,
             today: date | None = None) -> dict[str, Any] | None:
    """An area's standing against its indicator's target; None where the strategy sets none."""
    target = target_of(config, indicator)
    if target is None or store is None:
        return None
    try:
        ind = store.indicator(indicator)
    except Exception:  # noqa: BLE001 - an indicator the store lacks has no standing, never an error
        return None
    today = today or date.today()
    metric = coverage_metric(target, ind, code)
    series = from_store(store, indicator, code)
    row = evaluate(metric, series, today)
    out: dict[str, Any] = {
        "indicator": indicator, "indicator_label": ind["label"], "area_code": code, "area_name": series.area_name, "label": target.label,
        "value": metric.target.value, "date": metric.target.date.isoformat(),
        "date_words": target_date_words(metric.target.date), "tolerance": target.tolerance,
        "status": row["status"], "status_words": STATUS_WORDS[row["status"]], "rule": row["rule"],
        "latest": row["latest"], "latest_release": series.rows[-1]["label"] if series.rows else None,
        "meets": meets(row["latest"], metric.target.value, ind["direction"]),
        "projected": row["projected"],
        # the month the trend reaches the target (a trend gives a month, not a day)
        "reaches": row["reaches"][:7] if row["reaches"] else None, "reaches_words": row["reaches_words"],
        "reaches_kind": row.get("reaches_kind"),
        # what the trend is held within (full fibre within gigabit-capable, ...), where it is
        "held_within": series.within_label or None,
        "projected_band": None, "reaches_band": None, "illustrative": series.illustrative,
    }
    if series.reason:
        out["words"] = f"{ind['label']}, {series.area_name or code}: no forecast: {series.reason}"
        return out
    points = sorted((year_of(d), v) for d, v in series.points)[-RECENT:]
    # the trend status.evaluate fitted (trajectory.assess: the latest RECENT figures, held within
    # the indicator containing this one), refitted here for its band
    trend = fit(points, "%", within=series.within) if len(points) >= 2 else None
    if len(points) >= 2 and not out["meets"]:
        band = bootstrap(points, "%", metric.target.value, year_of(metric.target.date), trend=trend)
        out["projected_band"] = band["projected_band"]
        out["reaches_band"] = [to_date(y).isoformat()[:7] if y is not None else None
                               for y in band["reaches_band"]] if band["reaches_band"] else None
    reach = when(out["reaches"], out["latest_release"] or "", today, f"{out['value']:g}%",
                 passed=out["reaches_kind"] == "passed")
    out["reach_clause"] = reach["clause"]
    out["words"] = _words(ind["label"], out, len(points))
    return out


def _band_words(s: dict[str, Any]) -> str:
    band = s["reaches_band"]
    if not band:
        return "too few figures for a band"
    newest = (s.get("latest_release") or "")[:7]
    hi = month_words(band[1]) if band[1] else "possibly never"
    if band[0] and newest and band[0] <= newest:
        # the band's early end is a month the newest figure had not reached it in: never said as a date
        return f"80% band up to {hi}" if band[1] else "80% band from the next release to possibly never"
    lo = month_words(band[0]) if band[0] else "never"
    return f"80% band {lo} to {hi}" if lo != hi else "the figures lie on the trend exactly"


def _words(label: str, s: dict[str, Any], used: int) -> str:
    who = f"{label}, {s['area_name']}"
    head = f"{who}: {s['latest']:.1f}% in {month_words(s['latest_release'])}"
    goal = f"{s['value']:g}% by {s['date_words']}"
    if s["meets"]:
        return f"{head} already meets the target of {goal}."
    held = f", held within {s['held_within']}" if s.get("held_within") else ""
    if s["reaches"] is None:
        return (f"{head}; on the trend of the latest {used} releases{held}, {s['reach_clause']} "
                f"({_band_words(s)}): {s['status_words']} for the target of {goal}.")
    by = "by" if s["status"] == "green" else "after"
    return (f"{head}; on the trend of the latest {used} releases{held}, {s['reach_clause']} "
            f"({_band_words(s)}), {by} the target date of {s['date_words']} ({s['status_words']}).")


def standings(store: Any, config: MetricsConfig | None, codes: list[str],
              today: date | None = None) -> list[dict[str, Any]]:
    """Every target for every area in `codes` (the region first, then the districts) that the
    store has figures for (an indicator not yet in the store, say backbone reach before the
    register is loaded, is shown as "no data" by its metric, not as a forecast)."""
    if config is None or store is None:
        return []
    store = StoreView(store, list(codes))  # every area's series in one read, not three per target
    return [s for code in codes for t in config.targets
            if (s := standing(store, config, t.indicator, code, today)) is not None and s["latest"] is not None]
