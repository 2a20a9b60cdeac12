"""Where a metric is heading, and what that means for its target.

A status comes from the trend, not from the last value alone: fit the recent series, project it
to the target date, and compare the projection with the target and its tolerance.

- Percentages that approach 100 (coverage) saturate: fitted as a straight line in logit space,
  log(p / (100 - p)) = a + b t, the logistic curve that diffusion of a network follows. It never
  projects past 100 or below 0.
- The ceiling is not assumed to be 100%: where an indicator lies inside another by the publisher's
  definitions (full fibre within gigabit-capable, within 100 Mbit/s, within superfast:
  indicators/definitions.py), it is bounded by the projection of the indicator containing it:
  p(t) = min(own(t), c(t)), own(t) its own logistic fit and c(t) the container's projection (itself
  bounded the same way, up to 100%). So a projection never exceeds its container's at any date,
  and the target is reached when both curves have reached it. (A fit of the share of the container
  was tried and rejected: where the container jumps for another technology, cable upgraded to
  gigabit in Calderdale in 2022, the share falls and the forecast with it.)
- Counts (sites lit, residents supported) are fitted with a straight line.

Time is in years (decimal). Every result carries `rule`: the words that say how its status was
decided, shown beside every status, and `notes` for what was done to the data (sorted, clipped).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# A percentage of exactly 0 or 100 has no logit; values are held this far inside (0, 100).
EDGE = 0.01


@dataclass
class Fit:
    method: str  # "logistic" | "linear"
    intercept: float  # at t = 0 (years since `origin`)
    slope: float  # per year, in logit units (logistic) or the metric's units (linear)
    origin: float  # decimal year of t = 0
    points: int
    # the trend of the indicator containing this one (logistic only): the ceiling at each date
    within: Fit | None = None
    within_label: str = ""
    # the (decimal year, value) points fitted, for refitting (forecast.py)
    data: tuple[tuple[float, float], ...] = ()

    def own(self, year: float) -> float:
        """This indicator's own fitted curve, before its container bounds it."""
        t = year - self.origin
        if self.method == "logistic":
            return 100.0 / (1.0 + math.exp(-(self.intercept + self.slope * t)))
        return self.intercept + self.slope * t

    def at(self, year: float) -> float:
        """The projection: the own curve, never above the container's projection."""
        value = self.own(year)
        return min(value, self.within.at(year)) if self.within is not None else value

    def year_reaching(self, target: float) -> float | None:
        """The decimal year the fitted trend reaches `target`, or None if it never does. A trend
        held within another reaches it when both its own curve and its container's have."""
        if self.slope == 0:
            return None
        if self.method == "logistic":
            if not 0 < target < 100:
                return None
            t = (_logit(target) - self.intercept) / self.slope
        else:
            t = (target - self.intercept) / self.slope
        year = self.origin + t
        if self.within is None:
            return year
        if self.slope < 0:
            return None
        outer = self.within.year_reaching(target)
        if outer is None or self.within.slope < 0:
            # a container that is not rising: reached only if it is still above the target then
            return year if self.within.at(year) >= target else None
        return max(year, outer)


@dataclass
class Trajectory:
    status: str  # "green" | "amber" | "red" | "no data"
    rule: str
    latest: float | None = None
    latest_year: float | None = None
    projected: float | None = None  # at the target date
    needed_per_year: float | None = None  # run rate from the latest value to the target by its date
    reaches: float | None = None  # decimal year the trend reaches the target; None: not on current trend
    fit: Fit | None = None
    notes: list[str] = field(default_factory=list)
    # the fitted trend passes the target before the latest value, which has not reached it
    reached_before_latest: bool = False


def linearised(f: Fit, points: list[tuple[float, float]]) -> list[float]:
    """The values `f` is a straight line through: logit of the value for a logistic trend, the
    value itself for a straight line."""
    if f.method != "logistic":
        return [float(v) for _, v in points]
    return [_logit(min(max(v, EDGE), 100 - EDGE)) for _, v in points]


def fit(points: list[tuple[float, float]], unit: str, within: Fit | None = None, within_label: str = "") -> Fit:
    """Least squares over (decimal year, value) pairs: logistic for '%', linear otherwise.
    `within`: the trend of the indicator containing this one, whose projection bounds this one's."""
    method = "logistic" if unit == "%" else "linear"
    origin = points[-1][0]
    shape = Fit(method, 0.0, 0.0, origin, len(points), within if method == "logistic" else None, within_label,
                tuple(points))
    xs = [x - origin for x, _ in points]
    ys = linearised(shape, points)
    n = len(points)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    shape.intercept, shape.slope = my - slope * mx, slope
    return shape


