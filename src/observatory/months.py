"""How the observatory names months: releases are named by their as-of month ("2025-07"), and
people read "July 2025"."""

from __future__ import annotations

import math
from datetime import date, timedelta

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def month_words(month: str | None) -> str:
    """'2025-07' -> 'July 2025'; anything that is not a month is returned as it is."""
    if not month:
        return ""
    if len(month) != 7 or month[4] != "-" or not month[5:7].isdigit():
        return month
    return f"{MONTHS[int(month[5:7]) - 1]} {month[:4]}"


def month_index(month: str) -> int:
    """'2025-07' (or the month of '2025-07-31') as a count of months, one apart from month to month:
    for the distance between releases."""
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_of_index(index: int) -> str:
    """month_index's month: 24306 -> '2025-07'."""
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def year_of(d: date | str) -> float:
    """A date (or 'YYYY-MM' / 'YYYY-MM-DD') as a decimal year: how trends are fitted and projected."""
    if isinstance(d, str):
        parts = [int(p) for p in d.split("-")]
        d = date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    start = date(d.year, 1, 1)
    return d.year + (d - start).days / (date(d.year + 1, 1, 1) - start).days


def to_date(year: float) -> date:
    """A decimal year as a date."""
    whole = int(math.floor(year))
    start = date(whole, 1, 1)
    days = (date(whole + 1, 1, 1) - start).days
    return start + timedelta(days=round((year - whole) * days))


def month_end(d: date) -> date:
    """The last day of d's month."""
    following = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return following - timedelta(days=1)


def day_words(value: object) -> str:
    """'2026-09-30' (or a timestamp) -> '30 September 2026'; '2026-09' -> 'September 2026'.

    For the day something happened (an update, a site lit, a target date). A publisher's release
    is a monthly snapshot, named by its month and never given a day: month_words(release)."""
    if not value:
        return ""
    text = str(value)
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        return f"{int(text[8:10])} {month_words(text[:7])}"
    if len(text) == 7 and text[4] == "-":
        return month_words(text)
    return text
