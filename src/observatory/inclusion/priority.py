"""The priority list: where to act first, and why.

Councils work in wards, so the list is by ward by default. Order (the publisher asks that the
likelihood be paired with impact and local knowledge):
  1. high risk (the top 10% by index) with no support hub within reach;
  2. high risk with a hub within reach;
  3. the rest;
within each group, highest index first. Every row carries what an officer needs to weigh it: the
index and its components, how robust its place is to the weights, the nearest hub (straight line),
and how many residents are aged 75 and over (Census 2021), the group the index's age indicators
stand for. The list can be sorted by any of these instead, narrowed to one district and searched.

Ranks are within the comparison group: compared within each district, a ward is "rank 3 of 30
wards in Bradford" and each district's top 10% are its high-risk wards. Each row also says in one
sentence why the area scores what it scores, whether it rests on illustrative inputs (and whether
it would stay high risk without them), and its rank with each input domain left out in turn.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import NotFoundError, ObservatoryError
from . import reasons
from .model import CAUTIONS, ILLUSTRATIVE_GAPS, Result
from .sensitivity import phrase

SORTS = ("priority", "index", "district", "distance", "aged_75", "name")
NOUNS = {"lsoa": ("LSOA", "LSOAs"), "ward": ("ward", "wards"), "lad": ("district", "districts")}
TIERS = {1: "high risk, no hub within reach", 2: "high risk, hub within reach", 3: "lower risk"}
COLUMNS = ("rank", "of", "ranked_within", "code", "name", "district", "district_name", "index", "tier", "high_risk",
           "reason", "confidence", "rank_low", "rank_high", "illustrative_inputs", "high_risk_without_illustrative",
           "rank_without_illustrative", "nearest_hub", "nearest_hub_m", "hubs_within", "residents_in_reach_pct",
           "residents", "aged_75_plus", "aged_75_plus_pct")


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
    if sort == "district":
        districts = np.char.lower(np.array([m.raw.lad_names.get(str(c), str(c)) for c in d.lad], dtype=str))
        return np.lexsort((names, -index, tiers(result), districts))
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
    rank, of = result.rank.tolist(), result.of.tolist()
    noun = NOUNS[result.level][1]
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
    why = Reasons(result)
    out = []
    for a in (range(n) if which is None else which.tolist()):
        tier = tier_of[a]
        lad = str(d.lad[a])
        hub = hubs[near[a]] if near[a] >= 0 else None
        place = result.group_names.get(str(result.group[a]), str(result.group[a]))
        row = {
            "rank": rank[a], "of": of[a], "ranked_within": place,
            "rank_text": f"rank {rank[a]} of {of[a]:,} {noun} in {place}",
            "code": str(d.codes[a]), "name": str(d.names[a]), "district": lad,
            "district_name": m.raw.lad_names.get(lad, lad), "index": index[a],
            "components": {c: v[a] for c, v in comps.items()}, "high_risk": high[a], "tier": tier,
            "tier_text": TIERS[tier], "residents": residents[a], "aged_75_plus": aged[a],
            "aged_75_plus_pct": aged_pct[a], "nearest_hub": hub.name if hub else None,
            "nearest_hub_kind": hub.kind if hub else None, "nearest_hub_m": dist[a], "hubs_within": within[a],
            "residents_in_reach_pct": served[a], "reason": why.sentence(a),
            **why.inputs(a),
        }
        if sens is not None:
            row.update(confidence=share[a], rank_low=low[a], rank_high=top[a],
                       confidence_text=phrase(share[a], m.cfg.high_risk_share, high[a]))
        out.append(row)
    return out


class Reasons:
    """Per area: the one-line reason, and what its place rests on (illustrative inputs; each
    input domain left out in turn)."""

    def __init__(self, result: Result) -> None:
        m = self.model = result.model
        self.result = result
        s = result.scaled.scores
        self.iw, cw = m.weight_arrays(result.weights)
        self.share = reasons.shares(s, self.iw, m.component_of, cw)
        self.themes = [reasons.theme(i) for i in m.cfg.indicators]
        self.synthetic = np.array([bool(p["synthetic"]) for p in m.raw.provenance])
        self.illustrative = result.illustrative_inputs
        w = result.without_illustrative
        self.without = (w.rank.tolist(), w.high_risk.tolist()) if w is not None else None
        self.out = {name: (x.rank.tolist(), x.high_risk.tolist()) for name, x in result.domain_out.items()}

    def sentence(self, a: int) -> str:
        r = self.result
        if np.isnan(r.combined.index[a]):
            return "No index: none of its inputs has a figure here."
        found = reasons.themes_of(r.scaled.scores[a], self.share[a], self.iw, self.themes, self.synthetic)
        return reasons.sentence(bool(r.high_risk[a]), found)

    def inputs(self, a: int) -> dict[str, Any]:
        out: dict[str, Any] = {"illustrative_inputs": bool(self.illustrative[a])}
        if self.without is not None:
            out.update(rank_without_illustrative=self.without[0][a],
                       high_risk_without_illustrative=self.without[1][a])
        out["rank_without"] = {name: ranks[a] for name, (ranks, _) in self.out.items()}
        out["high_risk_without"] = {name: highs[a] for name, (_, highs) in self.out.items()}
        return out


def methodology(result: Result) -> dict[str, Any]:
    """Every indicator with its source, direction, weight and comparison area; every substitute
    with its reason; every missing indicator."""
    m = result.model
    w = result.weights
    prov = {p["indicator"]: p for p in m.raw.provenance}
    whose = "each district's areas" if result.comparison == "lad" else "areas"
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
        "high_risk": f"the top {100 * m.cfg.high_risk_share:.0f}% of {whose} by index",
        "top_share_text": f"{100 * m.cfg.high_risk_share:.0f}%",
        "hub_distance_m": m.cfg.hub_distance_m,
        "hubs": m.hubs.sources if m.hubs else [],
        "distance": "straight line on the British National Grid from the area's population-weighted centre "
                    "(LSOA: mean of its postcode centroids; ward and district: LSOA centres weighted by "
                    "residents), not travel time",
    }


def positions(result: Result, sort: str = "priority", within: str | None = None, q: str | None = None) -> np.ndarray:
    """Area positions in list order, narrowed to one district (`within`, a district code) and to
    the areas whose name or code contains `q`."""
    found = order(result, sort)
    d = result.data
    if within:
        districts = {str(c) for c in d.lad}
        if within not in districts:
            names = result.model.raw.lad_names
            raise NotFoundError(f"No district '{within}' in the list. Districts: "
                                + ", ".join(f"{names.get(c, c)} ({c})" for c in sorted(districts)) + ".")
        found = found[d.lad[found].astype(str) == within]
    if q and q.strip():
        text = q.strip().lower()
        hit = np.array([text in str(n).lower() or text in str(c).lower() for n, c in zip(d.names, d.codes, strict=True)])
        found = found[hit[found]]
    return found


def district_options(result: Result) -> list[dict[str, str]]:
    """The districts of the list (code and name), by name: the district filter's choices."""
    names = result.model.raw.lad_names
    codes = sorted({str(c) for c in result.data.lad if str(c)}, key=lambda c: names.get(c, c))
    return [{"code": c, "name": names.get(c, c)} for c in codes]