def assess(values: list[tuple[float, float]], unit: str, target: float, target_year: float,
           higher_is_better: bool = True, tolerance: float = 0.0, today: float | None = None,
           recent: int = 6, trend: Fit | None = None, ceiling: float | None = None,
           within: Fit | None = None, within_label: str = "") -> Trajectory:
    """The status of a metric from its series (decimal year, value), its target and tolerance.

    `trend`: the figure owner's own trend (the programme's completion rate), used instead of one
    fitted here. `ceiling`: the most the figure can reach (sites still in the programme); a target
    above it is never reached on any trend. `within`: the trend of the indicator containing this one
    (fit), whose projection this one's never exceeds.

    green: the projection at the target date meets the target; amber: within `tolerance` of it;
    red: further off. The rule used is returned in words with every status.
    """
    notes: list[str] = []
    if not values:
        return Trajectory("no data", "No values yet: no status until the first value arrives.")
    if any(a[0] > b[0] for a, b in zip(values, values[1:], strict=False)):
        notes.append("values arrived out of date order and were sorted by date")
    values = sorted(values)
    latest_year, latest = values[-1]
    better = (lambda a, b: a >= b) if higher_is_better else (lambda a, b: a <= b)
    word = "at least" if higher_is_better else "at most"
    base = Trajectory("no data", "", latest=latest, latest_year=latest_year, notes=notes)
    now = today if today is not None else latest_year

    if better(latest, target):
        base.status, base.projected = "green", latest
        base.rule = f"Green: the latest value ({_fmt(latest, unit)}) already meets the target ({word} {_fmt(target, unit)})."
        return base
    if target_year <= now:
        base.status, base.projected = "red", latest
        base.rule = (f"Red: the target date has passed and the latest value ({_fmt(latest, unit)}) does not meet "
                     f"the target ({word} {_fmt(target, unit)}).")
        return base
    years_left = target_year - latest_year
    base.needed_per_year = (target - latest) / years_left if years_left > 0 else None
    if len(values) == 1 and trend is None:
        base.status = "amber"
        base.rule = (f"Amber: one value only, so no trend yet; reaching the target needs "
                     f"{_fmt(abs(base.needed_per_year), unit)} a year from here.")
        return base
    used = values[-recent:]
    if trend is not None:
        f, through = trend, "the figure's own rate (see its source)"
    else:
        if len(used) < len(values):
            notes.append(f"trend fitted to the latest {len(used)} of {len(values)} values")
        f, through = fit(used, unit, within=within, within_label=within_label), f"the latest {len(used)} values"
    base.fit = f
    base.projected = f.at(target_year)
    reach = f.year_reaching(target)
    if ceiling is not None and higher_is_better:
        base.projected = min(base.projected, ceiling)
        if target > ceiling:
            reach = None
    heading_right = (f.slope > 0) == higher_is_better and f.slope != 0
    base.reaches = reach if heading_right and reach is not None and reach >= latest_year else None
    base.reached_before_latest = heading_right and reach is not None and reach < latest_year
    projection = (f"{_how(f)} through {through} projects {_fmt(base.projected, unit)} at the "
                  f"target date, against a target of {word} {_fmt(target, unit)}")
    if ceiling is not None and higher_is_better and target > ceiling:
        base.status = "red"
        base.rule = (f"Red: the target ({_fmt(target, unit)}) is more than can be reached as things stand "
                     f"(at most {_fmt(ceiling, unit)}); {projection}.")
        return base
    gap = (base.projected - target) if higher_is_better else (target - base.projected)
    base.status, base.rule = _judged(heading_right, gap, tolerance, unit, projection)
    return base


def _how(f: Fit) -> str:
    how = "a trend that levels off as it nears 100%" if f.method == "logistic" else "a straight-line trend"
    if f.within is not None:
        how += f" held within {f.within_label or 'the indicator containing it'}"
    return how


def _judged(heading_right: bool, gap: float, tolerance: float, unit: str, projection: str) -> tuple[str, str]:
    """The status and its rule in words, from the projection's gap to the target at its date."""
    if not heading_right:
        return "red", f"Red: the trend is flat or moving away from the target; {projection}."
    if gap >= 0:
        return "green", f"Green: {projection}."
    if -gap <= tolerance:
        return "amber", f"Amber: {projection}, short by no more than the tolerance ({_fmt(tolerance, unit)})."
    return "red", f"Red: {projection}, short by more than the tolerance ({_fmt(tolerance, unit)})."


def _logit(p: float) -> float:
    return math.log(p / (100.0 - p))


# Units whose fractions mean something (2.5 days); every other count is of whole things (sites,
# actions, people) and is written whole: "3 actions", never "3.1 actions".
FRACTIONAL_UNITS = frozenset({"days", "hours", "minutes", "weeks", "months", "years"})


def _fmt(v: float, unit: str) -> str:
    if unit == "%":
        return f"{v:.1f}%"
    if unit in FRACTIONAL_UNITS and v != int(v) and abs(v) < 100:
        return f"{v:,.1f} {unit}"
    return f"{v:,.0f} {unit}".strip()
