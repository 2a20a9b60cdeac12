"""A level that lost most of its figures since the previous build.

Inputs can be valid one by one and still wrong together: coordinates swapped in a file the checks
cannot see through, a release ZIP missing its postcode files, boundaries of the wrong vintage for
most areas. The build then succeeds with a fraction of the figures it had (issue 7 measured
1,182,603 -> 113,979 with swapped coordinates) and nothing says so. Before the new store replaces
the old one, each level's count of figures is compared with the previous store's; a level that
keeps less than half is recorded as a `level-shrank` finding, which makes `observatory check` exit 1.
A level dropped on purpose (a source removed from observatory.toml) is flagged once: the next build
compares with this one.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from .state import Build

# Less than this share of the previous build's figures at a level is "most of them lost".
KEEP_AT_LEAST = 0.5
# Levels with fewer figures than this before are too small for a share to mean much.
MIN_BEFORE = 100


def previous_counts(store: Path) -> dict[str, int]:
    """Figures (non-missing values) per level in the store about to be replaced; {} if none."""
    if not store.exists():
        return {}
    try:
        con = duckdb.connect(str(store), read_only=True)
    except duckdb.Error:  # unreadable or locked: nothing to compare with, the build goes on
        return {}
    try:
        rows = con.execute("SELECT level, count(*) FROM facts WHERE value IS NOT NULL GROUP BY level").fetchall()
    except duckdb.Error:
        return {}
    finally:
        con.close()
    return {level: int(n) for level, n in rows}


def record_shrinkage(b: Build, store: Path) -> None:
    before = previous_counts(store)
    if not before:
        return
    facts = pd.concat(b.facts, ignore_index=True) if b.facts else pd.DataFrame(columns=["level", "value"])
    now = facts[facts["value"].notna()].groupby("level").size().to_dict()
    for level, n_before in sorted(before.items()):
        n_now = int(now.get(level, 0))
        if n_before >= MIN_BEFORE and n_now < KEEP_AT_LEAST * n_before:
            b.finding(
                "level-shrank", level,
                f"{n_now:,} figures at this level; the previous build had {n_before:,} "
                f"({n_now / n_before:.0%}). Likely causes: swapped latitude/longitude or eastings/northings, "
                "boundaries of another vintage, a release file missing from the ZIP, or a source removed "
                "from observatory.toml. Compare `observatory sources` with the files you meant to load.",
                n_before - n_now,
            )
