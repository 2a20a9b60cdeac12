"""The SQL console (`observatory sql`): one query of the user's own, on the read-only, sandboxed
connection, stoppable by a timeout or Ctrl-C, with DuckDB's refusals explained in plain words."""

from __future__ import annotations

import threading
import time
from typing import Any

import duckdb

from ..errors import StoreError
from .connection import Reader
from .schema import SANDBOX


def _stop(cur: duckdb.DuckDBPyConnection, worker: threading.Thread) -> None:
    """Stop the query on `worker` and wait for it. Asked at least once, even when the thread has
    ended: DuckDB hears Ctrl-C itself and returns, but the query runs on inside it until
    interrupted. Asked again until the thread ends: an interrupt that comes before DuckDB has begun
    the query (Ctrl-C pressed as it starts, on a busy machine) does nothing."""
    while True:
        cur.interrupt()
        worker.join(0.05)
        if not worker.is_alive():
            return


class SqlConsole(Reader):
    def sql(self, query: str, timeout: float | None = None, max_rows: int | None = None,
            ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run one read-only query. The connection is read-only, so writes fail in DuckDB itself.

        `timeout` (seconds) stops a runaway query (DuckDB's interrupt); Ctrl-C stops it at once, even
        in the middle of a long join (the query runs on a worker thread so the main thread can hear
        the interrupt). `max_rows` fetches at most that many rows plus one, so a caller can say the
        answer was cut short without holding it all in memory.
        """
        if not query.strip():
            raise StoreError('No query given. Give one SELECT query, e.g. "SELECT * FROM releases".')
        outcome: dict[str, Any] = {}
        with self.cursor() as cur:
            def work() -> None:
                try:
                    rel = cur.execute(query)
                    if rel is None or rel.description is None:  # e.g. a query of comments only
                        outcome["result"] = ([], [])
                        return
                    rows = rel.fetchmany(max_rows + 1) if max_rows is not None else rel.fetchall()
                    outcome["result"] = ([d[0] for d in rel.description], rows)
                except BaseException as exc:  # handed to the calling thread below
                    outcome["error"] = exc

            worker = threading.Thread(target=work, daemon=True)
            started = time.monotonic()
            worker.start()
            try:
                while worker.is_alive():
                    worker.join(0.05)
                    if timeout is not None and worker.is_alive() and time.monotonic() - started > timeout:
                        _stop(cur, worker)
                        raise StoreError(
                            f"The query ran for more than {timeout:g} s and was stopped. Narrow it (a WHERE "
                            "on level, indicator or release; a LIMIT), or give --timeout a larger number."
                        )
            except KeyboardInterrupt:
                _stop(cur, worker)
                raise StoreError("Query stopped (Ctrl-C). Nothing was changed.") from None
        if "error" in outcome:
            self._refuse(outcome["error"])
        return outcome["result"]

    @staticmethod
    def _refuse(exc: BaseException) -> None:
        if not isinstance(exc, duckdb.Error):
            raise exc
        text = str(exc)
        if isinstance(exc, duckdb.OutOfMemoryException) or "Out of Memory" in text:
            raise StoreError(
                f"The query needs more memory than the console allows ({SANDBOX['memory_limit']}). Narrow "
                "it, or aggregate before joining."
            ) from None
        refused = ("read-only" in text.lower() or "read only" in text.lower()
                   or "Cannot execute statement" in text or isinstance(exc, duckdb.PermissionException)
                   or "Cannot change configuration" in text)
        if refused:
            raise StoreError(
                "The store is read-only: `observatory sql` runs SELECT queries on the store only "
                f"(DuckDB said: {text.splitlines()[0]}). Change the store by editing the "
                "workspace's sources and running `observatory build`; export with --format csv."
            ) from None
        raise StoreError(f"SQL error: {text.splitlines()[0]}") from None
