"""`observatory actions ...`: the board's actions log, with dated updates and CSV import and export."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ..demo.identity import is_demo
from ..records import actions, csv_io
from ..records.auth import cli_actor
from ..records.db import open_records
from .common import AsUser, CsvIn, WorkspaceOpt, err, load_workspace, open_records_of, out, reported
from .output import CsvOut, write

actions_app = typer.Typer(help="The board's actions log: resolutions, owners, due dates, updates.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(actions_app, name="actions")


@actions_app.command("list")
def actions_list(workspace: WorkspaceOpt = None) -> None:
    """Every action, where it stands, and by owner."""
    with reported():
        ws = load_workspace(workspace)
        with open_records(ws).session() as s:
            rows = actions.list_actions(s)
        if not rows:
            demo = " Or add the demo's (`observatory records seed-demo`)." if is_demo(ws) else ""
            err.print(f"No actions in the board's actions log yet. Add them from a CSV (`observatory actions import "
                      f"FILE`; `observatory actions export` writes the columns it reads).{demo}", highlight=False)
            raise typer.Exit(1)  # nothing to show: a script notices
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
        records = open_records_of(workspace)
        actor = cli_actor(records, as_user, needs="editor")
        with records.session() as s:
            actions.add_update(s, actor, action_id, text, status)
        out.print(f"Action {action_id} updated.")


@actions_app.command("export")
def actions_export(file: CsvOut = None, workspace: WorkspaceOpt = None) -> None:
    """Write the actions log as CSV."""
    with reported():
        with open_records_of(workspace).session() as s:
            write(csv_io.actions_csv(s), file)


@actions_app.command("import")
def actions_import(file: CsvIn, as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Add or change actions from a CSV (all rows or none)."""
    with reported():
        records = open_records_of(workspace)
        actor = cli_actor(records, as_user, needs="editor")
        with records.session() as s:
            n = csv_io.import_actions(s, actor, file)
        out.print(f"{file.name}: {n['added']} actions added, {n['changed']} changed.")
