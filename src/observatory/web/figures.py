"""Wording shown wherever figures derive from synthetic input, or a figure is withheld."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Shown on any page or answer holding a synthetic figure, whatever its level: the demo's
# district-level residential figures are synthetic too, rolled up from the demo's postcode file.
ILLUSTRATIVE = (
    "Illustrative data: figures marked as illustrative are derived from a synthetic file made for the demonstration, not "
    "from published coverage. Do not use them for decisions."
)
ILLUSTRATIVE_NOTE = "illustrative data (derived from synthetic input made for the demonstration)"


def suppressed_text(suppress_below: int | None) -> str:
    if suppress_below:
        return f"suppressed (fewer than {suppress_below} premises)"
    return "suppressed (too few premises to publish)"


def no_figure(row: Mapping[str, Any] | None, suppress_below: int | None) -> str:
    """What to say where a figure has no value: withheld for disclosure, or simply absent."""
    if row is not None and row.get("suppressed"):
        return suppressed_text(suppress_below)
    return "no figure"


def percent_text(value: float, unit: str = "%") -> str:
    """A figure as shown (one decimal place); a small share is never shown as zero: '<0.1%'."""
    text = f"{value:,.1f}"
    if value > 0 and float(text.replace(",", "")) == 0:
        text = "<0.1"
    return text + "%" if unit == "%" else f"{text} {unit}"
