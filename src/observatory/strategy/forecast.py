"""When coverage reaches its target on the current trend, with an uncertainty band.

The trend is trajectory.fit (a straight line in logit space for percentages: the logistic curve
network roll-out follows) through the latest `recent` figures. The band comes from a residual
bootstrap (Efron and Tibshirani, An Introduction to the Bootstrap, 1993, section 9.5, "bootstrapping
residuals"): the fitted values plus residuals drawn with replacement give a new series, refitted
`draws` times; the 10th and 90th percentiles (nearest rank) of the refitted answers are the band (an 80% interval).
The random generator is seeded, so the same store gives the same band every time. A series that
lies exactly on a logistic curve has no residuals, so its band is the closed-form answer itself.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import numpy as np

from .sources import StoreView
from .trajectory import EDGE, Fit, fit, year_of

SEED = 20301231
DRAWS = 400
LOW, HIGH = 10, 90  # percentiles of the band
RECENT = 6


def to_date(year: float) -> date:
    """A decimal year as a date."""
    whole = int(math.floor(year))
    start = date(whole, 1, 1)
    days = (date(whole + 1, 1, 1) - start).days
    return start + timedelta(days=round((year - whole) * days))


def _transform(v: np.ndarray, method: str) -> np.ndarray:
    if method == "logistic":
        p = np.clip(v, EDGE, 100 - EDGE)
        return np.log(p / (100 - p))
    return v


def bootstrap(points: list[tuple[float, float]], unit: str, target: float, target_year: float,
              draws: int = DRAWS, seed: int = SEED) -> dict[str, Any]:
    """The trend through `points` (decimal year, value), and the band of the year it reaches
    `target` and of its value at `target_year`. Years that never come (a flat or falling
    bootstrap trend) count as infinitely late, so an upper end of None means "maybe never"."""
    f = fit(points, unit)
    xs = np.array([x - f.origin for x, _ in points])
    ys = _transform(np.array([v for _, v in points], dtype=float), f.method)
    fitted = f.intercept + f.slope * xs
    resid = ys - fitted
    rng = np.random.default_rng(seed)
    reach: list[float] = []
    at_date: list[float] = []
    goal = _transform(np.array([target]), f.method)[0] if (f.method != "logistic" or 0 < target < 100) else None
    if len(points) > 2:
        slopes, intercepts = _refits(xs, fitted, resid, rng, draws)
        at_date = [_back(v, f.method) for v in intercepts + slopes * (target_year - f.origin)]
        for a, b in zip(intercepts, slopes, strict=True):
            reach.append(f.origin + (goal - a) / b if goal is not None and b > 0 else math.inf)
    out: dict[str, Any] = {"fit": f, "reaches": _reaches(f, target), "projected": f.at(target_year),
                           "reaches_band": None, "projected_band": None, "draws": len(reach), "seed": seed}
    if reach:
        lo, hi = _rank(reach, LOW), _rank(reach, HIGH)
        out["reaches_band"] = (float(lo) if math.isfinite(lo) else None, float(hi) if math.isfinite(hi) else None)
        plo, phi = np.percentile(np.array(at_date), [LOW, HIGH])
        out["projected_band"] = (float(plo), float(phi))
    return out


def _refits(xs: np.ndarray, fitted: np.ndarray, resid: np.ndarray, rng: np.random.Generator,
            draws: int) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares slope and intercept of `draws` series: the fitted values plus residuals drawn
    with replacement (one row per draw)."""
    ys = fitted[None, :] + rng.choice(resid, size=(draws, len(resid)), replace=True)
    mx = xs.mean()
    sxx = ((xs - mx) ** 2).sum()
    my = ys.mean(axis=1)
    slopes = ((xs - mx)[None, :] * (ys - my[:, None])).sum(axis=1) / sxx if sxx else np.zeros(draws)
    return slopes, my - slopes * mx


