"""The checks every section of the settings makes of its keys, with one wording: an unknown key
(with the nearest allowed one), a missing key, a file that must exist, a month."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from ..errors import ConfigError


def unknown_keys(config: Path | str, where: str, keys: set[str] | dict[str, Any], allowed: set[str]) -> None:
    """Refuse the first key of `keys` not in `allowed`, suggesting the nearest allowed one (a
    misspelt key would otherwise be ignored and its setting silently left at its default)."""
    for key in sorted(set(keys) - allowed):
        hint = difflib.get_close_matches(key, sorted(allowed), n=1)
        did = f" Did you mean '{hint[0]}'?" if hint else ""
        raise ConfigError(f"{config}: unknown key '{key}' in {where}.{did} Allowed keys: {', '.join(sorted(allowed))}.")


def need(config: Path, table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise ConfigError(f"{config}: {where} needs '{key}'. Add it (see `observatory init`).")
    return table[key]


def existing_file(config: Path, value: Any, where: str) -> Path:
    """`value` as a path relative to the workspace folder, which must be a file that exists."""
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{config}: {where}.file must be a path (a string).")
    p = (config.parent / value).resolve()
    if p.is_dir():
        raise ConfigError(f"{config}: {where}.file = '{value}' is a folder, not a file. Name the file itself.")
    if not p.exists():
        raise ConfigError(
            f"{config}: {where}.file = '{value}' does not exist (looked for {p}). "
            "Fix the path (relative to the workspace folder) or add the file."
        )
    return p


def is_month(text: Any) -> bool:
    """A month written as 'YYYY-MM'."""
    return (
        isinstance(text, str)
        and len(text) == 7
        and text[4] == "-"
        and text[:4].isdigit()
        and text[5:].isdigit()
        and 1 <= int(text[5:]) <= 12
    )
