"""`observatory register ...`: the Shared Care Record access register, with CSV import and export."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from ..demo.identity import is_demo
from ..records import csv_io
from ..records import register as register_mod
from ..records.auth import cli_actor
from ..records.db import open_records
from .common import (
    AsUser,
    CsvIn,
    WorkspaceOpt,
    err,
    load_workspace,
    open_records_of,
    out,
    parse_date,
    reported,
)
from .output import CsvOut, write

register_app = typer.Typer(help="The Shared Care Record access register.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(register_app, name="register")


@register_app.command("list")
def register_list(workspace: WorkspaceOpt = None) -> None:
    """Which providers can access the Shared Care Record, by type."""
    with reported():
        ws = load_workspace(workspace)
        with open_records(ws).session() as s:
            entries = register_mod.list_entries(s)
        if not entries:
            demo = " Or add the demo's (`observatory records seed-demo`)." if is_demo(ws) else ""
            err.print("No providers in the Shared Care Record access register yet. Add one with `observatory register "
                      "add ORGANISATION --type TYPE --status STATUS`, or several from a CSV (`observatory register import "
                      f"FILE`; `observatory register export` writes the columns it reads).{demo}", highlight=False)
            raise typer.Exit(1)  # nothing to show: a script notices
        answer = register_mod.access_answer(entries)
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
                 provider_type: Annotated[str, typer.Option("--type", help=", ".join(register_mod.PROVIDER_TYPES))],
                 status: Annotated[str, typer.Option(help="live, onboarding or planned.")],
                 parts: Annotated[str, typer.Option(help="Parts of the record it can see.")] = "",
                 basis: Annotated[str, typer.Option(help="Basis of access.")] = "",
                 on: Annotated[str | None, typer.Option(help="Date of the status, YYYY-MM-DD (default today).")] = None,
                 as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Add a provider to the register."""
    with reported():
        records = open_records_of(workspace)
        actor = cli_actor(records, as_user, needs="editor")
        when = parse_date(on, "--on") or date.today()
        with records.session() as s:
            e = register_mod.add_entry(s, actor, organisation=organisation, provider_type=provider_type,
                                       status=status, parts=parts, basis=basis, status_date=when)
            out.print(f"Added entry {e.id}: {organisation}.")


@register_app.command("export")
def register_export(file: CsvOut = None, workspace: WorkspaceOpt = None) -> None:
    """Write the register as CSV."""
    with reported():
        with open_records_of(workspace).session() as s:
            write(csv_io.register_csv(s), file)


@register_app.command("import")
def register_import(file: CsvIn, as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Add or change register entries from a CSV (all rows or none)."""
    with reported():
        records = open_records_of(workspace)
        actor = cli_actor(records, as_user, needs="editor")
        with records.session() as s:
            n = csv_io.import_register(s, actor, file)
        out.print(f"{file.name}: {n['added']} entries added, {n['changed']} changed.")
