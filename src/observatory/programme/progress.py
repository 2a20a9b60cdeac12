"""The programme's completion forecast: one answer for the /programme page, the annual update, the
`sites progress` command and the "sites lit" metric.

The rate is the number of sites lit in the last six calendar months, as of the register's last
recorded event (not today: a register whose latest entry is September is not read as having
stalled since), per month. The month of that event is one of the six, up to the event: the register
is known to that day, and a site lit on the day of the latest entry is the latest news, not left
out of its own rate. Six months smooths a lumpy roll-out without reaching back to a phase that no
longer holds; the window is named wherever the rate is shown.

The forecast is a straight line at that rate from the sites lit now. Where the target exceeds the
sites still in the programme (some were withdrawn) it cannot be reached as the register stands:
that is said, and the forecast is for all the remaining sites. Withdrawn sites come off the
target itself only where the workspace says so ([programme] withdrawn_leave_target = true).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from ..months import MONTHS, day_words, month_end, year_of

RATE_MONTHS = 6
DAYS_A_MONTH = 365.25 / 12
# What a reader (the pages, the API and the report) is told where the workspace sets no target.
NO_TARGET = ("No target has been set for the programme, so there is no plan to measure progress against. "
             "An officer can set one in the workspace's settings.")


@dataclass(frozen=True)
class Completion:
    as_of: str  # the register's last recorded event, YYYY-MM-DD
    lit: int
    in_programme: int
    withdrawn: int
    target: int | None  # the target the forecast is for (less the withdrawn sites, where the workspace
    # says so); None where the workspace sets no target
    goal: int  # what the forecast is for: the target, or every site still in the programme if fewer (or no target)
    rate_per_month: float
    window_start: str  # YYYY-MM
    window_end: str  # YYYY-MM
    lit_in_window: int
    reaches: str | None  # the month the goal is reached on this rate (YYYY-MM); None: never
    needed_per_month: float | None  # to reach the target by its date; None once the date has passed (or no target)
    target_date: str | None
    words: str

    @property
    def reaches_year(self) -> float | None:
        return None if self.reaches is None else year_of(self.reaches)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _month(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.year}"


def rate_window(as_of: date, months: int = RATE_MONTHS) -> tuple[date, date]:
    """The first and last day of the `months` calendar months that end with `as_of`'s own month,
    counted up to `as_of` (the register's last recorded event: nothing after it is known)."""
    index = as_of.year * 12 + as_of.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1), as_of


def _window(start: date, end: date) -> str:
    """'April 2025 to September 2025'; 'April 2025 to 1 September 2025' when the window ends inside
    its last month."""
    return f"{_month(start)} to {_month(end) if end == month_end(end) else day_words(end.isoformat())}"


def completion(lit_dates: list[date], in_programme: int, withdrawn: int, target: int | None,
               target_date: date | None, as_of: date, withdrawn_leave_target: bool = False) -> Completion:
    """When the programme reaches its target (or, if the register cannot or no target is set, lights
    every site left)."""
    lit = sum(1 for d in lit_dates if d <= as_of)
    start, end = rate_window(as_of)
    in_window = sum(1 for d in lit_dates if start <= d <= end)
    rate = in_window / RATE_MONTHS
    effective = None if target is None else target - withdrawn if withdrawn_leave_target else target
    goal = in_programme if effective is None else min(effective, in_programme)
    reaches: str | None = None
    if lit >= goal:
        reaches = as_of.strftime("%Y-%m")
    elif rate > 0:
        # a straight line at the rate: (goal - lit) / rate months of average length after as_of
        reaches = (as_of + timedelta(days=(goal - lit) / rate * DAYS_A_MONTH)).strftime("%Y-%m")
    needed = None
    if effective is not None and target_date is not None and (target_date - as_of).days > 0:
        needed = max(effective - lit, 0) / (target_date - as_of).days * DAYS_A_MONTH
    c = Completion(as_of.isoformat(), lit, in_programme, withdrawn, effective, goal, round(rate, 2),
                   start.strftime("%Y-%m"), end.strftime("%Y-%m"), in_window, reaches,
                   None if needed is None else round(needed, 1),
                   None if target_date is None else target_date.isoformat(), "")
    return Completion(**{**asdict(c), "words": _words(c, start, end)})


def _words(c: Completion, start: date, end: date) -> str:
    were = "site was" if c.lit_in_window == 1 else "sites were"
    window = (f"{c.lit_in_window:,} {were} lit in the last {RATE_MONTHS} months ({_window(start, end)}), "
              f"{c.rate_per_month:.1f} a month")
    short = ""
    if c.target is not None and c.goal < c.target:
        short = (f"The register holds {c.in_programme:,} sites still in the programme ({c.withdrawn:,} withdrawn), "
                 f"fewer than the target of {c.target:,}, so the target cannot be reached as the register stands. ")
    if c.target is None:
        what = "the one site in the programme" if c.goal == 1 else f"all {c.goal:,} sites in the programme"
    else:
        what = f"the target of {c.target:,} sites" if c.goal == c.target else f"all {c.goal:,} remaining sites"
    if c.in_programme == 0:
        gone = f" ({c.withdrawn:,} withdrawn)" if c.withdrawn else ""
        return f"The register holds no site still in the programme{gone}, so no completion date can be forecast."
    if c.lit >= c.goal:
        done = "was reached" if c.goal == c.target else "had been lit"
        return f"{short}{what[0].upper() + what[1:]} {done} by {_month(date.fromisoformat(c.as_of))}."
    if c.reaches is None:
        return f"{short}No site was lit in the last {RATE_MONTHS} months ({_window(start, end)}), " \
               f"so no completion date can be forecast."
    month = _month(date.fromisoformat(c.reaches + "-01"))
    verb = "is reached in" if c.goal == c.target else "is lit by" if what.startswith("the one") else "are lit by"
    return f"{short}{window}: at that rate {what} {verb} {month}."
