"""Figure queries: one indicator's figures at a level and month, and an area's series over months.

Every answer carries its provenance (method, release, synthetic), and a suppressed figure comes
back with its value and counts blanked, never the number itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import NotFoundError, NotPublishedError
from ..levels import LEVELS, rank
from ..workspace.additions import what_to_add
from .areas import AreaQueries
from .reference import ReferenceQueries

# When several figures exist for one area, indicator and month, the one shown by default is the
# publisher's own; a roll-up of real figures comes before one of synthetic figures.
_METHOD_RANK = "CASE f.method WHEN 'published' THEN 0 WHEN 'rolled-up' THEN 1 ELSE 2 END"

# Levels whose newest figures for an indicator, and whose series, are kept while the store is open
# (an output area's are the finest: 7,131 areas in the bundled region); postcodes are asked for
# one parent at a time instead.
KEPT_LEVELS = tuple(level for level in LEVELS if level != "postcode")

SERIES_COLUMNS = ("area_code", "indicator", "release", "value", "numerator", "denominator", "method",
                  "suppressed", "synthetic", "release_id")

FIGURE_COLUMNS = (
    "area_code", "area_name", "level", "indicator", "release", "value", "numerator",
    "denominator", "method", "suppressed", "synthetic", "release_id", "vintage",
    "area_local_name", "area_local_name_kind",
)
# FIGURE_COLUMNS, and `pick`: 1 for the figure shown by default (_METHOD_RANK) among an area's
# figures for one indicator and month (PARTITION BY indicator too: keep_newest_figures reads many)
_FIGURE_SELECT = f"""
    SELECT f.area_code, a.name AS area_name, f.level, f.indicator, f.release, f.value,
           f.numerator, f.denominator, f.method, f.suppressed, f.synthetic,
           f.release_id, a.vintage, a.local_name AS area_local_name,
           a.local_name_kind AS area_local_name_kind,
           row_number() OVER (PARTITION BY f.level, f.indicator, f.release, f.area_code
                              ORDER BY {_METHOD_RANK}, f.synthetic, f.release_id) AS pick"""


def _blanked(row: tuple) -> tuple:
    """A figures row of FIGURE_COLUMNS (without `pick`), with a suppressed figure's value,
    numerator and denominator blanked."""
    value, suppressed = FIGURE_COLUMNS.index("value"), FIGURE_COLUMNS.index("suppressed")
    if row[suppressed]:
        return (*row[:value], None, None, None, *row[value + 3:len(FIGURE_COLUMNS)])
    return row[:len(FIGURE_COLUMNS)]


class FactQueries(AreaQueries, ReferenceQueries):
    """Figures; they name areas and indicators, so these build on the area and reference queries."""

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
        if area or all_methods or level not in KEPT_LEVELS or release != self.releases_of(indicator, level)[-1]:
            return self._figures(level, indicator, release, area, all_methods, within)
        # a whole level, or the areas of a level inside one parent (an area profile ranks its
        # children), from the level's newest figures kept while the store is open: one query a
        # level and indicator (older months are read each time: they are asked for rarely, and
        # keeping every month of every level would hold the whole store in memory)
        kept = self.kept(("figures", level, indicator, release), lambda: self._figure_rows(level, indicator, release))
        inside = self._inside(within, level) if within else None
        return [dict(zip(FIGURE_COLUMNS, r, strict=True)) for r in kept if inside is None or r[0] in inside]

    def _figures(self, level: str, indicator: str, release: str, area: str | None = None,
                 all_methods: bool = False, within: str | None = None) -> list[dict[str, Any]]:
        """figures() read from the store, for a month already resolved."""
        return [dict(zip(FIGURE_COLUMNS, r, strict=True))
                for r in self._figure_rows(level, indicator, release, area, all_methods, within)]

    def _figure_rows(self, level: str, indicator: str, release: str, area: str | None = None,
                     all_methods: bool = False, within: str | None = None) -> list[tuple]:
        """_figures() as tuples of FIGURE_COLUMNS (what is kept: compact, and no dicts to make)."""
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
            where.append("f.area_code IN (SELECT child FROM membership WHERE parent = ?)")
            params.append(self._parent(within, level)["code"])
        sql = f"{_FIGURE_SELECT} FROM facts f JOIN areas a ON a.code = f.area_code WHERE {' AND '.join(where)}"
        if not all_methods:
            sql = f"SELECT * FROM ({sql}) WHERE pick = 1"
        return [_blanked(r) for r in self.cursor_rows(sql + " ORDER BY area_code, pick", params)]

    def keep_newest_figures(self, levels: Sequence[str]) -> None:
        """Read every indicator's newest figures at `levels` now, in one query, and keep them as
        figures() would (a rebuilt store is warmed so before it is served: one query a level and
        indicator took 18 ms each, two seconds of a worker's swap for the bundled store)."""
        wanted = [(level, indicator, months[-1]) for (indicator, level), months in self.months_held().items()
                  if level in levels and level in KEPT_LEVELS
                  and not self.has_kept(("figures", level, indicator, months[-1]))]
        if not wanted:
            return
        values = ", ".join("(?, ?, ?)" for _ in wanted)
        rows = self.cursor_rows(
            f"""SELECT * FROM ({_FIGURE_SELECT}
                   FROM facts f JOIN (VALUES {values}) AS w(level, indicator, release)
                        ON f.level = w.level AND f.indicator = w.indicator AND f.release = w.release
                   JOIN areas a ON a.code = f.area_code)
                WHERE pick = 1 ORDER BY level, indicator, area_code""",
            [v for triple in wanted for v in triple])
        found: dict[tuple, list[tuple]] = {("figures", *triple): [] for triple in wanted}
        level, indicator, release = (FIGURE_COLUMNS.index(c) for c in ("level", "indicator", "release"))
        for r in rows:
            found[("figures", r[level], r[indicator], r[release])].append(_blanked(r))
        for key, kept in found.items():
            self.kept(key, lambda kept=kept: kept)

    def _parent(self, within: str, level: str) -> dict[str, Any]:
        """The area `within` names, if areas of `level` can lie inside it; else why not."""
        parent = self.area(within)
        if rank(parent["level"]) <= rank(level):
            raise NotFoundError(
                f"No {level} areas lie within {parent['code']} ({parent['name']}), a {parent['level']} "
                f"area: choose a level finer than {parent['level']}."
            )
        return parent

    def _inside(self, within: str, level: str) -> set[str]:
        """The codes of the areas above postcodes inside `within` (at `level` and others), from
        the memberships kept while the store is open (AreaQueries)."""
        code = self._parent(within, level)["code"]
        return {child for child, _ in self._kept_links()[0].get(code, ())}

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
            has_areas = bool(self.rows("SELECT 1 FROM areas WHERE level = ? LIMIT 1", [level]))
            has_figures = has_areas and bool(self.rows("SELECT 1 FROM facts WHERE level = ? LIMIT 1", [level]))
            lacking = "" if has_figures else what_to_add(level, has_areas)
            raise NotFoundError(lacking or f"No figures for {indicator} at {level} level in this store.")
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
        area with its parents), ordered by area, indicator and month. The series of a level above
        postcodes are read for the whole level at the first question and kept while the store is
        open (an LSOA profile and its comparators: five levels, ~60,000 rows in the bundled region)."""
        if not codes:
            return []
        areas = self._kept_areas()
        levels = {areas[c][2] for c in codes if c in areas}
        if levels <= set(KEPT_LEVELS) and all(c in areas for c in codes):
            out = []
            for code in sorted(set(codes)):
                out += [dict(zip(SERIES_COLUMNS, r, strict=True))
                        for r in self._level_series(areas[code][2]).get(code, ())]
            return out
        return self._series_many(codes)

    def keep_for_profiles(self, levels: Sequence[str]) -> None:
        """Read now what area profiles ask for: the areas above postcodes, whom they sit in, and
        the series of `levels` (a rebuilt store is warmed so before it is served)."""
        self._kept_areas()
        self._kept_links()
        for level in levels:
            self._level_series(level)

    def _level_series(self, level: str) -> dict[str, list[tuple]]:
        """Every area of a level: its series, kept while the store is open."""
        def read() -> dict[str, list[tuple]]:
            by_area: dict[str, list[tuple]] = {}
            for r in self._series_many([], level):
                by_area.setdefault(r["area_code"], []).append(tuple(r[c] for c in SERIES_COLUMNS))
            return by_area
        return self.kept(("series of level", level), read)

    def _series_many(self, codes: list[str], level: str | None = None) -> list[dict[str, Any]]:
        """series_many() read from the store: for `codes`, or every area of `level`."""
        where = "f.level = ?" if level else f"f.area_code IN ({', '.join('?' for _ in codes)})"
        rows = self.rows(
            f"""SELECT * FROM (
                   SELECT f.area_code, f.indicator, f.release, f.value, f.numerator, f.denominator,
                          f.method, f.suppressed, f.synthetic, f.release_id,
                          row_number() OVER (PARTITION BY f.area_code, f.indicator, f.release
                                             ORDER BY {_METHOD_RANK}, f.synthetic, f.release_id) AS pick
                   FROM facts f WHERE {where})
                WHERE pick = 1 ORDER BY area_code, indicator, release""",
            [level] if level else list(codes),
        )
        for r in rows:
            r.pop("pick")
            if r["suppressed"]:
                r["value"] = r["numerator"] = r["denominator"] = None
        return rows
