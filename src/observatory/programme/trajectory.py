"""Progress against the plan: sites lit month by month against the planned trajectory, by kind
and by district, and the run rates (progress.py).

The planned trajectory is a straight line from none lit on the programme's start date to the
target on its target date ([programme] in observatory.toml): the plan the board can check the
count against when the programme publishes no phasing of its own. Withdrawn sites leave the
programme: they are never counted as lit, and the register's "in the programme" count excludes
them. Progress is measured "as of" the register's latest recorded change (so an illustrative or
stale register is not read as stalled today), unless a date is given.

A workspace that sets no target has no plan: the target, its dates and every planned figure are
None, `target_reason` says why in a reader's words, and the sites lit, withdrawn and in the
programme are counted all the same.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..months import month_end
from ..workspace.programme import ProgrammeConfig
from .models import KINDS
from .progress import NO_TARGET, completion
from .status import WITHDRAWN


def month_ends(start: date, end: date) -> list[date]:
    """The last day of every month from start's month to end's month; the last one is `end`."""
    out, d = [], month_end(start)
    while d < end:
        out.append(d)
        d = month_end(d + timedelta(days=1))
    out.append(end)
    return out


def planned_on(cfg: ProgrammeConfig, day: date) -> float | None:
    """The planned trajectory: sites that should be lit by `day` (linear from start to target);
    None where the workspace sets no target."""
    if not cfg.has_plan:
        return None
    span = (cfg.target_date - cfg.start_date).days
    done = min(max((day - cfg.start_date).days, 0), span)
    return cfg.target * done / span


def _lit_date(site: dict[str, Any]) -> date | None:
    return next((date.fromisoformat(c["date"]) for c in site["history"] if c["status"] == "lit"), None)


def _first(site: dict[str, Any], status: str) -> date | None:
    return next((date.fromisoformat(c["date"]) for c in site["history"] if c["status"] == status), None)


def last_change(sites: list[dict[str, Any]]) -> date | None:
    days = [date.fromisoformat(c["date"]) for s in sites for c in s["history"]]
    return max(days) if days else None


def _group(sites: list[dict[str, Any]], key: str, as_of: date) -> dict[str, dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for s in sites:
        g = groups.setdefault(s[key] or "(unknown)", {key: s[key] or "(unknown)", "in_programme": 0, "lit": 0,
                                                      "withdrawn": 0})
        withdrawn = _first(s, WITHDRAWN)
        lit = _lit_date(s)
        if withdrawn is not None and withdrawn <= as_of:
            g["withdrawn"] += 1
            continue
        g["in_programme"] += 1
        g["lit"] += int(lit is not None and lit <= as_of)
    for g in groups.values():
        g["share_lit"] = round(100.0 * g["lit"] / g["in_programme"], 1) if g["in_programme"] else None
    return groups


def progress(sites: list[dict[str, Any]], cfg: ProgrammeConfig, as_of: date | None = None,
             names: dict[str, str] | None = None) -> dict[str, Any]:
    names = names or {}
    as_of = as_of or last_change(sites) or date.today()
    lit_dates = sorted(d for d in (_lit_date(s) for s in sites) if d is not None and d <= as_of)
    withdrawn = [d for d in (_first(s, WITHDRAWN) for s in sites) if d is not None and d <= as_of]
    plan_start = [cfg.start_date] if cfg.has_plan else []
    start = min([*plan_start, *(d for d in (_first(s, "planned") for s in sites) if d)], default=as_of)
    series = []
    for day in month_ends(start, as_of):
        series.append({"month": day.strftime("%Y-%m"), "date": day.isoformat(),
                       "lit": sum(1 for d in lit_dates if d <= day),
                       "planned": _rounded(planned_on(cfg, day)),
                       "withdrawn": sum(1 for d in withdrawn if d <= day)})
    lit_now = len(lit_dates)
    in_programme = sum(1 for s in sites) - len(withdrawn)
    plan = _plan(cfg)
    forecast = completion(lit_dates, in_programme, len(withdrawn), plan["target"], cfg.target_date if
                          cfg.has_target else None, as_of, cfg.withdrawn_leave_target)
    kinds = _group(sites, "kind", as_of)
    districts = _group(sites, "district_code", as_of)
    for code, g in districts.items():
        g["name"] = names.get(code, code)
    years = sorted({d.year for d in lit_dates})
    yearly = [date(y, 12, 31) for y in years if date(y, 12, 31) < as_of] + [as_of]
    lit_of = [(s["kind"], s["district_code"] or "(unknown)", _lit_date(s)) for s in sites]

    def lit_by(pos: int, keys: list[str], d: date) -> dict[str, int]:
        return {k: sum(1 for row in lit_of if row[pos] == k and row[2] is not None and row[2] <= d) for k in keys}

    by_kind_over_time = [{"date": d.isoformat(), **lit_by(0, [k for k in KINDS if k in kinds], d)} for d in yearly]
    by_district_over_time = [{"date": d.isoformat(), **lit_by(1, sorted(districts), d)} for d in yearly]
    planned_now = planned_on(cfg, as_of)
    return {
        "as_of": as_of.isoformat(),
        **plan,
        "registered": len(sites), "in_programme": in_programme, "withdrawn": len(withdrawn), "lit": lit_now,
        "planned_now": _rounded(planned_now),
        "behind_plan_by": None if planned_now is None else round(planned_now - lit_now, 1),
        # the one completion forecast (progress.completion): rate, window, month, words
        "forecast": forecast.as_dict(),
        "current_rate_per_month": round(forecast.rate_per_month, 1),
        "run_rate_needed_per_month": forecast.needed_per_month,
        "target_beyond_register": forecast.target is not None and forecast.goal < forecast.target,
        "series": series,
        "by_kind": [kinds[k] for k in KINDS if k in kinds],
        "by_district": sorted(districts.values(), key=lambda g: g["name"]),
        "by_kind_over_time": by_kind_over_time,
        "by_district_over_time": by_district_over_time,
        "district_names": {code: g["name"] for code, g in districts.items()},
        "illustrative": any(s["illustrative"] for s in sites),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _plan(cfg: ProgrammeConfig) -> dict[str, Any]:
    """The target and its dates as the answer gives them: None, with the reason, where none is set."""
    def day(d: date | None) -> str | None:
        return None if d is None else d.isoformat()

    return {"target": cfg.target if cfg.has_target else None,
            "start_date": day(cfg.start_date) if cfg.has_plan else None,
            "target_date": day(cfg.target_date) if cfg.has_target else None,
            "target_reason": None if cfg.has_target else NO_TARGET}
