"""Published percentages checked against their own counts.

Ofcom defines every coverage percentage as its count / All Premises x 100, published to one decimal
place; a cell further from the count's own share than that rounding allows is not what it says. Three
cases:
- the whole column holds fractions (Excel's 0.955 for 95.5%): refused, with the fix;
- the publisher's own column holds another quantity in every row (Connected Nations 2019's
  "SFBB availability (% premises)" is the 30-300 Mbit/s band): the figure is derived from the count,
  and the release's notes say so;
- any other cell that disagrees: refused, naming its row and column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from .tabular import numbers, shown

# Half a unit of the last published decimal place, plus a little for the count's own rounding.
TOLERANCE = 0.051


def check_percentages(df: pd.DataFrame, published: np.ndarray, derived: np.ndarray, column: str,
                      name: str, notes: list[str] | None) -> np.ndarray:
    """The figures to use: the published percentages where they agree with their counts (a
    published figure stays as published), the counts' own shares where the publisher's column
    holds something else."""
    ok = np.isnan(published) | np.isnan(derived) | (np.abs(published - derived) <= TOLERANCE)
    if ok.all():
        return np.where(np.isnan(published), derived, published)
    shown_col = shown(df, column)
    comparable = ~np.isnan(published) & ~np.isnan(derived) & (derived > 1)
    if comparable.any() and np.all(np.abs(published[comparable] * 100 - derived[comparable]) <= 0.51):
        i = int(np.argmax(~ok))
        raise InputError(
            name, f'"{df[column].iloc[i]}" is a fraction, not a percentage: the count gives {derived[i]:.1f}%.',
            row=i + 2, column=shown_col, expected="percentages from 0 to 100 (95.5, not 0.955)",
            fix="Re-save the file without percentage formatting, or download it again.",
        )
    other = _same_as_another_column(df, published, column, name)
    if other is not None and (~ok).sum() > 0.5 * len(ok):
        if notes is not None:
            notes.append(f'"{shown_col}" holds the same values as "{other}" in every row, not its count\'s '
                         f"share: the figure is derived from the count ({int((~ok).sum())} rows differ)")
        return derived
    i = int(np.argmax(~ok))
    raise InputError(
        name, f'"{df[column].iloc[i]}" disagrees with its own count, which gives {derived[i]:.1f}% of All Premises.',
        row=i + 2, column=shown_col, expected="the count's share of All Premises, to one decimal place",
        fix="Fix the cell or the count; if the file is as the publisher shipped it, report it to them.",
    )


def _same_as_another_column(df: pd.DataFrame, values: np.ndarray, column: str, name: str) -> str | None:
    for other in df.columns:
        if other == column or not str(other).startswith("%"):
            continue
        try:
            theirs = numbers(df, other, name, kind="percent")
        except InputError:
            continue
        both = ~np.isnan(values) & ~np.isnan(theirs)
        if both.any() and np.array_equal(values[both], theirs[both]):
            return shown(df, other)
    return None
