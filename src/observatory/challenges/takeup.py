"""Where availability is not enough: full-fibre take-up against availability, and availability
against exclusion risk, in one answer.

- Districts (and any level where take-up is loaded): Ofcom's full-fibre take-up (the share of
  premises full fibre reaches that have taken it up, and the share of all premises) beside
  full-fibre availability, each area with its exclusion-risk score; England for reference. Take-up
  is published by Ofcom for local authorities only, as whole percentages; England's is the
  observatory's roll-up of the districts' (weighted by full-fibre premises: method
  "estimated-weights"), said as such.
- Small areas (where take-up is not published): gigabit availability (full fibre is not published
  below districts) against exclusion risk, naming the areas where availability is high and risk is
  high ("support is the gap") and where both are poor ("infrastructure first"). High availability:
  at or above the region's own figure; high risk: the index's own high-risk group (the top share of
  areas set by [inclusion] high_risk_share).

The risk scores come from the caller (the inclusion capability computes them): this package does
not import another capability.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ObservatoryError
from ..store import Store

ENGLAND = "E92000001"
SUPPORT_GAP = "high availability, high risk: support is the gap"
INFRASTRUCTURE_FIRST = "both poor: infrastructure first"
OTHER_GROUPS = {
    (True, False): "high availability, lower risk",
    (False, False): "lower availability, lower risk: infrastructure",
}


@dataclass(frozen=True)
class Risk:
    """An area's exclusion-risk score (0-10, higher is more risk) and whether it is in the high-risk group."""

    index: float | None
    high: bool = False
    rank: int | None = None


def _figures(store: Store, level: str, indicator: str, release: str | None) -> dict[str, dict[str, Any]]:
    try:
        return {r["area_code"]: r for r in store.figures(level, indicator, release or "latest")}
    except ObservatoryError:
        return {}


def _one(store: Store, code: str, level: str, indicator: str, release: str | None) -> dict[str, Any] | None:
    try:
        rows = store.figures(level, indicator, release or "latest", area=code)
    except ObservatoryError:
        return None
    return rows[0] if rows else None


def _row(code: str, name: str, level: str, avail: dict | None, take: dict | None, take_all: dict | None,
         risk: Risk | None) -> dict[str, Any]:
    return {
        "code": code, "name": name, "level": level,
        "availability": avail["value"] if avail else None,
        "availability_release": avail["release"] if avail else None,
        "takeup": take["value"] if take else None,
        "takeup_all": take_all["value"] if take_all else None,
        "takeup_release": take["release"] if take else None,
        "takeup_method": take["method"] if take else None,
        "risk": risk.index if risk else None, "risk_rank": risk.rank if risk else None,
        "high_risk": bool(risk and risk.high),
        "synthetic": bool((avail and avail["synthetic"]) or (take and take["synthetic"])),
    }


def districts(store: Store, codes: tuple[str, ...] | list[str], risk: dict[str, Risk], region: str | None = None,
              release: str | None = None) -> dict[str, Any]:
    """Take-up against availability for `codes` (districts), with their risk, the region and England."""
    try:
        takeup_release = store.release_for("lad", "full_fibre_takeup", release or "latest")
    except ObservatoryError:
        return {"rows": [], "reference": [], "missing": "This store holds no full-fibre take-up figures. Ofcom "
                "publishes them for every local authority with its Connected Nations release."}
    avail = _figures(store, "lad", "full_fibre", takeup_release)
    take = _figures(store, "lad", "full_fibre_takeup", takeup_release)
    take_all = _figures(store, "lad", "full_fibre_takeup_all", takeup_release)
    names = store.names("lad")
    rows = [_row(c, names.get(c, c), "lad", avail.get(c), take.get(c), take_all.get(c), risk.get(c)) for c in codes]
    reference = []
    for code in ([region] if region else []) + [ENGLAND]:
        try:
            area = store.area(code)
        except ObservatoryError:
            continue
        lv = area["level"]
        reference.append(_row(code, area["name"], lv, _one(store, code, lv, "full_fibre", takeup_release),
                              _one(store, code, lv, "full_fibre_takeup", takeup_release),
                              _one(store, code, lv, "full_fibre_takeup_all", takeup_release), None))
    england = next((r for r in reference if r["code"] == ENGLAND), None)
    for r in rows:
        r["words"] = district_words(r, england)
    return {"release": takeup_release, "rows": rows, "reference": reference, "missing": None,
            "method": "Take-up: Ofcom's whole percentages for each local authority, as published. England and the "
                      "region: the observatory's roll-up of their districts, weighted by premises with full fibre "
                      "(estimated weights)."}


def district_words(r: dict[str, Any], england: dict[str, Any] | None) -> str:
    """One sentence placing a district against England."""
    if r["takeup"] is None or r["availability"] is None:
        return "No take-up or availability figure."
    if england is None or england["takeup"] is None or england["availability"] is None:
        return f"{r['takeup']:.0f}% take-up where {r['availability']:.1f}% of premises can get full fibre."
    avail = "above" if r["availability"] >= england["availability"] else "below"
    take = "above" if r["takeup"] >= england["takeup"] else "below"
    words = f"Availability {avail} England's, take-up {take} England's"
    if avail == "above" and take == "below":
        words += ": full fibre is there but not taken up"
    return words + "."


def small_areas(store: Store, level: str, risk: dict[str, Risk], names: dict[str, str] | None = None,
                region: str | None = None, indicator: str = "gigabit") -> dict[str, Any]:
    """Availability against risk for every area of `level` that has both, each placed in a group."""
    figures = _figures(store, level, indicator, None)
    region_fig = _one(store, region, store.area(region)["level"], indicator, None) if region else None
    threshold = region_fig["value"] if region_fig and region_fig["value"] is not None else None
    rows = []
    for code, r in sorted(risk.items()):
        fig = figures.get(code)
        if fig is None or fig["value"] is None or r.index is None:
            continue
        high_avail = threshold is not None and fig["value"] >= threshold
        group = (SUPPORT_GAP if high_avail else INFRASTRUCTURE_FIRST) if r.high else OTHER_GROUPS[(high_avail, False)]
        rows.append({"code": code, "name": (names or {}).get(code, fig["area_name"]), "level": level,
                     "availability": fig["value"], "release": fig["release"], "risk": r.index, "risk_rank": r.rank,
                     "high_risk": r.high, "high_availability": high_avail, "group": group,
                     "synthetic": bool(fig["synthetic"])})
    rows.sort(key=lambda x: (x["group"] not in (SUPPORT_GAP, INFRASTRUCTURE_FIRST), -(x["risk"] or 0)))
    return {"level": level, "indicator": indicator, "threshold": threshold,
            "threshold_words": (f"at or above the region's {threshold:.1f}%" if threshold is not None
                                else "no regional figure to compare with"),
            "rows": rows,
            "support_gap": [r for r in rows if r["group"] == SUPPORT_GAP],
            "infrastructure_first": [r for r in rows if r["group"] == INFRASTRUCTURE_FIRST],
            "illustrative": any(r["synthetic"] for r in rows)}


def risks_from_rows(rows: list[dict[str, Any]]) -> dict[str, Risk]:
    """Risk per area from the inclusion index's rows (code, index, high_risk, rank)."""
    return {r["code"]: Risk(r.get("index"), bool(r.get("high_risk")), r.get("rank")) for r in rows}
