"""When coverage reaches its target on the current trend, with an uncertainty band.

The trend is trajectory.fit (a straight line in logit space for percentages: the logistic curve
network roll-out follows) through the latest `recent` figures. The band comes from a residual
bootstrap (Efron and Tibshirani, An Introduction to the Bootstrap, 1993, section 9.5, "bootstrapping
residuals"): the fitted values plus residuals drawn with replacement give a new series, refitted
`draws` times; the 10th and 90th percentiles (nearest rank) of the refitted answers are the band (an 80% interval).
The random generator is seeded, so the same store gives the same band every time. A series that
lies exactly on a logistic curve has no residuals, so its band is the closed-form answer itself.

An indicator inside another (full fibre within gigabit-capable: trajectory.py) is bounded by its
container's projection: each draw refits its own curve and its container's (with the container's
own residuals and seed), takes the lower of the two at each date, and reaches the target when both
have. So the band carries the container's uncertainty, and every draw stays within its container's.

`when` is the one place a forecast date becomes words, for every view: a date is only "reached in"
when it is after today; one between the newest release and today "would have been reached ... if
the trend held; the next release will show"; one before the newest release is never a date the
target was reached, since the newest figure had not reached it.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np

from ..months import month_words
from .trajectory import Fit, fit, linearised

SEED = 20301231
DRAWS = 400
LOW, HIGH = 10, 90  # percentiles of the band
RECENT = 6


def _goal(target: float, method: str) -> float | None:
    if method != "logistic":
        return target
    return math.log(target / (100 - target)) if 0 < target < 100 else None


def bootstrap(points: list[tuple[float, float]], unit: str, target: float, target_year: float,
              draws: int = DRAWS, seed: int = SEED, trend: Fit | None = None) -> dict[str, Any]:
    """The trend through `points` (decimal year, value), and the band of the year it reaches
    `target` and of its value at `target_year`. Years that never come (a flat or falling
    bootstrap trend) count as infinitely late, so an upper end of None means "maybe never".
    `trend`: the trend already fitted to these points (a nested one keeps its container)."""
    f = trend if trend is not None else fit(points, unit)
    points = list(f.data) or points
    xs = np.array([x - f.origin for x, _ in points])
    ys = linearised(f, points)
    fitted = f.intercept + f.slope * xs
    resid = ys - fitted
    rng = np.random.default_rng(seed)
    reach: list[float] = []
    at_date: list[float] = []
    goal = _goal(target, f.method)
    if f.within is not None and len(points) > 2:
        values, years = nested_draws(f, np.array([target_year]), target, draws, seed)
        at_date = list(values[:, 0])
        if goal is not None:
            reach = list(np.maximum(years, f.origin))  # "already" is as at the latest figure
    elif len(points) > 2:
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


def nested_draws(f: Fit, years: np.ndarray, target: float, draws: int = DRAWS,
                 seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """`draws` refitted trends of `f` at `years` (one row per draw), each bounded by a refitted
    draw of its container, and the year each draw reaches `target` (inf: never; a container that
    is not rising counts as never, erring late)."""
    points = list(f.data)
    if len(points) > 2:
        xs = np.array([x - f.origin for x, _ in points])
        fitted = f.intercept + f.slope * xs
        resid = np.array(linearised(f, points)) - fitted
        slopes, intercepts = _refits(xs, fitted, resid, np.random.default_rng(seed), draws)
    else:
        slopes, intercepts = np.full(draws, f.slope), np.full(draws, f.intercept)
    lines = intercepts[:, None] + slopes[:, None] * (years - f.origin)[None, :]
    goal = _goal(target, f.method)
    with np.errstate(divide="ignore", invalid="ignore"):
        # a draw that is not rising reaches the target never, unless it is above it already (a
        # container above the target and falling slowly does not hold the indicator inside it back)
        reach = (np.where(slopes > 0, f.origin + (goal - intercepts) / slopes,
                          np.where(intercepts >= goal, -np.inf, np.inf))
                 if goal is not None else np.full(draws, np.inf))
    values = 100.0 / (1.0 + np.exp(-lines)) if f.method == "logistic" else lines
    if f.within is not None:
        outer, outer_reach = nested_draws(f.within, years, target, draws, seed + 1)
        values = np.minimum(values, outer)
        reach = np.maximum(reach, outer_reach)
    return values, reach


def trend_band(points: list[tuple[float, float]], unit: str, years: list[float], draws: int = DRAWS,
               seed: int = SEED, trend: Fit | None = None) -> list[tuple[float, float, float]]:
    """(year, low, high) of the refitted trend at each year: the band drawn around a metric's trend."""
    if len(points) < 3:
        return []
    f = trend if trend is not None else fit(points, unit)
    if f.within is not None:
        values, _ = nested_draws(f, np.array(years), 50.0, draws, seed)
        lo, hi = np.percentile(values, [LOW, HIGH], axis=0)
        return [(yr, float(a), float(b)) for yr, a, b in zip(years, lo, hi, strict=True)]
    xs = np.array([x - f.origin for x, _ in points])
    ys = linearised(f, points)
    fitted = f.intercept + f.slope * xs
    resid = ys - fitted
    slopes, intercepts = _refits(xs, fitted, resid, np.random.default_rng(seed), draws)
    grid = np.array(years) - f.origin
    lines = intercepts[:, None] + slopes[:, None] * grid[None, :]
    lo, hi = np.percentile(lines, [LOW, HIGH], axis=0)
    return [(yr, _back(a, f.method), _back(b, f.method)) for yr, a, b in zip(years, lo, hi, strict=True)]


def month_after(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def when(reaches: str | None, newest: str, today: date, goal: str = "the target",
         passed: bool = False) -> dict[str, Any]:
    """A forecast month in words, the one way every view says it.

    `reaches`: the month (YYYY-MM) the trend reaches `goal`, None where it does not; `newest`: the
    month of the newest figure (which has not reached the goal); `passed`: the trend passed the
    goal before the newest figure. Returns `reaches` (None unless the month is after the newest
    figure), `kind` ("ahead", "overdue", "passed", "never"), `short` (a table cell) and `clause`
    (the goal and what happens to it, for a sentence)."""
    newest = newest[:7]
    now = f"{today.year:04d}-{today.month:02d}"
    if reaches is not None and reaches[:7] <= newest:
        reaches, passed = None, True
    if reaches is None:
        if passed:
            return {"reaches": None, "kind": "passed",
                    "short": f"not yet in the figures to {month_words(newest)}",
                    "clause": (f"the trend line passes {goal} before {month_words(newest)}, but the figure "
                               f"for {month_words(newest)} had not reached it; the next release will show")}
        return {"reaches": None, "kind": "never", "short": "not on current trend",
                "clause": f"{goal} is not reached on the current trend"}
    month = reaches[:7]
    if month <= now:
        return {"reaches": month, "kind": "overdue",
                "short": f"{month_words(month)} if the trend held (the next release will show)",
                "clause": (f"{goal} would have been reached in {month_words(month)} if the trend held; "
                           "the next release will show")}
    return {"reaches": month, "kind": "ahead", "short": month_words(month),
            "clause": f"{goal} is reached in {month_words(month)}"}
