"""The board's actions: every resolution with its state, from the same library functions as the
dashboard (no figure computed in a template)."""

from __future__ import annotations

from ...records import actions
from ._records import read_records
from .base import Context, Section

ID, TITLE = "actions", "The board's actions"


def gather(ctx: Context) -> Section:
    rows = read_records(ctx, actions.list_actions)
    if isinstance(rows, str):
        return Section(ID, TITLE, omitted=rows)
    if not rows:
        return Section(ID, TITLE,
                       omitted="This workspace's records hold no board resolutions, so there is no actions log.")
    data = {**actions.summary(rows), "actions": rows}
    return Section(ID, TITLE, data, illustrative=any(a["illustrative"] for a in rows))