def view(result: Result, sort: str = "priority", top: int | None = None, within: str | None = None,
         q: str | None = None, page: int | None = None, per_page: int = 100) -> dict[str, Any]:
    """Everything an output shows: the list (narrowed to a district, searched, one page of it),
    the method, what the list rests on, the cautions and the notes. The counts are over the
    areas in view (all, or one district's)."""
    scope = positions(result, sort, within)
    found = positions(result, sort, within, q) if q else scope
    shown = found[:top] if top else found
    pages = 1
    if page is not None:
        pages = max(1, -(-len(shown) // per_page))
        page = min(max(1, page), pages)
        shown = shown[(page - 1) * per_page: page * per_page]
    table = rows(result, shown)
    tier = tiers(result)
    m = result.model
    noun = NOUNS[result.level]
    data = {
        "level": result.level, "comparison": result.comparison, "mode": result.mode, "sort": sort,
        "within": within, "within_name": m.raw.lad_names.get(within, within) if within else None, "q": q or None,
        "weights": {"components": result.weights.components, "indicators": result.weights.indicators},
        "areas_total": len(scope), "found": len(found), "page": page or 1, "pages": pages,
        "first_row": ((page or 1) - 1) * per_page + 1 if page else 1,
        "high_risk": int(result.high_risk[scope].sum()),
        "high_risk_no_hub": int((tier[scope] == 1).sum()),
        "ranked_within": _ranked_within(result, noun[1]),
        "areas": table,
        "rests_on": rests_on(result, scope),
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
                               "top_n": s.top_n, "rank_interval": "5th to 95th percentile of rank over the draws",
                               "measures": "alternative weightings only: how much the place hinges on the weights, "
                                           "not on the inputs (see what the list rests on)"}
    if m.illustrative:
        data["illustrative_note"] = ILLUSTRATIVE_GAPS
    return data


def _and_no_hub(leave: int, n: int, nouns: str) -> str:
    """', and all 6 of those with no hub within reach' (nothing when none has no hub)."""
    if n == 0:
        return ""
    if leave == n:
        return ", and so would " + ("the one" if n == 1 else f"all {n}") + " with no hub within reach"
    return f", and {leave} of the {n} with no hub within reach"


def _ranked_within(result: Result, nouns: str) -> str:
    if result.comparison == "lad":
        return f"ranked among the {nouns} of their own district"
    return f"ranked among all the {nouns} of {next(iter(result.group_names.values()), 'the region')}"


def rests_on(result: Result, scope: np.ndarray) -> dict[str, Any]:
    """What the high-risk list rests on, over the areas at `scope`: how many high-risk areas use
    an illustrative input, how many would leave the list without the illustrative inputs (and of
    those with no hub within reach), and how many would leave it with each input domain left out."""
    m = result.model
    noun = NOUNS[result.level][1]
    high = result.high_risk[scope]
    no_hub = (tiers(result) == 1)[scope]
    n_high, n_nohub = int(high.sum()), int(no_hub.sum())
    labels = {i.id: i.label for i in m.cfg.indicators}
    out: dict[str, Any] = {"high_risk": n_high, "high_risk_no_hub": n_nohub,
                           "on_illustrative": int((high & result.illustrative_inputs[scope]).sum())}
    w = result.without_illustrative
    if w is not None:
        stays = w.high_risk[scope]
        leave, leave_nohub = int((high & ~stays).sum()), int((no_hub & ~stays).sum())
        inputs = [labels[i] for i in w.indicators]
        out.update(illustrative_inputs=inputs, leave_without_illustrative=leave,
                   no_hub_leave_without_illustrative=leave_nohub,
                   text=f"{leave} of the {n_high} high-risk {noun} would leave the list without the illustrative "
                        f"inputs ({'; '.join(inputs)}){_and_no_hub(leave_nohub, n_nohub, noun)}. Treat those as "
                        "provisional until real figures replace the illustrative ones.")
    else:
        out["text"] = "No input of the index is illustrative."
    out["domains"] = [{"domain": name, "leave": int((high & ~x.high_risk[scope]).sum()),
                       "join": int((~high & x.high_risk[scope]).sum())} for name, x in result.domain_out.items()]
    if out["domains"]:
        out["domains_text"] = "With one input domain left out at a time, " + "; ".join(
            f"without {d['domain']} {d['leave']} of the {n_high} would leave the list" for d in out["domains"]) + "."
    return out


def flat_columns(data: dict[str, Any]) -> list[str]:
    """The columns of the list as a flat table (CSV): every field, each component's score and the
    rank with each input domain left out."""
    comps = [c["id"] for c in data["methodology"]["components"]]
    domains = [d["domain"] for d in data["rests_on"].get("domains", [])]
    return [*COLUMNS, *comps, *(f"rank_without_{d}" for d in domains), "tier_text", "confidence_text", "illustrative"]


def flat_row(r: dict[str, Any], data: dict[str, Any]) -> list[Any]:
    comps = [c["id"] for c in data["methodology"]["components"]]
    domains = [d["domain"] for d in data["rests_on"].get("domains", [])]
    return [*(r.get(c, "") for c in COLUMNS), *(r["components"][c] for c in comps),
            *(r["rank_without"].get(d, "") for d in domains), r["tier_text"], r.get("confidence_text", ""),
            "yes" if data["illustrative"] else "no"]
