"""The annual report's programme section: sites lit against the plan (with the run rate needed
and when the current rate reaches the target) and backbone reach by district and for the region,
from the same library functions as the dashboard (no figure computed in a template)."""

from __future__ import annotations

from ..errors import ObservatoryError
from ..report.sections import Context, Section
from . import backbone, config, models, trajectory
from .premises import APPROXIMATION, from_store

TITLE = "The Full Fibre programme"


def programme_section(ctx: Context) -> Section:
    from ..records.report_sections import _records

    records = _records(ctx)
    if isinstance(records, str):
        return Section("programme", TITLE, omitted=records)
    try:
        with records.session() as s:
            sites = models.list_sites(s)
    except ObservatoryError as exc:
        return Section("programme", TITLE, omitted=str(exc))
    finally:
        records.dispose()
    if not sites:
        return Section("programme", TITLE,
                       omitted="This workspace has no Full Fibre programme register, so there is no programme section.")
    from ..records.db import _workspace_root

    cfg = config.load(_workspace_root(ctx.workspace))
    premises = from_store(ctx.store)
    progress = trajectory.progress(sites, cfg, names=premises.names)
    cov = backbone.Coverage(premises, backbone.Register.of(sites), cfg.reach_distance_m)
    rows = backbone.reach_on(cov)
    year_ends = [p for p in progress["series"] if p["month"].endswith("-12")] + progress["series"][-1:]
    data = {**{k: v for k, v in progress.items() if k not in ("series", "by_kind_over_time")},
            "year_ends": year_ends, "distance_m": cfg.reach_distance_m, "method": APPROXIMATION,
            "reach_districts": [r for r in rows if r["level"] == "lad"],
            "reach_region": next(r for r in rows if r["level"] == "region"),
            "premises_release": premises.release}
    return Section("programme", TITLE, data, illustrative=progress["illustrative"] or premises.synthetic)
