"""Reference queries: what the store was built from (meta, releases), the indicators it holds, the
months each indicator is published for, and what `observatory check` found."""

from __future__ import annotations

import json
from typing import Any

from ..errors import NotFoundError
from .connection import Reader


class ReferenceQueries(Reader):
    def meta(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self.rows("SELECT key, value FROM meta")}

    def releases(self) -> list[dict[str, Any]]:
        return [dict(r, files_used=list(r["files_used"]), notes=list(r["notes"]))
                for r in self.kept(("releases",), self._releases)]

    def _releases(self) -> list[dict[str, Any]]:
        rows = self.rows("SELECT * FROM releases ORDER BY as_of NULLS FIRST, release_id")
        for r in rows:
            r["files_used"] = json.loads(r["files_used"]) if r["files_used"] else []
            r["notes"] = json.loads(r["notes"]) if r.get("notes") else []
        return rows

    def indicators(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.kept(("indicators",), lambda: self.rows("SELECT * FROM indicators ORDER BY id"))]

    def indicator(self, indicator_id: str) -> dict[str, Any]:
        found = [r for r in self.indicators() if r["id"] == indicator_id]
        if not found:
            known = ", ".join(r["id"] for r in self.indicators())
            raise NotFoundError(f"Unknown indicator '{indicator_id}'. Known indicators: {known}.")
        return found[0]

    def releases_of(self, indicator: str, level: str) -> list[str]:
        """As-of months that hold the indicator at the level, oldest first."""
        return list(self.kept(("releases_of", indicator, level), lambda: self.months_held().get((indicator, level), [])))

    def months_held(self) -> dict[tuple[str, str], list[str]]:
        """The as-of months that hold each (indicator, level), oldest first: one query, kept."""
        def read() -> dict[tuple[str, str], list[str]]:
            held: dict[tuple[str, str], list[str]] = {}
            for indicator, level, release in self.cursor_rows(
                    "SELECT DISTINCT indicator, level, release FROM facts ORDER BY indicator, level, release"):
                held.setdefault((indicator, level), []).append(release)
            return held
        return self.kept(("months held",), read)

    def findings(self) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM findings ORDER BY kind, subject")
