"""Build step: a local name for every MSOA (geography/local_names.py says which kinds and why).

Readable names come from the workspace's [msoa_names] file where it gives one; every MSOA that file
does not name (and every MSOA when there is no file) is described by the wards its LSOAs lie in,
from the best-fit links the build has just made (an LSOA's representative point in a ward). The
file's codes that are not MSOAs here, and MSOAs it does not name, are counted for `check`.
"""

from __future__ import annotations

import pandas as pd

from ..geography.local_names import HCL, WARDS, describe
from ..sources.msoa_names import read_msoa_names
from .state import Build

COLUMNS = ["code", "local_name", "local_name_kind"]


def name_msoas(b: Build) -> None:
    layers = b.layers.layers
    if "msoa" not in layers:
        return
    codes = [str(c) for c in layers["msoa"].codes]
    named: dict[str, str] = {}
    spec = b.ws.msoa_names
    if spec is not None:
        df, outside = read_msoa_names(spec, set(codes))
        named = dict(zip(df["code"], df["name"], strict=True))
        b.finding("msoa-names-outside", spec.file.name,
                  "codes in the MSOA names file that are not MSOAs of this workspace (other regions, or "
                  "MSOAs of another year): not used", outside)
        b.finding("msoa-names-missing", spec.file.name,
                  "MSOAs the names file does not name: described by their wards instead",
                  sum(c not in named for c in codes))
    described = ward_descriptions(b, [c for c in codes if c not in named])
    if spec is None:
        b.finding("msoa-described", "msoa",
                  "MSOAs described by the wards their LSOAs lie in (the workspace gives no MSOA names file: descriptions, not official names)",
                  len(described))
    rows = [(c, n, HCL) for c, n in named.items()] + [(c, d, WARDS) for c, d in described.items()]
    b.local_names = pd.DataFrame(rows, columns=COLUMNS)


def ward_descriptions(b: Build, msoas: list[str]) -> dict[str, str]:
    """MSOA -> 'in X ward and Y ward': the wards its LSOAs lie in (best fit), the ward holding most
    of them first (then by name). An MSOA holding no LSOA's representative point is described by
    the ward its own representative point lies in."""
    layers = b.layers.layers
    if not msoas or "ward" not in layers:
        return {}
    ward = layers["ward"]
    ward_names = {str(c): str(n) if n is not None and str(n).strip() else str(c)
                  for c, n in zip(ward.codes, ward.names, strict=True)}
    links = b.links
    to_ward = links[links["parent_level"] == "ward"][["child", "parent"]].drop_duplicates("child")
    to_msoa = links[links["parent_level"] == "msoa"][["child", "parent"]].drop_duplicates("child")
    wanted = set(msoas)
    counts: dict[str, dict[str, int]] = {}
    if "lsoa" in layers:
        lsoas = set(map(str, layers["lsoa"].codes))
        pairs = to_msoa[to_msoa["child"].isin(lsoas) & to_msoa["parent"].isin(wanted)].merge(
            to_ward, on="child", suffixes=("_msoa", "_ward"))
        for (msoa, w), n in pairs.groupby(["parent_msoa", "parent_ward"]).size().items():
            counts.setdefault(msoa, {})[w] = int(n)
    own = dict(zip(to_ward["child"], to_ward["parent"], strict=True))
    out = {}
    for msoa in msoas:
        per_ward = counts.get(msoa) or ({own[msoa]: 1} if msoa in own else {})
        ordered = sorted(per_ward, key=lambda w: (-per_ward[w], ward_names.get(w, w).lower()))
        if ordered:
            out[msoa] = describe([ward_names.get(w, w) for w in ordered])
    return out
