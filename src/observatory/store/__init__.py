"""The analytic store: one DuckDB file of facts with provenance.

Only `build` writes it, and always to a temporary file that replaces the old store in one rename,
so a failed or killed build leaves the previous store readable. Everything else opens it read-only.

This package is the read side. `Store` is assembled from one mixin per kind of question:
  schema       the tables (SCHEMA, STORE_SCHEMA) and the SANDBOX every reader opens it in
  connection   cursors and rows over the read-only connection
  reference    meta, releases, indicators, findings
  areas        one area, the areas it sits in and within it, a level's areas for maps
  facts        figures and series, with provenance and suppression
  search       place search by name, code or local name
  sql          the `observatory sql` console
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..errors import NotFoundError, StoreError
from .areas import CHILD_LEVEL, AreaQueries
from .facts import FIGURE_COLUMNS, FactQueries
from .reference import ReferenceQueries
from .schema import SANDBOX, SCHEMA, STORE_SCHEMA, identity, store_path
from .search import SearchQueries
from .sql import SqlConsole

__all__ = [
    "identity",
    "CHILD_LEVEL", "FIGURE_COLUMNS", "SANDBOX", "SCHEMA", "STORE_SCHEMA", "Store", "store_path",
]


class Store(FactQueries, AreaQueries, ReferenceQueries, SearchQueries, SqlConsole):
    """Read-only access to a built store."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise StoreError(
                f"No store at {self.path}. Run `observatory build` for this workspace first."
            )
        self._con = duckdb.connect(str(self.path), read_only=True, config=SANDBOX)
        self._check_schema()

    def _check_schema(self) -> None:
        """A store written before this layout (no local names) is refused with the fix, rather than
        failing query by query."""
        cols = {r[0] for r in self._con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'areas'").fetchall()}
        if cols and "local_name" not in cols:
            self._con.close()
            raise StoreError(
                f"The store at {self.path} was built by an older version of the observatory (store "
                f"schema before {STORE_SCHEMA}). Run `observatory build` for this workspace again."
            )

    def region(self) -> str | None:
        """The code of the workspace's region as the build recorded it, if the store holds that
        area (a store of one district may not): the region the map draws and the pages compare
        with. None otherwise."""
        code = self.meta().get("region_code")
        if not code:
            return None
        try:
            return self.area(code)["code"]
        except NotFoundError:
            return None

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
