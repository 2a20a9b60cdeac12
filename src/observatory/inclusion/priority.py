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

from .model import CAUTIONS, ILLUSTRATIVE_GAPS, Result
from .sensitivity import phrase

SORTS = ("priority", "index", "distance", "aged_75", "name")
TIERS = {1: "high risk, no hub within reach", 2: "high risk, hub within reach", 3: "lower risk"}
COLUMNS = ("rank", "code", "name", "district", "index", "tier", "high_risk", "confidence", "rank_low", "rank_high",
           "nearest_hub", "nearest_hub_m", "hubs_within", "residents", "aged_75_plus", "aged_75_plus_pct")


def _r(v: float, places: int = 2) -> float | None:
    return None if v is None or not np.isfinite(v) else round(float(v), places)


def rows(result: Result) -> list[dict[str, Any]]:
    """One row per area, in the level's order."""
    m, d = result.model, result.data
    reach = m.hubs.reach.get(result.level) if m.hubs else None
    sens = result.sensitivity
    out = []
    for a in range(len(d.codes)):
        within = reach.within[a] if reach else []
        near = int(reach.nearest[a]) if reach is not None else -1
        high = bool(result.high_risk[a])
        tier = 1 if high and reach is not None and not within else 2 if high else 3
        row = {
            "rank": int(result.combined.rank[a]),
            "code": str(d.codes[a]),
            "name": str(d.names[a]),
            "district": str(d.lad[a]),
            "district_name": m.raw.lad_names.get(str(d.lad[a]), str(d.lad[a])),
            "index": _r(result.combined.index[a]),
            "components": {c: _r(result.combined.components[a, k]) for k, c in enumerate(m.component_names)},
            "high_risk": high,
            "tier": tier,
            "tier_text": TIERS[tier],
            "residents": int(d.residents[a]),
            "aged_75_plus": int(d.aged_75[a]),
            "aged_75_plus_pct": _r(100 * d.aged_75[a] / d.residents[a], 1) if d.residents[a] else None,
            "nearest_hub": m.hubs.hubs[near].name if near >= 0 else None,
            "nearest_hub_kind": m.hubs.hubs[near].kind if near >= 0 else None,
            "nearest_hub_m": _r(reach.distance_m[a], 0) if reach is not None else None,
            "hubs_within": len(within),
        }
        if sens is not None:
            row.update(confidence=_r(sens.share_in_top[a], 3), rank_low=int(sens.rank_low[a]),
                       rank_high=int(sens.rank_high[a]),
                       confidence_text=phrase(sens.share_in_top[a], m.cfg.high_risk_share))
        out.append(row)
    return out


def ordered(table: list[dict[str, Any]], sort: str = "priority") -> list[dict[str, Any]]:
    if sort not in SORTS:
        from ..errors import ObservatoryError

        raise ObservatoryError(f"Unknown sort '{sort}'. Sort by one of: {', '.join(SORTS)}.")
    key = {
        "priority": lambda r: (r["tier"], -(r["index"] or 0), r["name"]),
        "index": lambda r: (-(r["index"] or 0), r["name"]),
        "distance": lambda r: (-(r["nearest_hub_m"] or 0), r["name"]),
        "aged_75": lambda r: (-r["aged_75_plus"], r["name"]),
        "name": lambda r: (r["name"].lower(), r["code"]),
    }[sort]
    return sorted(table, key=key)


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
    table = ordered(rows(result), sort)
    m = result.model
    data = {
        "level": result.level, "comparison": result.comparison, "mode": result.mode, "sort": sort,
        "weights": {"components": result.weights.components, "indicators": result.weights.indicators},
        "areas_total": len(table),
        "high_risk": sum(r["high_risk"] for r in table),
        "high_risk_no_hub": sum(r["tier"] == 1 for r in table),
        "areas": table[:top] if top else table,
        "methodology": methodology(result),
        "cautions": list(CAUTIONS),
        "notes": list(dict.fromkeys(result.notes)),
        "illustrative": m.illustrative,
    }
    if result.sensitivity is not None:
        s = result.sensitivity
        data["sensitivity"] = {"draws": s.draws, "seed": s.seed, "concentration": s.concentration,
                               "top_n": s.top_n, "rank_interval": "5th to 95th percentile of rank over the draws"}
    if m.illustrative:
        data["illustrative_note"] = ILLUSTRATIVE_GAPS
    return data
