"""Writing the store: every table into a temporary DuckDB file, then one atomic rename."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd

from .. import __version__
from ..errors import StoreError
from ..indicators.definitions import INDICATORS
from ..store import SCHEMA, STORE_SCHEMA
from .shrinkage import record_shrinkage
from .state import Build


def _remove_abandoned(out: Path) -> None:
    """Delete temporary stores (and their .wal) left by builds that were killed.

    A temporary store is named after its build's process id; one whose process still runs belongs
    to a build in progress (say the dashboard rebuilding while the CLI builds) and is left alone.
    """
    for tmp in out.parent.glob(f".{out.name}.*.tmp*"):
        pid = tmp.name[len(out.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and _running(int(pid)):
            continue
        tmp.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


class StoreWriter:
    """The store being written, into a temporary file beside `out` renamed over it at the end.

    Started once the areas, their shapes and their places in each other are final (after the
    sources are read): those tables, a third of the writing, go in from a thread while the build
    rolls figures up (DuckDB works without Python's lock); `finish` writes the figures beside them
    (another connection to the same file: DuckDB appends to two tables at once) and renames.
    Any failure, or `abandon`, removes the temporary file and leaves the previous store as it was.
    """

    def __init__(self, b: Build, out: Path) -> None:
        self.b, self.out = b, out
        out.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(out)
        self.tmp = out.parent / f".{out.name}.{os.getpid()}.tmp"
        self.tmp.unlink(missing_ok=True)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._failed: BaseException | None = None
        # the frames are made here, so the thread only hands them to DuckDB
        areas = pd.concat(b.areas, ignore_index=True).drop_duplicates("code")
        if b.local_names is not None and len(b.local_names):
            areas = areas.merge(b.local_names, on="code", how="left")
        links = b.links.drop_duplicates(["child", "parent"])
        # exact links (lookup, spatial) hold the whole child; only best fit has a share below 1
        links = links.assign(share=links.get("share", pd.Series(index=links.index, dtype=float))
                             .where(links["method"] == "best-fit", 1.0))
        tables = [("areas", areas, None), ("shapes", pd.concat(b.shapes, ignore_index=True), None),
                  # Stored sorted by the column readers filter on, so DuckDB's per-row-group min/max
                  # (zone maps) skip most of the table for one area's figures or parents.
                  ("membership", links, "child, parent_level")]
        self._thread = threading.Thread(target=self._geography, args=(tables,), name="store-writer", daemon=True)
        try:
            # one core: the other is the roll-ups' meanwhile (finish gives DuckDB both again)
            self._con = duckdb.connect(str(self.tmp), config={"threads": 1})
            self._con.execute(SCHEMA)
        except (OSError, duckdb.Error) as exc:  # a read-only folder, say: said by finish()
            self._failed = exc
            return
        self._thread.start()

    def _geography(self, tables: list[tuple[str, pd.DataFrame, str | None]]) -> None:
        try:
            with self._con.cursor() as con:
                for table, frame, order in tables:
                    _insert(con, table, frame, order=order)
        except BaseException as exc:  # handed to finish(), which says what went wrong
            self._failed = exc

    def finish(self, fingerprint: str) -> Path:
        """Write the figures and the rest, and rename the store into place; returns its path."""
        record_shrinkage(self.b, self.out)
        try:
            if self._failed is None:
                self._con.execute(f"SET threads = {os.cpu_count() or 1}")
                _write_figures(self.b, self._con, fingerprint)
            self._join()
            if self._failed is not None:
                raise self._failed
            self._con.execute("CHECKPOINT")
            self._con.close()
        except (OSError, duckdb.Error) as exc:
            # a full disk, a read-only folder, a quota: the half-written store goes, the old one stays
            self.abandon()
            raise StoreError(
                f"Could not write the store in {self.out.parent} ({_reason(exc)}). The previous store is "
                "unchanged. Free some disk space (the store needs about 50 MB per million figures) or check the "
                "folder is writable, then build again."
            ) from None
        except BaseException:
            self.abandon()
            raise
        os.replace(self.tmp, self.out)  # atomic on POSIX: readers see the old store or the new, never half
        return self.out

    def _join(self) -> None:
        if self._thread.is_alive():
            self._thread.join()

    def abandon(self) -> None:
        """The build failed: no store is written, the previous one stays."""
        self._join()
        if self._con is not None:
            with contextlib.suppress(duckdb.Error):
                self._con.close()
        for leftover in self.out.parent.glob(f"{self.tmp.name}*"):
            leftover.unlink(missing_ok=True)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).splitlines()[0]


def _write_figures(b: Build, con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    _insert(con, "facts", pd.concat(b.facts, ignore_index=True), order="area_code, indicator, release")
    _insert(con, "releases", pd.DataFrame(b.releases))
    _insert(con, "indicators", pd.DataFrame([{
        "id": i.id, "label": i.label, "unit": i.unit, "definition": i.definition,
        "citation": i.citation, "direction": i.direction,
        "finest_level": i.finest_level, "has_counts": i.has_counts,
    } for i in INDICATORS.values()]))
    _insert(con, "findings", pd.DataFrame(b.findings, columns=["kind", "subject", "detail", "count"]))
    meta = {"fingerprint": fingerprint, "workspace": b.ws.name, "built": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "version": __version__, "region_code": b.ws.region_code, "suppress_below": str(b.ws.suppress_below),
            "schema": str(STORE_SCHEMA)}
    if b.ws.msoa_names is not None:
        meta["msoa_names"] = f"{b.ws.msoa_names.attribution} ({b.ws.msoa_names.file.name})"
    _insert(con, "meta", pd.DataFrame({"key": list(meta), "value": list(meta.values())}))


def _insert(con: duckdb.DuckDBPyConnection, table: str, df: pd.DataFrame, order: str | None = None) -> None:
    cols = [c[0] for c in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
    frame = df[[c for c in cols if c in df.columns]]
    con.register("_frame", frame)
    order_by = f" ORDER BY {order}" if order else ""
    con.execute(f"INSERT INTO {table} ({', '.join(frame.columns)}) SELECT * FROM _frame{order_by}")
    con.unregister("_frame")
