"""The analytic store: one DuckDB file of facts with provenance.

Only `build` writes it, and always to a temporary file that replaces the old store in one rename,
so a failed or killed build leaves the previous store readable. Everything else opens it read-only.

Tables
  releases     one row per source loaded: publisher, title, as-of month, licence, checksum, synthetic
  areas        code, name, level, vintage, representative point, geometry (WKB, EPSG:4326)
  shapes       simplified geometry per level for maps (WKB, EPSG:4326), one band per level
  membership   child -> parent links with the method (lookup, spatial, best-fit), weight and the
               share of a best-fit child's postcodes (a proxy for its premises) inside the parent
  facts        release x area x indicator: numerator, denominator, value, method, suppressed, synthetic
  indicators   id, label, unit, definition, citation, threshold, direction, finest level
  findings     what `observatory check` reports: kind, subject, detail, count
  meta         key/value: when and from what the store was built
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from .errors import NotFoundError, NotPublishedError, StoreError
from .geography.code_history import RECODED, SUCCESSOR
from .levels import LEVELS, rank

# The store's layout; part of the build fingerprint and of meta, so a store of an older layout is
# rebuilt rather than misread. 2: areas.local_name and local_name_kind (readable MSOA names).
STORE_SCHEMA = 2

SCHEMA = """
CREATE TABLE releases (
    release_id VARCHAR PRIMARY KEY,   -- e.g. 'ofcom-laua-2025-07'
    source VARCHAR NOT NULL,          -- the workspace's source key
    publisher VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    as_of VARCHAR,                    -- snapshot month YYYY-MM (NULL for reference data)
    published VARCHAR,
    licence VARCHAR NOT NULL,
    attribution VARCHAR,
    origin VARCHAR,
    file VARCHAR NOT NULL,
    files_used VARCHAR,               -- JSON list: members of a ZIP actually read
    checksum VARCHAR NOT NULL,        -- sha256 of the file as loaded
    vintage VARCHAR,                  -- geography vintage of the area codes, e.g. 'OA 2011'
    synthetic BOOLEAN NOT NULL,
    rows INTEGER,
    notes VARCHAR                     -- JSON list: what was derived differently from the file's headings
);
CREATE TABLE areas (
    code VARCHAR PRIMARY KEY,
    name VARCHAR,                     -- the publisher's name (ONS: 'Bradford 001' for an MSOA)
    level VARCHAR NOT NULL,
    vintage VARCHAR,
    lon DOUBLE,
    lat DOUBLE,
    geometry BLOB,
    local_name VARCHAR,               -- MSOAs: a readable name, or a description from their wards
    local_name_kind VARCHAR           -- 'hcl' (House of Commons Library name) | 'wards' (a description)
);
CREATE TABLE shapes (
    code VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    geometry BLOB NOT NULL
);
CREATE TABLE membership (
    child VARCHAR NOT NULL,
    parent VARCHAR NOT NULL,
    parent_level VARCHAR NOT NULL,
    method VARCHAR NOT NULL,          -- lookup | spatial | best-fit
    weight DOUBLE NOT NULL DEFAULT 1.0,
    share DOUBLE                      -- best fit: share of the child's postcodes inside this parent
);
CREATE TABLE facts (
    release_id VARCHAR NOT NULL,
    release VARCHAR NOT NULL,         -- as-of month YYYY-MM
    area_code VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    numerator DOUBLE,
    denominator DOUBLE,
    value DOUBLE,
    method VARCHAR NOT NULL,          -- published | rolled-up | estimated-weights
    suppressed BOOLEAN NOT NULL DEFAULT FALSE,
    synthetic BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE indicators (
    id VARCHAR PRIMARY KEY,
    label VARCHAR, unit VARCHAR, definition VARCHAR, citation VARCHAR,
    threshold DOUBLE, direction VARCHAR, finest_level VARCHAR, has_counts BOOLEAN
);
CREATE TABLE findings (
    kind VARCHAR NOT NULL,
    subject VARCHAR,
    detail VARCHAR,
    count BIGINT
);
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
"""

# When several figures exist for one area, indicator and month, the one shown by default is the
# publisher's own; a roll-up of real figures comes before one of synthetic figures.
_METHOD_RANK = "CASE f.method WHEN 'published' THEN 0 WHEN 'rolled-up' THEN 1 ELSE 2 END"

# The level that divides an area, for listing its children. Wards, MSOAs and LSOAs of 2011/2013
# do not nest in each other, so a ward lists its LSOAs (placed by best fit), not MSOAs.
CHILD_LEVEL = {
    "uk": "nation", "gb": "nation", "ew": "nation", "nation": "lad", "rgn": "lad", "ca": "lad", "group": "lad", "lad": "ward", "ward": "lsoa", "msoa": "lsoa",
    "lsoa": "oa", "oa": "postcode",
}

# Search matches an area's name, its code, or its local name (an MSOA's readable name, or the wards
# that describe it: 'Wharfedale' finds the ward and the MSOAs in it). Exact matches come first, then
# names that start with the text, then the rest; coarser levels before finer.
_MATCHES = ("(lower(name) LIKE ? ESCAPE '\\' OR lower(code) LIKE ? ESCAPE '\\' "
            "OR lower(coalesce(local_name, '')) LIKE ? ESCAPE '\\')")
_ORDER = """CASE WHEN lower(name) = ? OR lower(code) = ? OR lower(coalesce(local_name, '')) = ? THEN 0
                 WHEN lower(name) LIKE ? ESCAPE '\\' OR lower(coalesce(local_name, '')) LIKE ? ESCAPE '\\' THEN 1
                 ELSE 2 END,
            CASE level {coarse} END DESC, name, code"""


def _match_params(like: str) -> list[str]:
    return [f"%{like}%"] * 3


def _order_params(needle: str, like: str) -> list[str]:
    return [needle, needle, needle, f"{like}%", f"{like}%"]


FIGURE_COLUMNS = (
    "area_code", "area_name", "level", "indicator", "release", "value", "numerator",
    "denominator", "method", "suppressed", "synthetic", "release_id", "vintage",
    "area_local_name", "area_local_name_kind",
)


# Readers of the store touch nothing but the store: no COPY ... TO, ATTACH, INSTALL or reading other
# files, and the setting cannot be turned back on from SQL (DuckDB "Securing DuckDB" guidance).
SANDBOX = {
    "enable_external_access": False,
    "lock_configuration": True,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    # a runaway query fails with a message instead of taking the machine's memory
    "memory_limit": "2GB",
}


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


def store_path(workspace_dir: Path) -> Path:
    return Path(workspace_dir) / "build" / "observatory.duckdb"


class Store:
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

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own, for callers on other threads (the web app)."""
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            _close(cur)

    def rows(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Rows of a query as dicts (for the observatory's own read-only queries)."""
        with self.cursor() as cur:
            rel = cur.execute(sql, params or [])
            cols = [d[0] for d in rel.description]
            return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]

    # -- reference ---------------------------------------------------------------------------
    def meta(self) -> dict[str, str]:
        return {r["key"]: r["value"] for r in self.rows("SELECT key, value FROM meta")}

    def releases(self) -> list[dict[str, Any]]:
        rows = self.rows("SELECT * FROM releases ORDER BY as_of NULLS FIRST, release_id")
        for r in rows:
            r["files_used"] = json.loads(r["files_used"]) if r["files_used"] else []
            r["notes"] = json.loads(r["notes"]) if r.get("notes") else []
        return rows

    def indicators(self) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM indicators ORDER BY id")

    def indicator(self, indicator_id: str) -> dict[str, Any]:
        rows = self.rows("SELECT * FROM indicators WHERE id = ?", [indicator_id])
        if not rows:
            known = ", ".join(r["id"] for r in self.indicators())
            raise NotFoundError(f"Unknown indicator '{indicator_id}'. Known indicators: {known}.")
        return rows[0]

    def releases_of(self, indicator: str, level: str) -> list[str]:
        """As-of months that hold the indicator at the level, oldest first."""
        rows = self.rows(
            "SELECT DISTINCT release FROM facts WHERE indicator = ? AND level = ? ORDER BY release",
            [indicator, level],
        )
        return [r["release"] for r in rows]

    # -- areas -------------------------------------------------------------------------------
    def area(self, code: str) -> dict[str, Any]:
        """One area by its code (GSS codes in any case; postcodes as 'LS1 1AA')."""
        sql = "SELECT code, name, level, vintage, lon, lat, local_name, local_name_kind FROM areas WHERE code = ?"
        rows = self.rows(sql, [code]) or self.rows(sql, [code.strip().upper()])
        if rows:
            return rows[0]
        successor = RECODED.get(code.strip().upper()) or SUCCESSOR.get(code.strip().upper())
        if successor and (now := self.rows(sql, [successor])):
            raise NotFoundError(
                f"No area with code '{code}': that district code is no longer used; it is now "
                f"{successor} ({now[0]['name']}). Use {successor}."
            )
        raise NotFoundError(f"No area with code '{code}'. Search by name or postcode.")

    def parents(self, code: str) -> list[dict[str, Any]]:
        """Every area this one sits in, finest first."""
        rows = self.rows(
            """SELECT a.code, a.name, a.level, a.vintage, m.method, m.weight, a.local_name, a.local_name_kind
               FROM membership m JOIN areas a ON a.code = m.parent
               WHERE m.child = ?""",
            [code],
        )
        return sorted(rows, key=lambda r: rank(r["level"]))

    def parents_at(self, level: str, parent_level: str) -> dict[str, dict[str, str]]:
        """For every area at `level`: the `parent_level` area it lies in ({code, name}); where a
        best fit places it in several, the one holding most of it."""
        rows = self.rows(
            """SELECT m.child, a.code, a.name FROM membership m
               JOIN areas a ON a.code = m.parent JOIN areas c ON c.code = m.child
               WHERE c.level = ? AND m.parent_level = ?
               ORDER BY m.child, coalesce(m.share, m.weight) DESC, a.code""",
            [level, parent_level],
        )
        out: dict[str, dict[str, str]] = {}
        for r in rows:
            out.setdefault(r["child"], {"code": r["code"], "name": r["name"]})
        return out

    def children(self, code: str, level: str | None = None) -> list[dict[str, Any]]:
        """Areas within this one: at `level`, or at the level that divides it (CHILD_LEVEL).

        `method` says how each was placed: 'lookup' and 'spatial' are exact; 'best-fit' means the
        child's representative point lies in this area, so the fit is approximate.
        """
        parent = self.area(code)
        level = level or CHILD_LEVEL.get(parent["level"])
        if level is None:
            return []
        return self.rows(
            """SELECT a.code, a.name, a.level, a.vintage, m.method, a.local_name, a.local_name_kind
               FROM membership m JOIN areas a ON a.code = m.child
               WHERE m.parent = ? AND a.level = ? ORDER BY a.name, a.code""",
            [parent["code"], level],
        )

    def search(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """Areas whose name or code contains the text: exact matches first, then names that start
        with it, coarser levels before finer (ranked before the limit, so 'Leeds' finds the
        district before its 482 LSOAs)."""
        needle = text.strip().lower()
        # % and _ are LIKE's wildcards: a user's "%" means a percent sign, not "anything"
        like = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        coarse = " ".join(f"WHEN '{lv}' THEN {rank(lv)}" for lv in LEVELS)
        return self.rows(
            f"""SELECT code, name, level, vintage, local_name, local_name_kind FROM areas
                WHERE {_MATCHES}
                ORDER BY {_ORDER.format(coarse=coarse)}
                LIMIT ?""",
            [*_match_params(like), *_order_params(needle, like), limit],
        )

    def names(self, level: str) -> dict[str, str]:
        """Code -> name of every area at a level (for labelling map layers)."""
        with self.cursor() as cur:
            rows = cur.execute("SELECT code, name FROM areas WHERE level = ?", [level]).fetchall()
        return {code: name for code, name in rows}

    def points(self, level: str) -> dict[str, tuple[float, float]]:
        """Code -> representative point (lon, lat: a point inside the area) of a level's areas."""
        with self.cursor() as cur:
            rows = cur.execute("SELECT code, lon, lat FROM areas WHERE level = ? AND lon IS NOT NULL",
                               [level]).fetchall()
        return {code: (lon, lat) for code, lon, lat in rows}

    def geometries(self, level: str) -> list[dict[str, Any]]:
        """Full-resolution geometry (WKB, EPSG:4326) and representative point of a level's areas."""
        return self.rows(
            "SELECT code, name, lon, lat, geometry FROM areas WHERE level = ? ORDER BY code",
            [level],
        )

    # -- figures -----------------------------------------------------------------------------
    def figures(
        self,
        level: str,
        indicator: str,
        release: str | None = "latest",
        area: str | None = None,
        all_methods: bool = False,
        within: str | None = None,
    ) -> list[dict[str, Any]]:
        """Figures for one indicator at one level and release, with provenance.

        `release` is an as-of month (YYYY-MM), or 'latest' (the newest month holding the
        indicator at that level). One figure per area unless `all_methods`: the publisher's
        own where there is one, else the roll-up. `within` keeps the areas inside one parent
        (e.g. the wards of Leeds).
        """
        release = self.release_for(level, indicator, release)
        where = ["f.level = ?", "f.indicator = ?", "f.release = ?"]
        params: list[Any] = [level, indicator, release]
        if area:
            found = self.area(area)
            if found["level"] != level:
                raise NotFoundError(
                    f"{found['code']} ({found['name']}) is a {found['level']} area, not a {level} area: "
                    f"ask for level {found['level']}, or use within={found['code']} for the {level} areas inside it."
                )
            where.append("f.area_code = ?")
            params.append(found["code"])
        if within:
            parent = self.area(within)
            if rank(parent["level"]) <= rank(level):
                raise NotFoundError(
                    f"No {level} areas lie within {parent['code']} ({parent['name']}), a {parent['level']} "
                    f"area: choose a level finer than {parent['level']}."
                )
            where.append("f.area_code IN (SELECT child FROM membership WHERE parent = ?)")
            params.append(parent["code"])
        sql = f"""
            SELECT f.area_code, a.name AS area_name, f.level, f.indicator, f.release, f.value,
                   f.numerator, f.denominator, f.method, f.suppressed, f.synthetic,
                   f.release_id, a.vintage, a.local_name AS area_local_name,
                   a.local_name_kind AS area_local_name_kind,
                   row_number() OVER (PARTITION BY f.area_code
                                      ORDER BY {_METHOD_RANK}, f.synthetic, f.release_id) AS pick
            FROM facts f JOIN areas a ON a.code = f.area_code
            WHERE {' AND '.join(where)}
        """
        if not all_methods:
            sql = f"SELECT * FROM ({sql}) WHERE pick = 1"
        rows = self.rows(sql + " ORDER BY area_code, pick", params)
        for r in rows:
            r.pop("pick", None)
            if r["suppressed"]:
                r["value"] = r["numerator"] = r["denominator"] = None
        return rows

    def release_for(self, level: str, indicator: str, release: str | None = "latest") -> str:
        """The as-of month a request for figures means ('latest' resolved), or why there is none."""
        if level not in LEVELS:
            raise NotFoundError(f"Unknown level '{level}'. Levels: {', '.join(LEVELS)}.")
        ind = self.indicator(indicator)
        if rank(level) < rank(ind["finest_level"]):
            raise NotPublishedError(
                f"{ind['label']} is not published at {level} level: the publisher publishes it "
                f"from {ind['finest_level']} level up, and the observatory does not impute it. "
                "Choose a coarser level or another indicator (e.g. gigabit)."
            )
        months = self.releases_of(indicator, level)
        if not months:
            raise NotFoundError(f"No figures for {indicator} at {level} level in this store.")
        if release in (None, "latest"):
            return months[-1]
        if release not in months:
            raise NotFoundError(
                f"No {indicator} figures at {level} level for release '{release}'. "
                f"Releases with them: {', '.join(months)}."
            )
        return release

    def series(self, code: str, indicator: str) -> list[dict[str, Any]]:
        """Every release's figure for one area and indicator, oldest first (one per month)."""
        rows = self.rows(
            f"""SELECT * FROM (
                   SELECT f.release, f.value, f.numerator, f.denominator, f.method, f.suppressed,
                          f.synthetic, f.release_id,
                          row_number() OVER (PARTITION BY f.release
                                             ORDER BY {_METHOD_RANK}, f.synthetic, f.release_id) AS pick
                   FROM facts f WHERE f.area_code = ? AND f.indicator = ?)
                WHERE pick = 1 ORDER BY release""",
            [code, indicator],
        )
        for r in rows:
            r.pop("pick")
            if r["suppressed"]:
                r["value"] = r["numerator"] = r["denominator"] = None
        return rows

    def series_many(self, codes: list[str]) -> list[dict[str, Any]]:
        """`series()` for every indicator of several areas in one query (area profiles compare an
        area with its parents), ordered by area, indicator and month."""
        if not codes:
            return []
        marks = ", ".join("?" for _ in codes)
        rows = self.rows(
            f"""SELECT * FROM (
                   SELECT f.area_code, f.indicator, f.release, f.value, f.numerator, f.denominator,
                          f.method, f.suppressed, f.synthetic, f.release_id,
                          row_number() OVER (PARTITION BY f.area_code, f.indicator, f.release
                                             ORDER BY {_METHOD_RANK}, f.synthetic, f.release_id) AS pick
                   FROM facts f WHERE f.area_code IN ({marks}))
                WHERE pick = 1 ORDER BY area_code, indicator, release""",
            list(codes),
        )
        for r in rows:
            r.pop("pick")
            if r["suppressed"]:
                r["value"] = r["numerator"] = r["denominator"] = None
        return rows

    def findings(self) -> list[dict[str, Any]]:
        return self.rows("SELECT * FROM findings ORDER BY kind, subject")

    def shapes(self, level: str) -> list[tuple[str, bytes]]:
        """Simplified map geometry (WKB, EPSG:4326) for every area at a level."""
        with self.cursor() as cur:
            return cur.execute(
                "SELECT code, geometry FROM shapes WHERE level = ? ORDER BY code", [level]
            ).fetchall()

    # -- SQL ---------------------------------------------------------------------------------
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
                        cur.interrupt()
                        worker.join()
                        raise StoreError(
                            f"The query ran for more than {timeout:g} s and was stopped. Narrow it (a WHERE "
                            "on level, indicator or release; a LIMIT), or give --timeout a larger number."
                        )
            except KeyboardInterrupt:
                cur.interrupt()
                worker.join()
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

    # -- search, paged -----------------------------------------------------------------------
    def search_areas(self, text: str, offset: int = 0, limit: int = 20) -> tuple[int, list[dict[str, Any]]]:
        """Every area whose name or code contains the text, counted, and one page of them in the
        order `search` gives (exact matches, then names that start with it, coarser levels first)."""
        needle = text.strip().lower()
        like = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        coarse = " ".join(f"WHEN '{lv}' THEN {rank(lv)}" for lv in LEVELS)
        rows = self.rows(
            f"""SELECT code, name, level, vintage, local_name, local_name_kind, count(*) OVER () AS total
                FROM areas WHERE {_MATCHES}
                ORDER BY {_ORDER.format(coarse=coarse)}
                LIMIT ? OFFSET ?""",
            [*_match_params(like), *_order_params(needle, like), limit, offset],
        )
        if rows:
            total = rows[0]["total"]
        else:  # a page past the last: count them anyway
            total = self.rows(
                f"SELECT count(*) AS n FROM areas WHERE {_MATCHES}", _match_params(like),
            )[0]["n"]
        for r in rows:
            del r["total"]
        return total, rows

    def parents_of(self, codes: list[str], parent_level: str) -> dict[str, dict[str, str]]:
        """For each of `codes`: the `parent_level` area it lies in ({code, name}); where a best fit
        places it in several, the one holding most of it (as `parents_at`, for a few areas)."""
        if not codes:
            return {}
        rows = self.rows(
            """SELECT m.child, a.code, a.name FROM membership m JOIN areas a ON a.code = m.parent
               WHERE m.child IN (SELECT unnest(?)) AND m.parent_level = ?
               ORDER BY m.child, coalesce(m.share, m.weight) DESC, a.code""",
            [list(codes), parent_level],
        )
        out: dict[str, dict[str, str]] = {}
        for r in rows:
            out.setdefault(r["child"], {"code": r["code"], "name": r["name"]})
        return out
