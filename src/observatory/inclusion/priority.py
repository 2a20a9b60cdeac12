"""The priority list: where to act first, and why.

Councils work in wards, so the list is by ward by default. Order (the publisher asks that the
likelihood be paired with impact and local knowledge):
  1. high risk (the top 10% by index) with no support hub within reach;
  2. high risk with a hub within reach;
  3. the rest;
within each group, highest index first. Every row carries what an officer needs to weigh it: the
index and its components, how robust its place is to the weights, the nearest hub (straight line),
and how many residents are aged 75 and over (Census 2021), the group the index's age indicators
stand for. The list can be sorted by any of these instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ObservatoryError
from .model import CAUTIONS, ILLUSTRATIVE_GAPS, Result
from .sensitivity import phrase

SORTS = ("priority", "index", "distance", "aged_75", "name")
TIERS = {1: "high risk, no hub within reach", 2: "high risk, hub within reach", 3: "lower risk"}
COLUMNS = ("rank", "code", "name", "district", "index", "tier", "high_risk", "confidence", "rank_low", "rank_high",
           "nearest_hub", "nearest_hub_m", "hubs_within", "residents_in_reach_pct", "residents", "aged_75_plus",
           "aged_75_plus_pct")


def _list(values: np.ndarray, places: int) -> list[float | None]:
    """Rounded Python floats (None for NaN), converted in one pass: per-element numpy scalars
    would cost tens of milliseconds over 1,404 LSOAs."""
    arr = np.round(np.asarray(values, dtype=float), places)
    return [None if v != v else v for v in arr.tolist()]


def tiers(result: Result) -> np.ndarray:
    """1 high risk with no hub within reach, 2 high risk, 3 the rest (per area)."""
    m = result.model
    reach = m.hubs.reach.get(result.level) if m.hubs else None
    high = result.high_risk
    if reach is None:
        return np.where(high, 2, 3)
    none = np.array([not w for w in reach.within])
    return np.where(high & none, 1, np.where(high, 2, 3))


def order(result: Result, sort: str = "priority") -> np.ndarray:
    """Area positions in list order (numpy, so a top 20 never builds 1,404 rows)."""
    if sort not in SORTS:
        raise ObservatoryError(f"Unknown sort '{sort}'. Sort by one of: {', '.join(SORTS)}.")
    d, m = result.data, result.model
    names = np.char.lower(d.names.astype(str))
    index = np.nan_to_num(result.combined.index, nan=-np.inf)
    if sort == "priority":
        return np.lexsort((names, -index, tiers(result)))
    if sort == "index":
        return np.lexsort((names, -index))
    if sort == "distance":
        reach = m.hubs.reach.get(result.level) if m.hubs else None
        dist = np.nan_to_num(reach.distance_m, nan=-np.inf) if reach is not None else np.zeros(len(names))
        return np.lexsort((names, -dist))
    if sort == "aged_75":
        return np.lexsort((names, -d.aged_75))
    return np.lexsort((d.codes.astype(str), names))


def rows(result: Result, which: np.ndarray | None = None) -> list[dict[str, Any]]:
    """One row per area: all in the level's order, or those at the positions `which`, in that order."""
    m, d = result.model, result.data
    n = len(d.codes)
    reach = m.hubs.reach.get(result.level) if m.hubs else None
    sens = result.sensitivity
    index = _list(result.combined.index, 2)
    comps = {c: _list(result.combined.components[:, k], 2) for k, c in enumerate(m.component_names)}
    rank = result.combined.rank.tolist()
    high = result.high_risk.tolist()
    residents = d.residents.astype(int).tolist()
    aged = d.aged_75.astype(int).tolist()
    with np.errstate(invalid="ignore", divide="ignore"):
        aged_pct = _list(100 * d.aged_75 / np.where(d.residents > 0, d.residents, np.nan), 1)
    near = reach.nearest.tolist() if reach is not None else [-1] * n
    dist = _list(reach.distance_m, 0) if reach is not None else [None] * n
    within = [len(w) for w in reach.within] if reach is not None else [0] * n
    served = _list(100 * reach.residents_in_reach, 1) if reach is not None and reach.residents_in_reach is not None \
        else [None] * n
    hubs = m.hubs.hubs if m.hubs else []
    if sens is not None:
        share = _list(sens.share_in_top, 3)
        low, top = sens.rank_low.tolist(), sens.rank_high.tolist()
    tier_of = tiers(result).tolist()
    out = []
    for a in (range(n) if which is None else which.tolist()):
        tier = tier_of[a]
        lad = str(d.lad[a])
        hub = hubs[near[a]] if near[a] >= 0 else None
        row = {
            "rank": rank[a], "code": str(d.codes[a]), "name": str(d.names[a]), "district": lad,
            "district_name": m.raw.lad_names.get(lad, lad), "index": index[a],
            "components": {c: v[a] for c, v in comps.items()}, "high_risk": high[a], "tier": tier,
            "tier_text": TIERS[tier], "residents": residents[a], "aged_75_plus": aged[a],
            "aged_75_plus_pct": aged_pct[a], "nearest_hub": hub.name if hub else None,
            "nearest_hub_kind": hub.kind if hub else None, "nearest_hub_m": dist[a], "hubs_within": within[a],
            "residents_in_reach_pct": served[a],
        }
        if sens is not None:
            row.update(confidence=share[a], rank_low=low[a], rank_high=top[a],
                       confidence_text=phrase(share[a], m.cfg.high_risk_share))
        out.append(row)
    return out


