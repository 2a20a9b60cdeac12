"""Area queries: one area by its code, the areas it sits in and the areas within it, and every
area of a level for maps (names, representative points, geometry)."""

from __future__ import annotations

from typing import Any

from ..errors import NotFoundError
from ..geography.code_history import ABOLISHED, RECODED, SUCCESSOR
from ..levels import rank
from .connection import Reader

# The level that divides an area, for listing its children. Wards, MSOAs and LSOAs of 2011/2013
# do not nest in each other, so a ward lists its LSOAs (placed by best fit), not MSOAs.
CHILD_LEVEL = {
    "uk": "nation", "gb": "nation", "ew": "nation", "nation": "lad", "rgn": "lad", "ca": "lad", "group": "lad", "lad": "ward", "ward": "lsoa", "msoa": "lsoa",
    "lsoa": "oa", "oa": "postcode",
}


class AreaQueries(Reader):
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

    # -- the areas it sits in --------------------------------------------------------------------
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

    # -- the areas within it ---------------------------------------------------------------------
    def children(self, code: str, level: str | None = None, abolished: bool = False) -> list[dict[str, Any]]:
        """Areas within this one today: at `level`, or at the level that divides it (CHILD_LEVEL).
        Districts abolished before the current boundaries, kept for the old releases that list
        them, are left out unless `abolished`.

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
               WHERE m.parent = ? AND a.level = ? AND (? OR a.vintage IS DISTINCT FROM ?)
               ORDER BY a.name, a.code""",
            [parent["code"], level, abolished, ABOLISHED],
        )

    # -- every area of a level, for maps ---------------------------------------------------------
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

    def shapes(self, level: str) -> list[tuple[str, bytes]]:
        """Simplified map geometry (WKB, EPSG:4326) for every area at a level."""
        with self.cursor() as cur:
            return cur.execute(
                "SELECT code, geometry FROM shapes WHERE level = ? ORDER BY code", [level]
            ).fetchall()
