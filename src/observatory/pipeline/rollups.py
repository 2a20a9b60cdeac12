"""Build steps that derive figures: roll-ups to parents, and suppression of small cells."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..geography.code_history import PREDECESSORS, SUCCESSOR
from ..indicators.rollup import nearest_weights, roll_up, roll_up_weighted
from ..levels import ABOVE_DISTRICT
from ..store.schema import FACT_COLUMNS
from .completeness import completeness
from .state import Build, isin
from .suppression import audit


def roll_up_all(b: Build) -> None:
    """Every derived figure: small areas from output areas, parents of districts from districts."""
    published = _published(b.facts, ["oa", "lad"])
    _small_areas(b, published[published["level"] == "oa"])
    districts = published[published["level"] == "lad"]
    links = b.links[isin(b.links["child"], districts["area_code"]) & isin(b.links["parent_level"], ABOVE_DISTRICT)]
    counted = districts.dropna(subset=["numerator", "denominator"])
    _districts_counted(b, counted, links)
    _districts_weighted(b, districts[districts["numerator"].isna()], counted, links)
    completeness(b, districts, counted)


def _published(frames: list[pd.DataFrame], levels: list[str]) -> pd.DataFrame:
    """The published figures at these levels. Only the frames that hold any are joined (each
    source's reader adds a frame per release and level), so the million postcode figures, which
    are never rolled up, are not copied."""
    wanted = [f for f in frames if len(f) and isin(pd.Series(f["level"].unique()), levels).any()]
    facts = pd.concat(wanted, ignore_index=True) if wanted else pd.DataFrame(columns=FACT_COLUMNS)
    return facts[((facts["method"] == "published") & isin(facts["level"], levels)).to_numpy()]


def _small_areas(b: Build, oa: pd.DataFrame) -> None:
    """Output-area counts up to LSOA, MSOA, ward and district. Never postcodes: their files carry
    percentages only, and a percentage is not summed."""
    if oa.empty:
        return
    links = b.links[isin(b.links["child"], oa["area_code"]) & isin(b.links["parent_level"], ["lsoa", "msoa", "ward", "lad"])]
    _add_rolled(b, roll_up(oa, links))  # each release on its own (by release_id)


def _districts_counted(b: Build, counted: pd.DataFrame, links: pd.DataFrame) -> None:
    """Districts with premises counts up to the combined authority, nations and the UK."""
    _add_rolled(b, roll_up(_without_superseded(b, counted), links))


def _districts_weighted(b: Build, pct_only: pd.DataFrame, counted: pd.DataFrame, links: pd.DataFrame) -> None:
    """Districts with percentages only (the ONS series, take-up): weighted by the nearest counts.
    Every release of an indicator is rolled up at once (by release_id); what check is told is
    still said release by release."""
    all_premises = counted[counted["indicator"] == "sfbb"][["area_code", "release", "denominator"]]
    weights_by_denominator = {
        # take-up of full-fibre coverage is over premises with full fibre available
        "full_fibre_takeup": counted[counted["indicator"] == "full_fibre"][["area_code", "release", "numerator"]]
        .rename(columns={"numerator": "weight"}),
    }
    for ind, part in pct_only.groupby("indicator"):
        w = weights_by_denominator.get(ind, all_premises.rename(columns={"denominator": "weight"}))
        with_w = _without_superseded(b, nearest_weights(part, _with_predecessor_weights(w)))
        rolled, missing = roll_up_weighted(with_w, links)
        _add_rolled(b, rolled)
        no_weight = missing.groupby("release_id")["child"].nunique()
        approximated = pd.Series(isin(with_w["area_code"], set(SUCCESSOR))
                                 & ~isin(with_w["area_code"], counted["area_code"])).groupby(
                                     with_w["release_id"].to_numpy()).sum()
        for rid in sorted(set(with_w["release_id"])):
            if no_weight.get(rid, 0):
                b.finding("no-weight", rid,
                          f"districts with {ind} but no premises count in any release, left out of parents",
                          no_weight[rid])
            if approximated.get(rid, 0):
                b.finding("approximated-weight", rid,
                          f"abolished districts in the {ind} parents, each weighted by an equal share of "
                          "its successor's premises count (their own counts were never published)",
                          approximated[rid])


def _with_predecessor_weights(weights: pd.DataFrame) -> pd.DataFrame:
    """Weights for abolished districts that no loaded release counts on their own: an equal share
    of their successor's count.

    With Ofcom's September tables loaded (2018-2023 list the districts abolished in 2023 with
    their own counts) this is never needed for them; it keeps a workspace with only newer tables
    right in total, erring only in the split between predecessors.
    """
    rows = []
    own = set(weights["area_code"])
    for old, new in SUCCESSOR.items():
        if old in own:
            continue
        successor = weights[weights["area_code"] == new]
        rows.append(successor.assign(area_code=old, weight=successor["weight"] / len(PREDECESSORS[new])))
    return pd.concat([weights, *rows], ignore_index=True)


def _without_superseded(b: Build, facts: pd.DataFrame) -> pd.DataFrame:
    """A release that gives both abolished districts and their successor counts only the successor."""
    abolished = isin(facts["area_code"], set(SUCCESSOR))
    superseded = np.zeros(len(facts), dtype=bool)
    if abolished.any():
        rids, codes = facts["release_id"].to_numpy(dtype=object), facts["area_code"].to_numpy(dtype=object)
        successor = isin(facts["area_code"], set(SUCCESSOR.values()))
        present = set(zip(rids[successor], codes[successor], strict=True))
        for i in np.flatnonzero(abolished):
            superseded[i] = any((rids[i], code) in present for code in _successors(codes[i]))
    for rid, n in pd.Series(superseded).groupby(facts["release_id"].to_numpy()).sum().items():
        if n:
            b.finding("superseded-district", rid, "abolished districts given beside their successor: "
                      "shown as published, left out of parents so no premises count twice", int(n))
    return facts[~superseded]


def _successors(code: str) -> set[str]:
    out = set()
    while code in SUCCESSOR:
        code = SUCCESSOR[code]
        out.add(code)
    return out


def _add_rolled(b: Build, rolled: pd.DataFrame) -> None:
    if rolled.empty:
        return
    b.facts.append(rolled.assign(suppressed=False)[FACT_COLUMNS])


def suppress(b: Build) -> None:
    """Hide figures over fewer premises than the workspace's threshold, after every roll-up, and
    enough others that no hidden figure can be recovered by subtraction (pipeline.suppression).

    The hidden cells' counts are dropped from the store itself (not only from outputs), so no query
    can reveal them; their parents were rolled up before this step and still include them.

    Only figures with a count of premises can be hidden, or hide another (audit works on them
    alone): the frames without one (the postcodes' percentages, nine in ten of all figures) are
    left as they are, and the others are put back where they were, so the figures keep their order.
    """
    threshold = b.ws.suppress_below
    counted = [i for i, frame in enumerate(b.facts) if frame["denominator"].notna().any()]
    facts = pd.concat([b.facts[i] for i in counted], ignore_index=True) if counted else \
        pd.DataFrame(columns=FACT_COLUMNS)
    small = (facts["denominator"].notna() & (facts["denominator"] < threshold)).to_numpy()
    outcome = audit(facts, b.links, small) if small.any() else None
    hidden, added = (outcome.mask, outcome.added) if outcome else (small, 0)
    if outcome and (outcome.exposed or outcome.uncertified):
        b.finding("suppression-unprotected", "all levels",
                  "hidden figures complementary suppression could not protect to +/-10% (or at all)",
                  outcome.exposed + outcome.uncertified)
    facts["suppressed"] = hidden
    facts.loc[hidden, ["numerator", "denominator", "value"]] = float("nan")
    start = 0
    for i in counted:  # each frame back in its place
        end = start + len(b.facts[i])
        b.facts[i] = facts.iloc[start:end]
        start = end
    counts = facts[small].groupby("level")["area_code"].nunique()
    for level, n in counts.items():
        b.finding("suppressed", level,
                  f"areas with fewer than {threshold} premises: figures suppressed, still counted in parents", n)
    if counts.empty:
        b.finding("suppressed", "all levels", f"no area has fewer than {threshold} premises: nothing suppressed", 0)
    primary_areas = set(facts.loc[small, "area_code"])
    only_secondary = facts[hidden & ~isin(facts["area_code"], primary_areas)]
    for level, n in only_secondary.groupby("level")["area_code"].nunique().items():
        b.finding("suppressed-complementary", level,
                  "areas also suppressed so that no suppressed figure can be worked out from any combination "
                  "of published totals, nor narrowed to within 10% (complementary suppression)", n)
