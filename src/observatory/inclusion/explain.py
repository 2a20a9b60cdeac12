"""One area's profile: why it scores what it scores.

For each indicator: the raw value with its release and vintage, the comparison area's bounds, the
0-10 score, and its contribution to the index, which is
    score * (indicator weight / its component's weights) * (component weight / all component weights)
so that the contributions add up to the index (weights of indicators or components without a figure
for the area are left out of the sums, as in the index itself).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import NotFoundError
from .model import CAUTIONS, ILLUSTRATIVE_GAPS, Model, Result
from .priority import methodology, rows
from .sensitivity import phrase


def find(model: Model, code: str) -> tuple[str, int]:
    wanted = code.strip().upper()
    for level, data in model.levels.items():
        hits = np.flatnonzero(data.codes == wanted)
        if len(hits):
            return level, int(hits[0])
    raise NotFoundError(f"No LSOA, ward or district with code '{code}' in the exclusion-risk index. Give an LSOA "
                        "2021 code (E01...), a May 2025 ward code (E05...) or a district code (E08...).")


def explain(model: Model, code: str, comparison: str | None = None, mode: str = "relative",
            weights=None) -> dict[str, Any]:
    level, a = find(model, code)
    result = model.compute(level, comparison, mode, weights, sensitivity=True)
    row = rows(result, np.array([a]))[0]
    s = result.scaled
    iw, cw = model.weight_arrays(result.weights)
    have = ~np.isnan(s.scores[a])
    comps = result.combined.components[a]
    chave = ~np.isnan(comps) & (cw > 0)
    csum = cw[chave].sum()
    prov = {p["indicator"]: p for p in model.raw.provenance}
    indicators = []
    for j, spec in enumerate(model.cfg.indicators):
        c = model.component_of[j]
        members = (model.component_of == c) & have
        wsum = iw[members].sum()
        share = (iw[j] / wsum if wsum > 0 and have[j] else 0.0) * (cw[c] / csum if chave[c] and csum else 0.0)
        indicators.append({
            "id": spec.id, "label": spec.label, "component": spec.component,
            "value": _r(result.data.values[a, j], 3), "min": _r(s.lo[a, j], 3), "max": _r(s.hi[a, j], 3),
            "compared_within": s.effective[j], "comparison_area": str(s.groups[j][a]),
            "direction": spec.direction, "score": _r(s.scores[a, j]), "weight": float(iw[j]),
            "contribution": _r(s.scores[a, j] * share if have[j] else np.nan, 3),
            "substitute_for": spec.substitute_for, "reason": spec.reason,
            "release": prov[spec.id]["release"], "release_id": prov[spec.id]["release_id"],
            "vintage": prov[spec.id]["vintage"], "synthetic": prov[spec.id]["synthetic"],
        })
    components = []
    for k, name in enumerate(model.component_names):
        components.append({"id": name, "score": _r(comps[k]), "weight": float(cw[k]),
                           "contribution": _r(comps[k] * cw[k] / csum if chave[k] else np.nan, 3)})
    reach = model.hubs.reach.get(level) if model.hubs else None
    hubs_near = []
    if reach is not None:
        for h in reach.within[a][:20]:
            hub = model.hubs.hubs[h]
            d = float(np.hypot(hub.x - reach.x[a], hub.y - reach.y[a]))
            hubs_near.append(dict(hub.as_dict(), distance_m=round(d)))
    sens = result.sensitivity
    inside = []
    if level != "lsoa":
        parent = model.raw.ward if level == "ward" else model.raw.lad
        inside = [str(c) for c in model.raw.codes[parent == row["code"]]]
    data = {
        "area": {"code": row["code"], "name": row["name"], "level": level, "district": row["district"],
                 "district_name": row["district_name"], "lsoas": inside},
        "level": level, "comparison": result.comparison, "mode": mode, "row": row,
        "index": row["index"], "rank": row["rank"], "of": row["of"], "ranked_within": row["ranked_within"],
        "rank_text": row["rank_text"], "reason": row["reason"],
        "components": components, "indicators": indicators,
        "confidence_text": phrase(sens.share_in_top[a], model.cfg.high_risk_share, row["high_risk"]) if sens else None,
        "left_out": _left_out(result, a, row),
        "hubs_within": hubs_near, "hub_distance_m": model.cfg.hub_distance_m,
        "centre": {"easting": _r(reach.x[a], 0), "northing": _r(reach.y[a], 0),
                   "method": str(reach.centre_method[a])} if reach is not None else None,
        "methodology": methodology(result), "cautions": list(CAUTIONS),
        "notes": list(dict.fromkeys(result.notes)), "illustrative": model.illustrative,
    }
    if model.illustrative:
        data["illustrative_note"] = ILLUSTRATIVE_GAPS
    return data


def _left_out(result: Result, a: int, row: dict[str, Any]) -> list[dict[str, Any]]:
    """The area's rank with each input domain left out in turn, and without the illustrative
    inputs: what its place rests on (beside the re-weighting figure, which only moves weights)."""
    out = [{"without": name, "indicators": x.indicators, "rank": int(x.rank[a]), "high_risk": bool(x.high_risk[a]),
            "index": _r(x.index[a]), "illustrative": False} for name, x in result.domain_out.items()]
    w = result.without_illustrative
    if w is not None:
        out.append({"without": "the illustrative inputs", "indicators": w.indicators, "rank": int(w.rank[a]),
                    "high_risk": bool(w.high_risk[a]), "index": _r(w.index[a]), "illustrative": True})
    for x in out:
        x["text"] = (f"rank {x['rank']} of {row['of']:,}, " + ("still high risk" if x["high_risk"] else "not high risk")
                     if x["index"] is not None else "no index")
    return out


def _r(v: float, places: int = 2) -> float | None:
    return None if v is None or not np.isfinite(v) else round(float(v), places)
