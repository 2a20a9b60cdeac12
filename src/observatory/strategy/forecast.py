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
from typing import Any

import numpy as np

from .trajectory import EDGE, Fit, fit

SEED = 20301231
DRAWS = 400
LOW, HIGH = 10, 90  # percentiles of the band
RECENT = 6


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
