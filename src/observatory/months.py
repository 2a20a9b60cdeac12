"""How the observatory names months: releases are named by their as-of month ("2025-07"), and
people read "July 2025"."""

from __future__ import annotations

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def month_words(month: str | None) -> str:
    """'2025-07' -> 'July 2025'; anything that is not a month is returned as it is."""
    if not month:
        return ""
    if len(month) != 7 or month[4] != "-" or not month[5:7].isdigit():
        return month
    return f"{MONTHS[int(month[5:7]) - 1]} {month[:4]}"
