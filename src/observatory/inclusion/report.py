"""The annual report's "Where to act" section: the top priority wards, the support hubs and the
publisher's cautions, from the same library as the CLI and the dashboard."""

from __future__ import annotations

from ..errors import ObservatoryError
from ..report.sections import Context, Section
from . import config as config_mod
from .model import CAUTIONS, ILLUSTRATIVE_GAPS, Model
from .priority import view

TITLE = "Where to act: digital inclusion"
TOP = 10


def inclusion_section(ctx: Context) -> Section:
    if not config_mod.has_inclusion(ctx.workspace):
        return Section("inclusion", TITLE, omitted="This workspace has no exclusion-risk configuration, so there is "
                       "no priority list.")
    try:
        model = Model.load(ctx.workspace, ctx.store)
        result = model.compute("ward", sensitivity=True)
    except ObservatoryError as exc:
        return Section("inclusion", TITLE, omitted=f"The exclusion-risk index could not be computed: {exc}")
    data = view(result, "priority", TOP)
    data.update(
        top=TOP,
        hub_count=len(model.hubs.hubs) if model.hubs else 0,
        cautions=list(CAUTIONS),
        illustrative_note=ILLUSTRATIVE_GAPS if model.illustrative else None,
    )
    data.pop("weights", None)
    return Section("inclusion", TITLE, data, illustrative=model.illustrative)
