"""The LSOA 2011 -> 2021 crosswalk check: how far coverage (output areas of 2011) had to be
approximated to sit in LSOAs of 2021.

ONS's exact-fit lookup (LSOA11_LSOA21_LAD22, change indicator CHGIND) says for each 2011 LSOA
whether it was unchanged (U), split into several 2021 LSOAs (S), merged with others into one (M),
or redistributed irregularly (X). Output areas of 2011 are placed in LSOAs 2021 by best fit in the
build (their representative point), with the share of their postcodes inside recorded; this check
counts the output areas that straddle an LSOA 2021 boundary and those in LSOAs that changed in 2021.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ObservatoryError
from ..geography.code_history import current
from ..sources.tabular import read_table
from ..store import Store
from ..workspace import Workspace
from ..workspace.inclusion import require

COLUMNS = ("LSOA11CD", "LSOA21CD", "CHGIND")
KINDS = "USMX"  # ONS's change indicators: unchanged, split, merged, irregular


def lookup_counts(path: Path, districts: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Counts from the lookup file: LSOAs 2021 unchanged, 2011 LSOAs split and merged; with
    `districts`, of the rows whose district (LAD22CD, read as today's code) is one of them (a lookup
    for all of England and Wales is cut to the region)."""
    table = read_table(path, required=COLUMNS, optional=("LAD22CD",), expected=f"the ONS LSOA11 -> LSOA21 lookup columns {', '.join(COLUMNS)}",
                       fix="Use the lookup as ONS publishes it (LSOA11_LSOA21_LAD22).",
                       missing_file="Check [inclusion] lsoa_changes in observatory.toml.")
    table.non_empty("LSOA11CD")
    table.non_empty("LSOA21CD")
    table.one_of("CHGIND", tuple(KINDS), expected="U (unchanged), S (split), M (merged) or X (irregular)")
    table.done()
    rows = [{c: row.text(c) for c in (*COLUMNS, "LAD22CD")} for row in table]
    total = len(rows)
    if districts and table.has("LAD22CD"):
        wanted = set(districts)
        rows = [r for r in rows if current(r["LAD22CD"]) in wanted]
    by: dict[str, tuple[set[str], set[str]]] = {k: (set(), set()) for k in KINDS}
    for r in rows:
        by[r["CHGIND"]][0].add(r["LSOA11CD"])
        by[r["CHGIND"]][1].add(r["LSOA21CD"])
    lsoa21 = {r["LSOA21CD"] for r in rows}
    return {
        "file": path.name,
        "rows": total, "rows_kept": len(rows),
        "lsoa21": len(lsoa21),
        "lsoa11": len({r["LSOA11CD"] for r in rows}),
        "unchanged": len(by["U"][1]),
        "split_2011": len(by["S"][0]), "split_2021": len(by["S"][1]),
        "merged_2011": len(by["M"][0]), "merged_2021": len(by["M"][1]),
        "irregular_2011": len(by["X"][0]), "irregular_2021": len(by["X"][1]),
        "changed_lsoa21": sorted(by["S"][1] | by["M"][1] | by["X"][1]),
    }


def report(store: Store, path: Path, districts: tuple[str, ...] | None = None) -> dict[str, Any]:
    counts = lookup_counts(path, districts)
    changed = counts.pop("changed_lsoa21")
    oa = store.rows(
        """SELECT count(*) AS placed,
                  count(*) FILTER (WHERE m.share < 1) AS straddling,
                  avg(m.share) AS mean_share,
                  min(m.share) AS min_share
           FROM membership m JOIN areas a ON a.code = m.child AND a.level = 'oa'
           WHERE m.parent_level = 'lsoa'""")[0]
    in_changed = 0
    if changed:
        marks = ", ".join("?" for _ in changed)
        in_changed = store.rows(
            f"""SELECT count(*) AS n FROM membership m JOIN areas a ON a.code = m.child AND a.level = 'oa'
                WHERE m.parent_level = 'lsoa' AND m.parent IN ({marks})""", changed)[0]["n"]
    counts.update(
        oa_placed=int(oa["placed"] or 0), oa_straddling=int(oa["straddling"] or 0),
        oa_mean_share=float(oa["mean_share"]) if oa["mean_share"] is not None else None,
        oa_in_changed_lsoa=int(in_changed),
    )
    counts["text"] = describe(counts)
    return counts


def describe(c: dict[str, Any]) -> str:
    kept = ""
    if c.get("rows_kept", c.get("rows")) != c.get("rows"):
        kept = f", the {c['rows_kept']:,} of its {c['rows']:,} rows in the region's districts"
    text = (f"LSOA 2011 -> 2021 ({c['file']}{kept}): of {c['lsoa21']:,} LSOAs 2021, {c['unchanged']:,} are unchanged "
            f"from 2011; {c['split_2011']} LSOAs 2011 were split (into {c['split_2021']}) and {c['merged_2011']} "
            f"merged (into {c['merged_2021']})")
    if c["irregular_2011"]:
        text += f"; {c['irregular_2011']} redistributed irregularly"
    text += "."
    if "oa_placed" in c:
        text += (f" {c['oa_placed']:,} output areas (2011) are placed in LSOAs 2021 by best fit: "
                 f"{c['oa_straddling']} straddle an LSOA boundary (mean share of postcodes inside "
                 f"{100 * (c['oa_mean_share'] or 0):.1f}%), and {c['oa_in_changed_lsoa']} lie in LSOAs that were "
                 "split or merged in 2021; their coverage is approximated.")
    return text


def for_workspace(ws: Workspace, store: Store) -> dict[str, Any] | None:
    """The crosswalk report for `observatory check`, when the workspace configures the
    exclusion-risk index with an LSOA 2011 -> 2021 lookup; else None."""
    if not ws.has_inclusion:
        return None
    try:
        cfg = require(ws.inclusion, ws.config_path)
        return report(store, cfg.lsoa_changes, ws.districts) if cfg.lsoa_changes else None
    except ObservatoryError as exc:
        return {"text": f"The LSOA 2011 -> 2021 crosswalk could not be checked: {exc}", "error": True}
