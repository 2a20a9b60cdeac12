"""How complete each parent's figure is: the share of its premises that its children with figures
cover, for every parent above districts, release and indicator.

A current district counts as covered in a release when the release gives it a figure under its own
code, under the code it had before a recode, or (for a district formed by a merger) for every
district it was formed from. Premises are the district's count in the newest release that counts
it. A parent below 100% is reported by `observatory check` as incomplete, with what is missing,
and its figure is marked as covering only part of the parent.
"""

from __future__ import annotations

import pandas as pd

from ..geography.code_history import PREDECESSORS, RECODED
from .state import Build

OLD_CODES: dict[str, set[str]] = {}
for _old, _new in RECODED.items():
    OLD_CODES.setdefault(_new, set()).add(_old)


def covered(district: str, present: set[str]) -> bool:
    if district in present or OLD_CODES.get(district, set()) & present:
        return True
    olds = PREDECESSORS.get(district)
    return bool(olds) and all(covered(o, present) for o in olds)


def completeness(b: Build, districts: pd.DataFrame, counted: pd.DataFrame) -> None:
    premises = (counted[counted["indicator"] == "sfbb"].sort_values("release")
                .drop_duplicates("area_code", keep="last").set_index("area_code")["denominator"])
    current = set(b.layers.layers["lad"].codes)
    parents = {code: [d for d in b.hierarchy.members(code) if d in current] for code in b.hierarchy.names}
    by_district = premises.to_dict()
    # each parent's premises by member district, the same for every release (worked out once)
    weights_of = {parent: {d: float(by_district.get(d, 0.0)) for d in members}
                  for parent, members in parents.items() if members}
    totals = {parent: sum(weights.values()) for parent, weights in weights_of.items()}
    incomplete = 0
    shares = []
    for (rid, ind), part in districts.groupby(["release_id", "indicator"]):
        present = set(part["area_code"])
        release = part["release"].iloc[0]
        for parent, members in parents.items():
            if not members:
                continue
            weights, total = weights_of[parent], totals[parent]
            missing = [d for d in members if not covered(d, present)]
            if not total or len(missing) == len(members):
                continue  # a release that does not reach this parent at all (e.g. a regional file)
            share = 1 - sum(weights[d] for d in missing) / total
            shares.append((rid, release, ind, parent, share))
            if missing:
                incomplete += 1
                b.finding("incomplete-parent", f"{parent} {rid} {ind}",
                          f"children with figures cover {100 * share:.1f}% of {b.hierarchy.names[parent][0]}'s "
                          f"premises; no figure for {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}",
                          len(missing))
    b.completeness = pd.DataFrame(shares, columns=["release_id", "release", "indicator", "area_code", "share"])
    b.finding("parent-coverage", "all parents",
              "parent figures (region, combined authority, nation, ...) whose children cover all of their "
              "premises", sum(1 for s in shares if s[4] >= 1.0))