def methodology(result: Result) -> dict[str, Any]:
    """Every indicator with its source, direction, weight and comparison area; every substitute
    with its reason; every missing indicator."""
    m = result.model
    w = result.weights
    prov = {p["indicator"]: p for p in m.raw.provenance}
    indicators = []
    for j, spec in enumerate(m.cfg.indicators):
        indicators.append({
            "id": spec.id, "label": spec.label, "component": spec.component, "weight": w.indicators[spec.id],
            "direction": "lower value = more risk (scale reversed)" if spec.direction == "lower" else
                         "higher value = more risk",
            "published": spec.published, "substitute_for": spec.substitute_for, "reason": spec.reason,
            "compared_within": result.scaled.effective[j], **{k: prov[spec.id][k] for k in
                                                              ("publisher", "release", "release_id", "vintage", "synthetic")},
        })
    return {
        "method": "GMCA Digital Exclusion Risk Index (v1.2+ weights): min-max 0-10 within the comparison area, "
                  "reversed where lower means more risk; weighted means into components and the index.",
        "components": [{"id": c, "weight": w.components[c]} for c in m.component_names],
        "indicators": indicators,
        "substitutes": [i for i in indicators if i["substitute_for"]],
        "missing": [{"indicator": x.indicator, "component": x.component, "weight": x.weight, "reason": x.reason}
                    for x in m.cfg.missing],
        "weights_from": w.source,
        "high_risk": f"the top {100 * m.cfg.high_risk_share:.0f}% of areas by index",
        "hub_distance_m": m.cfg.hub_distance_m,
        "hubs": m.hubs.sources if m.hubs else [],
        "distance": "straight line on the British National Grid from the area's population-weighted centre "
                    "(LSOA: mean of its postcode centroids; ward and district: LSOA centres weighted by "
                    "residents), not travel time",
    }


def view(result: Result, sort: str = "priority", top: int | None = None) -> dict[str, Any]:
    """Everything an output shows: the list, the method, the cautions and the notes."""
    positions = order(result, sort)
    table = rows(result, positions[:top] if top else positions)
    tier = tiers(result)
    m = result.model
    data = {
        "level": result.level, "comparison": result.comparison, "mode": result.mode, "sort": sort,
        "weights": {"components": result.weights.components, "indicators": result.weights.indicators},
        "areas_total": len(positions),
        "high_risk": int(result.high_risk.sum()),
        "high_risk_no_hub": int((tier == 1).sum()),
        "areas": table,
        "methodology": methodology(result),
        "cautions": list(CAUTIONS),
        "notes": list(dict.fromkeys(result.notes)),
        "illustrative": m.illustrative,
    }
    if result.mode == "absolute":
        base = m.baseline()
        data["baseline"] = {"file": m.cfg.baseline.name, "saved": base.get("saved"),
                            "note": "scores against the minima and maxima saved then; values beyond them are held "
                                    "at 0 or 10"}
    if result.sensitivity is not None:
        s = result.sensitivity
        data["sensitivity"] = {"draws": s.draws, "seed": s.seed, "concentration": s.concentration,
                               "top_n": s.top_n, "rank_interval": "5th to 95th percentile of rank over the draws"}
    if m.illustrative:
        data["illustrative_note"] = ILLUSTRATIVE_GAPS
    return data
