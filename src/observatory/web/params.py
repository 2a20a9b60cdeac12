"""Checking what a user typed: query parameters and postcodes.

A bad parameter is reported as a 422 naming the parameter, the value and the allowed values, so the
page (or the API caller) can say exactly what to change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlencode

from ..errors import ObservatoryError
from ..levels import LEVEL_LABELS

# The levels the map draws, coarsest first, with the words the council uses for them.
MAP_LEVELS = {
    "lad": "District",
    "ward": "Ward",
    "msoa": "MSOA",
    "lsoa": "LSOA",
    "oa": "Output area",
}
LEVEL_NAMES = {**LEVEL_LABELS, "lad": "District"}

_RELEASE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# A full UK postcode once spaces are removed: outward code (2-4 characters) + inward code (digit,
# two letters). The inward code is always 3 characters, which is how the space is put back.
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


class BadParameter(ObservatoryError):
    """A query parameter outside its allowed values (HTTP 422)."""

    def __init__(self, name: str, value: object, allowed: Iterable[str], hint: str = "") -> None:
        self.name = name
        self.value = value
        self.allowed = list(allowed)
        text = f"Parameter '{name}': '{value}' is not allowed. Allowed values: {', '.join(self.allowed)}."
        super().__init__(text + (f" {hint}" if hint else ""))


def choice(name: str, value: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    if value not in allowed:
        raise BadParameter(name, value, allowed)
    return value


def release(value: str) -> str:
    """'latest' or an as-of month YYYY-MM; whether the store holds it is the store's call."""
    value = value.strip()
    if value != "latest" and not _RELEASE.match(value):
        raise BadParameter("release", value, ["latest", "YYYY-MM (an as-of month, e.g. 2025-07)"])
    return value


def normalise_postcode(text: str) -> str | None:
    """'ls11ab', ' LS1 1AB ' -> 'LS1 1AB'; None when the text is not a full postcode."""
    squeezed = re.sub(r"\s+", "", text or "").upper()
    if not _POSTCODE.match(squeezed):
        return None
    return f"{squeezed[:-3]} {squeezed[-3:]}"


def carried(pairs: Iterable[tuple[str, str]], keep: Iterable[str] = (), prefixes: Iterable[str] = (),
            **override: str | None) -> str:
    """The query string of the settings a page carries into the pages it links to (compare within,
    district, release, weights ...): from `pairs` (a request's `query_params.multi_items()`), the
    parameters named in `keep` or starting with one of `prefixes`, then `override` (a value of
    None or "" leaves that parameter out). Empty values are left out, so links stay short."""
    keep, prefixes = set(keep), tuple(prefixes)
    out = [(k, v) for k, v in pairs if v != "" and k not in override and (k in keep or (prefixes and k.startswith(prefixes)))]
    out += [(k, v) for k, v in override.items() if v not in (None, "")]
    return urlencode(out)
