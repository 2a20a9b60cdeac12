"""Checks across sources, before anything is rolled up or written: two sources that give the same
figure differently, and release ids that collide."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from ..errors import ConfigError
from .state import Build

# Publishers round to one decimal place; the same figure from two files differs by less than this.
SAME = 0.1


def conflicting_sources(b: Build) -> None:
    """Two sources publishing the same area, indicator and month with different figures (say two
    tables labelled July 2025, one of them really January 2026) are refused with the numbers: the
    default view would otherwise pick one without saying why."""
    frames = _sharing_a_month(b.facts)
    if not frames:
        return
    facts = pd.concat(frames, ignore_index=True)
    published = facts[(facts["method"] == "published") & facts["value"].notna()]
    key = ["area_code", "level", "indicator", "release"]
    multi = published[published.duplicated(key, keep=False)]
    if multi.empty:
        return
    pairs = multi.merge(multi, on=key, suffixes=("_a", "_b"))
    pairs = pairs[pairs["release_id_a"] < pairs["release_id_b"]]
    differ = pairs[(pairs["value_a"] - pairs["value_b"]).abs() > SAME]
    if differ.empty:
        return
    first = differ.iloc[0]
    by_pair = differ.groupby(["release_id_a", "release_id_b"]).size()
    (a, bb), n = next(iter(by_pair.items()))
    raise ConfigError(
        f"{b.ws.config_path}: sources '{_key(b, a)}' and '{_key(b, bb)}' both give {first['indicator']} for "
        f"{first['release']} and disagree for {n:,} areas (e.g. {first['area_code']}: {first['value_a']:.1f}% "
        f"and {first['value_b']:.1f}%, largest difference "
        f"{(differ['value_a'] - differ['value_b']).abs().max():.1f} points). One of them is probably another "
        "month: check each file's as_of (Ofcom's file names start with the month, e.g. 202507), or keep one."
    )


def _sharing_a_month(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """The frames of facts that share a month and level with another release's: only their rows
    can disagree. Each source's reader adds a frame per release, so the one source of output-area
    and postcode figures (a million rows) is left out at the cost of a glance at three columns."""
    holders: dict[tuple, set[str]] = defaultdict(set)
    spans = []
    for f in frames:
        span = [(m, lv) for m in f["release"].unique() for lv in f["level"].unique()]
        ids = set(f["release_id"].unique())
        spans.append(span)
        for pair in span:
            holders[pair] |= ids
    shared = {pair for pair, ids in holders.items() if len(ids) > 1}
    return [f for f, span in zip(frames, spans, strict=True) if shared.intersection(span)]


def unique_release_ids(b: Build) -> None:
    seen: dict[str, str] = {}
    for r in b.releases:
        if r["release_id"] in seen:
            raise ConfigError(
                f"{b.ws.config_path}: source '{r['source']}' would make a release named '{r['release_id']}', "
                f"which source '{seen[r['release_id']]}' already makes (a series names each month's release "
                "KEY-YYYY-MM). Give the source another key."
            )
        seen[r["release_id"]] = r["source"]


def _key(b: Build, release_id: str) -> str:
    return next((r["source"] for r in b.releases if r["release_id"] == release_id), release_id)
