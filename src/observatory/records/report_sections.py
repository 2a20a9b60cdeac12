"""The annual report's records sections: the board's actions and the Shared Care Record register,
from the same library functions as the dashboard pages (no figure computed in a template)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from ..errors import StoreError
from ..report.sections import Context, Section
from . import actions, register
from .db import Records, database_url, open_records


def _records(ctx: Context) -> Records | str:
    """The workspace's records database, or the sentence saying why there is none."""
    url = database_url(ctx.workspace)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        return "This workspace has no records database yet (run `observatory records upgrade`)."
    try:
        return open_records(url)
    except StoreError as exc:
        return str(exc)


def actions_section(ctx: Context) -> Section:
    title = "The board's actions"
    records = _records(ctx)
    if isinstance(records, str):
        return Section("actions", title, omitted=records)
    try:
        with records.session() as s:
            rows = actions.list_actions(s)
    finally:
        records.dispose()
    if not rows:
        return Section("actions", title,
                       omitted="This workspace's records hold no board resolutions, so there is no actions log.")
    data = {**actions.summary(rows), "actions": rows}
    return Section("actions", title, data, illustrative=any(a["illustrative"] for a in rows))


def care_record_section(ctx: Context) -> Section:
    title = "The Shared Care Record"
    records = _records(ctx)
    if isinstance(records, str):
        return Section("care-record", title, omitted=records)
    try:
        with records.session() as s:
            entries = register.list_entries(s)
    finally:
        records.dispose()
    if not entries:
        return Section("care-record", title, omitted="This workspace's records hold no Shared Care Record register.")
    answer = register.access_answer(entries)
    return Section("care-record", title, answer, illustrative=answer["illustrative"])
