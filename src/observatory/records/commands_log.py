"""`observatory actions ...` and `observatory register ...`: the board's actions log and the
Shared Care Record access register from the command line, with CSV import and export."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..cli_common import WorkspaceOpt, out, reported, write_output
from . import actions, csv_io, register
from .auth import cli_actor
from .commands import AsUser, _open

actions_app = typer.Typer(help="The board's actions log: resolutions, owners, due dates, updates.", no_args_is_help=True)
register_app = typer.Typer(help="The Shared Care Record access register.", no_args_is_help=True)

CsvOut = Annotated[Path | None, typer.Argument(help="CSV file to write (default: standard output).")]
CsvIn = Annotated[Path, typer.Argument(help="CSV file, in the columns export writes.")]


@actions_app.command("list")
def actions_list(workspace: WorkspaceOpt = None) -> None:
    """Every action, where it stands, and by owner."""
    with reported():
        with _open(workspace).session() as s:
            rows = actions.list_actions(s)
        table = Table("#", "Owner", "Due", "State", "Resolution")
        for a in rows:
            text = a["resolution"] if len(a["resolution"]) <= 60 else a["resolution"][:57] + "..."
            table.add_row(str(a["id"]), a["owner"], a["due_date"] or "", actions.state_of(a), text)
        out.print(table)
        s = actions.summary(rows)["by_state"]
        out.print(f"{s['overdue']} overdue, {s['open']} open, {s['in progress']} in progress, {s['done']} done.")
        if any(a["illustrative"] for a in rows):
            out.print("Dates and statuses marked illustrative are demo values, not the minute's.")


@actions_app.command("update")
def actions_update(action_id: int, text: Annotated[str, typer.Argument(help="What happened.")],
                   status: Annotated[str | None, typer.Option(help="open, in progress or done.")] = None,
                   as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Add a dated update to an action (and move its status)."""
    with reported():
        records = _open(workspace)
        actor = cli_actor(records, as_user, needs="editor")
        with records.session() as s:
            actions.add_update(s, actor, action_id, text, status)
        out.print(f"Action {action_id} updated.")


@actions_app.command("export")
def actions_export(file: CsvOut = None, workspace: WorkspaceOpt = None) -> None:
    """Write the actions log as CSV."""
    with reported():
        with _open(workspace).session() as s:
            write_output(csv_io.actions_csv(s), file)


@actions_app.command("import")
def actions_import(file: CsvIn, as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Add or change actions from a CSV (all rows or none)."""
    with reported():
        records = _open(workspace)
        actor = cli_actor(records, as_user, needs="editor")
        with records.session() as s:
            n = csv_io.import_actions(s, actor, file)
        out.print(f"{file.name}: {n['added']} actions added, {n['changed']} changed.")


@register_app.command("list")
def register_list(workspace: WorkspaceOpt = None) -> None:
    """Which providers can access the Shared Care Record, by type."""
    with reported():
        with _open(workspace).session() as s:
            answer = register.access_answer(register.list_entries(s))
        table = Table("Type", "Live", "Onboarding", "Planned")
        for g in answer["groups"]:
            table.add_row(g["provider_type"], str(g["live"]), str(g["onboarding"]), str(g["planned"]))
        out.print(table)
        c = answer["counts"]
        out.print(f"{c['live']} providers live, {c['onboarding']} onboarding, {c['planned']} planned. "
                  f"Last change {answer['last_change'] or 'never'}.")
        if answer["illustrative"]:
            out.print("Entries marked illustrative are demo values, not the real register.")


@register_app.command("add")
def register_add(organisation: str,
                 provider_type: Annotated[str, typer.Option("--type", help=", ".join(register.PROVIDER_TYPES))],
                 status: Annotated[str, typer.Option(help="live, onboarding or planned.")],
                 parts: Annotated[str, typer.Option(help="Parts of the record it can see.")] = "",
                 basis: Annotated[str, typer.Option(help="Basis of access.")] = "",
                 on: Annotated[str | None, typer.Option(help="Date of the status, YYYY-MM-DD (default today).")] = None,
                 as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Add a provider to the register."""
    with reported():
        records = _open(workspace)
        actor = cli_actor(records, as_user, needs="editor")
        when = date.fromisoformat(on) if on else date.today()
        with records.session() as s:
            e = register.add_entry(s, actor, organisation=organisation, provider_type=provider_type,
                                   status=status, parts=parts, basis=basis, status_date=when)
            out.print(f"Added entry {e.id}: {organisation}.")


@register_app.command("export")
def register_export(file: CsvOut = None, workspace: WorkspaceOpt = None) -> None:
    """Write the register as CSV."""
    with reported():
        with _open(workspace).session() as s:
            write_output(csv_io.register_csv(s), file)


@register_app.command("import")
def register_import(file: CsvIn, as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Add or change register entries from a CSV (all rows or none)."""
    with reported():
        records = _open(workspace)
        actor = cli_actor(records, as_user, needs="editor")
        with records.session() as s:
            n = csv_io.import_register(s, actor, file)
        out.print(f"{file.name}: {n['added']} entries added, {n['changed']} changed.")
