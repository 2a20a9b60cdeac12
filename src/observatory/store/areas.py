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


AREA_COLUMNS = ("code", "name", "level", "vintage", "lon", "lat", "local_name", "local_name_kind")


def _link_row(area: tuple, **link: Any) -> dict[str, Any]:
    """A kept area (AREA_COLUMNS) as a parent or child row: the area without its point, then how it
    is linked (the membership's method, and weight for a parent), in the queries' column order."""
    code, name, level, vintage, _lon, _lat, local_name, local_name_kind = area
    return {"code": code, "name": name, "level": level, "vintage": vintage, **link,
            "local_name": local_name, "local_name_kind": local_name_kind}


class AreaQueries(Reader):
    """Areas above postcodes (9,400 in the bundled region, against 89,000 postcodes), and whom each
    sits in, are read once and kept while the store is open: an area profile asks for an area, its
    parents and its children, and each query scanned the tables again."""

    def _kept_areas(self) -> dict[str, tuple]:
        return self.kept(("areas above postcodes",), lambda: {r[0]: r for r in self.cursor_rows(
            f"SELECT {', '.join(AREA_COLUMNS)} FROM areas WHERE level <> 'postcode'")})

    def _kept_links(self) -> tuple[dict[str, list[tuple]], dict[str, list[tuple]]]:
        """(parent -> [(child, method)], child -> [(parent, method, weight)]), above postcodes."""
        def read() -> tuple[dict, dict]:
            down: dict[str, list[tuple]] = {}
            up: dict[str, list[tuple]] = {}
            for child, parent, method, weight in self.cursor_rows(
                    "SELECT m.child, m.parent, m.method, m.weight FROM membership m JOIN areas a ON a.code = m.child "
                    "WHERE a.level <> 'postcode' ORDER BY m.child, m.parent"):
                down.setdefault(parent, []).append((child, method))
                up.setdefault(child, []).append((parent, method, weight))
            return down, up
        return self.kept(("links above postcodes",), read)

    def area(self, code: str) -> dict[str, Any]:
        """One area by its code (GSS codes in any case; postcodes as 'LS1 1AA')."""
        kept = self._kept_areas()
        found = kept.get(code) or kept.get(code.strip().upper())
        if found is not None:
            return dict(zip(AREA_COLUMNS, found, strict=True))
        sql = f"SELECT {', '.join(AREA_COLUMNS)} FROM areas WHERE code = ?"
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
        areas = self._kept_areas()
        if code in areas:
            rows = []
            for parent, method, weight in self._kept_links()[1].get(code, ()):
                a = areas.get(parent)
                if a is None:
                    continue  # as the query's join: a parent the areas table does not hold
                rows.append(_link_row(a, method=method, weight=weight))
            return sorted(rows, key=lambda r: rank(r["level"]))
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
        if level != "postcode":
            areas = self._kept_areas()
            rows = []
            for child, method in self._kept_links()[0].get(parent["code"], ()):
                a = areas[child]
                if a[2] == level and (abolished or a[3] != ABOLISHED):
                    rows.append(_link_row(a, method=method))
            return sorted(rows, key=lambda r: (r["name"] is None, r["name"] or "", r["code"]))
        return self._children_queried(parent["code"], level, abolished)

    def codes_within(self, code: str, level: str) -> set[str]:
        """The codes of children(code, level), by one query instead of from the links kept for
        repeated questions (reading those takes a fifth of a second): for a caller that asks once,
        such as the map's layers and the build's tile archives."""
        return {r["code"] for r in self._children_queried(code, level, False)}

    def _children_queried(self, code: str, level: str, abolished: bool) -> list[dict[str, Any]]:
        return self.rows(
            """SELECT a.code, a.name, a.level, a.vintage, m.method, a.local_name, a.local_name_kind
               FROM membership m JOIN areas a ON a.code = m.child
               WHERE m.parent = ? AND a.level = ? AND (? OR a.vintage IS DISTINCT FROM ?)
               ORDER BY a.name, a.code""",
            [code, level, abolished, ABOLISHED],
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
