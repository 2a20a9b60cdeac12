"""Place search: areas by name, code or local name, ranked before the limit so the best come first.

Search matches an area's name, its code, or its local name (an MSOA's readable name, or the wards
that describe it: 'Wharfedale' finds the ward and the MSOAs in it). Exact matches come first, then
names that start with the text, then the rest; coarser levels before finer.
"""

from __future__ import annotations

from typing import Any

from ..levels import LEVELS, rank
from .connection import Reader

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


class SearchQueries(Reader):
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
