"""What `observatory init --region` was given, when it is not a region: a district (refused, with
the --districts command that makes a workspace of it) or a mistyped code or name (the one meant)."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from ..errors import ObservatoryError
from ..geography import regions
from ..geography.code_history import current


def refuse_a_district(areas: regions.Areas, region: str, directory: Path) -> None:
    """A district given to --region is refused, not made "a grouping of 1 district" unasked: the
    message says what it is and gives the --districts command that makes a workspace of it."""
    given = region.strip()
    if areas.parent(given.upper()) is not None:
        return
    by_name = [c for c, n in areas.districts.items() if n.casefold() == given.casefold()]
    code = current(given.upper()) if current(given.upper()) in areas.districts else (by_name or [None])[0]
    if code is None or any(n.casefold() == given.casefold() for t in areas.parents.values() for n, _ in t.values()):
        return
    raise ObservatoryError(
        f"'{given}' is a district ({areas.districts[code]}, {code}), not a combined authority or English region. "
        f"For a workspace of this district, or of several districts of your own choosing, give them to --districts: "
        f"observatory init {directory} --districts {code}")


def nearest_region(areas: regions.Areas, region: str) -> str | None:
    """'E47000001 (Greater Manchester)' for a mistyped code or name; None when nothing is close.

    A GSS code is its entity's three characters and a six-digit number, so a code with a zero too
    few or too many ('E4700001') is read by its number first; then the closest spelling (difflib, as
    the settings' key checks suggest a key) where one is closer than every other."""
    named = {code: (name, regions.LEVEL_WORDS[level]) for level, table in areas.parents.items()
             for code, (name, _) in table.items()}
    given = region.strip().upper()
    parts = re.fullmatch(r"([A-Z]\d\d)(\d+)", given)
    codes = [f"{parts[1]}{int(parts[2]):06d}"] if parts else []
    if not (codes and codes[0] in named):
        codes = []
        by_name: dict[str, list[str]] = {}
        for code, (name, _) in named.items():
            by_name.setdefault(name.upper(), []).append(code)
        for candidates in (list(named), list(by_name)):
            close = difflib.get_close_matches(given, candidates, n=2, cutoff=0.75)
            ratio = [difflib.SequenceMatcher(None, given, c).ratio() for c in close]
            if close and (len(close) == 1 or ratio[0] > ratio[1]):
                codes = by_name.get(close[0], [close[0]])
                break
    return " or ".join(f"{c} ({named[c][0]}, {named[c][1]})" for c in sorted(codes)) or None
