"""Progress against the programme target: run rate needed, and when the current rate gets there."""

from __future__ import annotations

from datetime import date, timedelta


def run_rate_needed(lit_now: int, target: int, today: date, target_date: date) -> float | None:
    """Sites per 30-day month needed from today to reach the target by target_date.

    0 if already reached; None if the target date has passed without reaching it.
    """
    remaining = target - lit_now
    if remaining <= 0:
        return 0.0
    days = (target_date - today).days
    if days <= 0:
        return None
    return remaining / days * 30


def current_rate(lit_dates: list[date], today: date, window_days: int = 90) -> float:
    """Sites lit per 30-day month over the last window_days up to today."""
    start = today - timedelta(days=window_days)
    recent = sum(1 for d in lit_dates if start < d <= today)
    return recent / window_days * 30


def date_target_reached(lit_now: int, target: int, today: date, rate_per_month: float) -> date | None:
    """The date the current monthly rate reaches the target (today if reached; None if rate is 0)."""
    remaining = target - lit_now
    if remaining <= 0:
        return today
    if rate_per_month <= 0:
        return None
    return today + timedelta(days=round(remaining / rate_per_month * 30))
