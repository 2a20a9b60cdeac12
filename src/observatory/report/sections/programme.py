"""The Full Fibre programme: sites lit against the plan (with the run rate needed and when the
current rate reaches the target) and backbone reach by district and for the region, from the same
library functions as the dashboard (no figure computed in a template). Where the workspace sets no
target, the sites lit and reach are given all the same, and the section says no target is set
(`target` None, `target_reason` its words; programme.trajectory)."""

from __future__ import annotations

from ...programme import backbone, models, trajectory
from ...programme.premises import APPROXIMATION, from_store
from ._records import read_records
from .base import Context, Section

ID, TITLE = "programme", "The Full Fibre programme"


def gather(ctx: Context) -> Section:
    sites = read_records(ctx, models.list_sites)
    if isinstance(sites, str):
        return Section(ID, TITLE, omitted=sites)
    if not sites:
        return Section(ID, TITLE,
                       omitted="This workspace has no Full Fibre programme register, so there is no programme section.")
    cfg = ctx.workspace.programme
    premises = from_store(ctx.store)
    progress = trajectory.progress(sites, cfg, names=premises.names)
    cov = backbone.Coverage(premises, backbone.Register.of(sites), cfg.reach_distance_m)
    rows = backbone.reach_on(cov)
    year_ends = [p for p in progress["series"] if p["month"].endswith("-12")] + progress["series"][-1:]
    data = {**{k: v for k, v in progress.items() if k not in ("series", "by_kind_over_time")},
            "year_ends": year_ends, "distance_m": cfg.reach_distance_m, "method": APPROXIMATION,
            "reach_districts": [r for r in rows if r["level"] == "lad"],
            "reach_region": next(r for r in rows if r["level"] == "region"),
            "premises_release": premises.release, "premises_at_area_point": premises.at_area_point,
            "areas_at_point": premises.areas_at_point}
    return Section(ID, TITLE, data, illustrative=progress["illustrative"] or premises.synthetic)
