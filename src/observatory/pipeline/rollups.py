"""Build steps that derive figures: roll-ups to parents, and suppression of small cells."""

from __future__ import annotations

import pandas as pd

from ..geography.code_history import PREDECESSORS, SUCCESSOR
from ..indicators.rollup import nearest_weights, roll_up, roll_up_weighted
from ..levels import ABOVE_DISTRICT
from .completeness import completeness
from .state import FACT_COLUMNS, Build, isin
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
    for rid, part in oa.groupby("release_id"):
        _add_rolled(b, roll_up(part, links), rid)


def _districts_counted(b: Build, counted: pd.DataFrame, links: pd.DataFrame) -> None:
    """Districts with premises counts up to the combined authority, nations and the UK."""
    for rid, part in counted.groupby("release_id"):
        _add_rolled(b, roll_up(_without_superseded(b, part, rid), links), rid)


def _districts_weighted(b: Build, pct_only: pd.DataFrame, counted: pd.DataFrame, links: pd.DataFrame) -> None:
    """Districts with percentages only (the ONS series, take-up): weighted by the nearest counts."""
    all_premises = counted[counted["indicator"] == "sfbb"][["area_code", "release", "denominator"]]
    weights_by_denominator = {
        # take-up of full-fibre coverage is over premises with full fibre available
        "full_fibre_takeup": counted[counted["indicator"] == "full_fibre"][["area_code", "release", "numerator"]]
        .rename(columns={"numerator": "weight"}),
    }
    for ind, part in pct_only.groupby("indicator"):
        w = weights_by_denominator.get(ind, all_premises.rename(columns={"denominator": "weight"}))
        with_w = nearest_weights(part, _with_predecessor_weights(w))
        for rid, rpart in with_w.groupby("release_id"):
            rpart = _without_superseded(b, rpart, rid)
            rolled, missing = roll_up_weighted(rpart, links)
            _add_rolled(b, rolled, rid)
            if len(missing):
                b.finding("no-weight", rid,
                          f"districts with {ind} but no premises count in any release, left out of parents",
                          missing["child"].nunique())
            approximated = (isin(rpart["area_code"], set(SUCCESSOR)) & ~isin(rpart["area_code"], counted["area_code"])).sum()
            if approximated:
                b.finding("approximated-weight", rid,
                          f"abolished districts in the {ind} parents, each weighted by an equal share of "
                          "its successor's premises count (their own counts were never published)",
                          approximated)


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


def _without_superseded(b: Build, part: pd.DataFrame, release_id: str) -> pd.DataFrame:
    """A release that gives both abolished districts and their successor counts only the successor."""
    present = set(part["area_code"])
    superseded = part["area_code"].map(lambda c: bool(_successors(c) & present))
    if superseded.any():
        b.finding("superseded-district", release_id, "abolished districts given beside their successor: "
                  "shown as published, left out of parents so no premises count twice", int(superseded.sum()))
    return part[~superseded.to_numpy()]


def _successors(code: str) -> set[str]:
    out = set()
    while code in SUCCESSOR:
        code = SUCCESSOR[code]
        out.add(code)
    return out


def _add_rolled(b: Build, rolled: pd.DataFrame, release_id: str) -> None:
    if rolled.empty:
        return
    b.facts.append(rolled.assign(release_id=release_id, suppressed=False)[FACT_COLUMNS])


def suppress(b: Build) -> None:
    """Hide figures over fewer premises than the workspace's threshold, after every roll-up, and
    enough others that no hidden figure can be recovered by subtraction (pipeline.suppression).

    The hidden cells' counts are dropped from the store itself (not only from outputs), so no query
    can reveal them; their parents were rolled up before this step and still include them.
    """
    threshold = b.ws.suppress_below
    facts = pd.concat(b.facts, ignore_index=True)
    small = (facts["denominator"].notna() & (facts["denominator"] < threshold)).to_numpy()
    outcome = audit(facts, b.links, small) if small.any() else None
    hidden, added = (outcome.mask, outcome.added) if outcome else (small, 0)
    if outcome and (outcome.exposed or outcome.uncertified):
        b.finding("suppression-unprotected", "all levels",
                  "hidden figures complementary suppression could not protect to +/-10% (or at all)",
                  outcome.exposed + outcome.uncertified)
    facts["suppressed"] = hidden
    facts.loc[hidden, ["numerator", "denominator", "value"]] = float("nan")
    b.facts = [facts]
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