def _rank(values: list[float], pct: float) -> float:
    """The nearest-rank percentile (works with infinitely late years, which interpolation does not)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _back(y: float, method: str) -> float:
    return 100.0 / (1.0 + math.exp(-y)) if method == "logistic" else y


def _reaches(f: Fit, target: float) -> float | None:
    year = f.year_reaching(target)
    return year if year is not None and f.slope > 0 and year >= f.origin else None


def trend_band(points: list[tuple[float, float]], unit: str, years: list[float], draws: int = DRAWS,
               seed: int = SEED) -> list[tuple[float, float, float]]:
    """(year, low, high) of the refitted trend at each year: the band drawn around a metric's trend."""
    if len(points) < 3:
        return []
    f = fit(points, unit)
    xs = np.array([x - f.origin for x, _ in points])
    ys = _transform(np.array([v for _, v in points], dtype=float), f.method)
    fitted = f.intercept + f.slope * xs
    resid = ys - fitted
    slopes, intercepts = _refits(xs, fitted, resid, np.random.default_rng(seed), draws)
    grid = np.array(years) - f.origin
    curves = intercepts[:, None] + slopes[:, None] * grid[None, :]
    lo, hi = np.percentile(curves, [LOW, HIGH], axis=0)
    return [(yr, _back(a, f.method), _back(b, f.method)) for yr, a, b in zip(years, lo, hi, strict=True)]


# --- coverage forecasts for the region and every district -----------------------------------------

def area_forecast(store: Any, code: str, indicator: str, target: float, target_date: date,
                  recent: int = RECENT) -> dict[str, Any]:
    """One area's forecast for one indicator: the latest figure, the year the trend reaches the
    target with its band, and whether that is by the target date."""
    row: dict[str, Any] = {"area_code": code, "indicator": indicator, "target": target,
                           "target_date": target_date.isoformat()}
    try:
        area = store.area(code)
        label = store.indicator(indicator)["label"]
    except Exception as exc:  # noqa: BLE001 - an unknown area or indicator is said, never raised
        return {**row, "status": "no data", "words": f"No forecast: {exc}"}
    row.update(area_name=area["name"], label=label)
    who = f"{label}, {area['name']}"
    series = [(r["release"], r["value"]) for r in store.series(area["code"], indicator) if r["value"] is not None]
    if len(series) < 2:
        return {**row, "status": "no data", "words": f"{who}: no forecast, the store holds {len(series)} figure(s); "
                                                       "a trend needs two."}
    pts = [(year_of(m), v) for m, v in series][-recent:]
    latest_month, latest = series[-1]
    b = bootstrap(pts, "%", target, year_of(target_date))
    row.update(latest=latest, latest_release=latest_month, points=len(pts),
               first_release=series[-len(pts)][0], projected=b["projected"], projected_band=b["projected_band"],
               method=b["fit"].method)
    reaches, band = b["reaches"], b["reaches_band"]
    row["reaches"] = reaches
    row["reaches_date"] = to_date(reaches).isoformat() if reaches is not None else None
    row["reaches_band"] = band
    row["reaches_band_dates"] = None if band is None else [to_date(y).isoformat() if y is not None else None for y in band]
    goal = year_of(target_date)
    if latest >= target:
        row.update(status="met", words=f"{who}: {latest:.1f}% in {latest_month} already meets {target:g}%.")
        return row
    if reaches is None:
        row.update(status="not on current trend",
                   words=f"{who}: {latest:.1f}% in {latest_month}; the trend is flat or falling, so "
                         f"{target:g}% is not reached on the current trend.")
        return row
    row["status"] = "on track" if reaches <= goal else "late"
    row["words"] = (f"{who}: {latest:.1f}% in {latest_month}; on the trend of the latest {len(pts)} "
                    f"figures, {target:g}% is reached in {_when(reaches)} ({_band_words(band)}), "
                    f"{'by' if reaches <= goal else 'after'} the target date {target_date:%B %Y}.")
    return row


def _when(year: float) -> str:
    return to_date(year).strftime("%B %Y")


def _band_words(band: tuple[float | None, float | None] | None) -> str:
    if band is None:
        return "too few figures for a band"
    lo, hi = band
    first = _when(lo) if lo is not None else "never"
    last = _when(hi) if hi is not None else "possibly never"
    return f"80% band {first} to {last}" if first != last else "the figures lie on the trend exactly"


def forecasts(store: Any, codes: list[str], targets: list[Any]) -> list[dict[str, Any]]:
    """Every (area, target) pair: the region first, then the districts, as `codes` lists them."""
    store = StoreView(store, list(codes))
    return [area_forecast(store, code, t.indicator, t.target, t.date) | {"label_target": t.label}
            for code in codes for t in targets]


def forecast_for(store: Any, code: str, targets: list[Any] | None = None, workspace: Any = None) -> list[dict[str, Any]]:
    """One area's coverage forecasts (for its profile page): the targets given, or those of the
    workspace's metrics file; empty when there are none."""
    if targets is None:
        config = workspace.metrics if workspace is not None else None
        targets = config.forecasts if config else []
    return forecasts(store, [code], targets)
