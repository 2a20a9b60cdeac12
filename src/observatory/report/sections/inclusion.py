"""Where to act: the top priority wards, the support hubs and the publisher's cautions, from the
same library as the CLI and the dashboard."""

from __future__ import annotations

from ...errors import ObservatoryError
from ...inclusion.model import CAUTIONS, ILLUSTRATIVE_GAPS, Model
from ...inclusion.priority import view
from .base import Context, Section

ID, TITLE = "inclusion", "Where to act: digital inclusion"
TOP = 10


def gather(ctx: Context) -> Section:
    if not ctx.workspace.has_inclusion:
        return Section(ID, TITLE, omitted="This observatory has no index of digital exclusion risk yet, so there is "
                       "no priority list.")
    try:
        model = Model.load(ctx.workspace, ctx.store)
        result = model.compute("ward", sensitivity=True)
    except ObservatoryError as exc:
        return Section(ID, TITLE, omitted=f"The exclusion-risk index could not be computed: {exc}")
    data = view(result, "priority", TOP)
    data.update(
        top=TOP,
        hub_count=len(model.hubs.hubs) if model.hubs else 0,
        cautions=list(CAUTIONS),
        illustrative_note=ILLUSTRATIVE_GAPS if model.illustrative else None,
    )
    data.pop("weights", None)
    return Section(ID, TITLE, data, illustrative=model.illustrative)
