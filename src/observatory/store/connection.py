"""The read-only connection every query of the store goes through: a cursor per caller, rows as dicts.

The query mixins (areas, facts, reference, search, sql) build on `Reader`; `Store` opens the file.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from ..once import Once

T = TypeVar("T")


def _close(cur: duckdb.DuckDBPyConnection) -> None:
    """Close a cursor; after an interrupt DuckDB may still be unwinding the stopped query for a
    moment, and refuses to close a busy connection, so wait for it briefly."""
    for _ in range(100):
        try:
            cur.close()
            return
        except duckdb.ResourceInUseException:
            time.sleep(0.02)
    cur.close()


class Reader:
    """Cursors and rows over the store's connection (opened read-only, in the SANDBOX, by `Store`)."""

    path: Path
    _con: duckdb.DuckDBPyConnection

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own, for callers on other threads (the web app)."""
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            _close(cur)

    def kept(self, key: tuple, compute: Callable[[], T]) -> T:
        """`compute()` once while this store is open: for answers nearly every view asks for again
        (the indicators, the releases, the areas above postcodes and whom they sit in, each level's
        newest figures and series), under keys from a fixed set, never from a visitor's input, so
        what is kept is bounded by the store. The store is read-only and a rebuild is a new file
        opened as a new `Store`, so a kept answer never goes stale. Callers get the kept value
        itself: the methods that keep one return copies."""
        # one thread computes it and the others asking meanwhile wait for it (once.py)
        return self.__dict__.setdefault("_kept", Once()).get(key, compute)

    def has_kept(self, key: tuple) -> bool:
        """Whether `kept(key, ...)` would answer without computing."""
        return key in self.__dict__.get("_kept", ())

    def cursor_rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        """Rows of a query as tuples (for the answers kept while the store is open: compact)."""
        with self.cursor() as cur:
            return cur.execute(sql, params or []).fetchall()

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Rows of a query as dicts (for the observatory's own read-only queries)."""
        with self.cursor() as cur:
            rel = cur.execute(sql, params or [])
            cols = [d[0] for d in rel.description]
            return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]
