"""The `[records]` table of observatory.toml: where the records database is, and whether its
pages need a sign-in to read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError

KEYS = {"url", "require_login"}


@dataclass(frozen=True)
class RecordsConfig:
    url: str | None = None  # None: records.sqlite in the workspace folder (or the environment's URL)
    require_login: bool = False


def parse(config: Path, table: Any) -> RecordsConfig:
    if not isinstance(table, dict):
        raise ConfigError(f"{config}: [records] must be a table (url = ..., require_login = ...).")
    unknown = set(table) - KEYS
    if unknown:
        raise ConfigError(f"{config}: unknown key {', '.join(sorted(unknown))} in [records]. "
                          f"Allowed keys: {', '.join(sorted(KEYS))}.")
    url = table.get("url")
    if url is not None and (not isinstance(url, str) or not url):
        raise ConfigError(f"{config}: [records] url must be a database URL in quotes, e.g. "
                          'url = "postgresql://observatory@db.example/observatory".')
    login = table.get("require_login", False)
    if not isinstance(login, bool):
        raise ConfigError(f"{config}: [records] require_login must be true or false (no quotes).")
    return RecordsConfig(url=url or None, require_login=login)
