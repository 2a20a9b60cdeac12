"""Where the map is wrong and where availability is not enough: the year's coverage challenges
(counts by type and outcome, and the time to answer; counts below the workspace's threshold said
as "fewer than N", as on the dashboard) and a take-up subsection (districts' full-fibre take-up
against availability and exclusion risk, England for reference; small areas where support, not
infrastructure, is the gap). The same library functions as /challenges and /takeup."""

from __future__ import annotations

from typing import Any

from ...challenges import models, public, takeup
from ...errors import ObservatoryError
from ...inclusion.model import Model
from ...inclusion.priority import rows as risk_rows
from ._records import read_records
from .base import Context, Section

ID, TITLE = "challenges", "Where the map is wrong, and where availability is not enough"


def _challenges(ctx: Context) -> dict[str, Any] | str:
    cfg = ctx.workspace.challenges
    rows = read_records(ctx, lambda s: models.list_challenges(s, cfg))
    if isinstance(rows, str):
        return rows
    if not rows:
        return "No coverage challenges have been reported yet."
    data = public.summary(rows, cfg.public_min_count, ctx.store)
    answered = [r for r in rows if r["days_to_answer"] is not None]
    in_time = sum(1 for r in answered if r["days_to_answer"] <= cfg.days_for(r["sent_to"]))
    data["answered_in_time"] = public.shown(in_time, cfg.public_min_count) if len(answered) >= cfg.public_min_count else None
    data["due_days"] = {"operator": cfg.operator_days, "Ofcom": cfg.ofcom_days, "national programme": cfg.programme_days}
    data["areas"] = {"postcode": data["areas"]["postcode"][:10], "lad": data["areas"]["lad"]}
    return data


def _takeup(ctx: Context) -> tuple[dict[str, Any], bool]:
    risk: dict[str, takeup.Risk] = {}
    small: dict[str, takeup.Risk] = {}
    illustrative = False
    if ctx.workspace.has_inclusion:
        try:
            model = Model.load(ctx.workspace, ctx.store)
            risk = takeup.risks_from_rows(risk_rows(model.compute("lad", "ca")))
            small = takeup.risks_from_rows(risk_rows(model.compute("ward")))
            illustrative = model.illustrative
        except ObservatoryError:
            pass
    d = takeup.districts(ctx.store, ctx.workspace.districts, risk, ctx.workspace.region_code)
    s = takeup.small_areas(ctx.store, "ward", small, region=ctx.workspace.region_code) if small else None
    return {"districts": d, "small_areas": s, "groups": [takeup.SUPPORT_GAP, takeup.INFRASTRUCTURE_FIRST]}, \
        illustrative or bool(s and s["illustrative"])


def gather(ctx: Context) -> Section:
    found = _challenges(ctx)
    take, illustrative = _takeup(ctx)
    if isinstance(found, str) and not take["districts"]["rows"]:
        return Section(ID, TITLE, omitted=found)
    data = {"challenges": found if isinstance(found, dict) else None,
            "challenges_missing": found if isinstance(found, str) else None, "takeup": take}
    return Section(ID, TITLE, data, illustrative=illustrative or bool(isinstance(found, dict) and found["illustrative"]))
