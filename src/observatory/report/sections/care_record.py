"""The Shared Care Record: which provider organisations can access patient health records, from
the same library functions as the dashboard (no figure computed in a template)."""

from __future__ import annotations

from ...records import register
from ._records import read_records
from .base import Context, Section

ID, TITLE = "care-record", "The Shared Care Record"


def gather(ctx: Context) -> Section:
    entries = read_records(ctx, register.list_entries)
    if isinstance(entries, str):
        return Section(ID, TITLE, omitted=entries)
    if not entries:
        return Section(ID, TITLE, omitted="This workspace's records hold no Shared Care Record register.")
    answer = register.access_answer(entries)
    return Section(ID, TITLE, answer, illustrative=answer["illustrative"])
