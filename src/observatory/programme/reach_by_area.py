"""Backbone reach by area, as `observatory reach` reports it: the share of premises within a
distance of a lit site for every ward, district and the region, on a date of the register, and
optionally the change were a scenario's sites lit as well; with what the figures mean."""

from __future__ import annotations

from datetime import date
from typing import Any

from . import backbone
from .premises import APPROXIMATION, Premises


def reach_by_area(premises: Premises, sites: list[dict[str, Any]], distance_m: float, *,
                  on: date | None = None, scenario: str | None = None, scenario_where: str = "scenario",
                  level: str = "all") -> dict[str, Any]:
    """Rows by area (only `level`'s unless "all") and the context a reader needs: distance, date,
    premises release, whether illustrative, the method, and the scenario's description and the
    number of sites it adds (`scenario` is its text: 'all planned', 'kind: school' or site ids)."""
    cov = backbone.Coverage(premises, backbone.Register.of(sites), distance_m)
    extra: dict[str, Any] = {}
    if scenario is not None:
        chosen = backbone.parse_scenario(scenario, cov.register, where=scenario_where)
        result = backbone.scenario(cov, chosen["sites"], on)
        rows = result["rows"]
        extra = {"scenario": chosen["description"], "sites_added": result["sites_added"]}
    else:
        rows = backbone.reach_on(cov, on)
    return {"distance_m": distance_m, "date": on.isoformat() if on else None, "premises_release": premises.release,
            "illustrative": cov.register.illustrative or premises.synthetic, "method": APPROXIMATION,
            "premises_at_area_point": premises.at_area_point, "areas_at_point": premises.areas_at_point, **extra,
            "rows": [r for r in rows if level == "all" or r["level"] == level]}
