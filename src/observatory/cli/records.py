"""`observatory records ...`: create or migrate the records database, export and import it whole,
seed the demo's records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..demo.records_demo import has_records
from ..demo.records_demo import seed as seed_records
from ..records.db import database_url, describe_url
from ..records.migrate import upgrade
from ..records.transfer import export, import_
from .common import WorkspaceOpt, load_workspace, open_records_of, out, reported

records_app = typer.Typer(help="The records database: migrate, export, import, seed the demo.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(records_app, name="records")


@records_app.command("upgrade")
def upgrade_cmd(workspace: WorkspaceOpt = None) -> None:
    """Create or migrate the records database to the newest schema."""
    with reported():
        url = database_url(load_workspace(workspace))
        applied = upgrade(url)
        where = describe_url(url)
        if applied:
            out.print(f"Records database {where}: migrated to {', '.join(applied)}.")
        else:
            out.print(f"Records database {where}: already up to date.")


@records_app.command("export")
def export_cmd(file: Annotated[Path, typer.Argument(help="records.json, or records.zip for one CSV per table.")],
               workspace: WorkspaceOpt = None) -> None:
    """Write the whole records database to a file (JSON or a ZIP of CSVs)."""
    with reported():
        counts = export(open_records_of(workspace), file)
        out.print(f"Wrote {file}: {sum(counts.values()):,} rows from {len(counts)} tables.")


@records_app.command("import")
def import_cmd(file: Annotated[Path, typer.Argument(help="A file written by `observatory records export`.")],
               workspace: WorkspaceOpt = None) -> None:
    """Restore an export into an empty, migrated records database (all or nothing)."""
    with reported():
        counts = import_(open_records_of(workspace), file)
        out.print(f"Imported {sum(counts.values()):,} rows into {len(counts)} tables.")


@records_app.command("seed-demo")
def seed_demo_cmd(workspace: WorkspaceOpt = None,
                  if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing (exit 0) if records exist.")] = False) -> None:
    """Add the demo records (the board's resolutions; an illustrative register) to an empty database."""
    with reported():
        records = open_records_of(workspace)
        if if_empty and has_records(records):
            out.print("The records database already holds records; the demo was not added.")
            return
        with records.session() as s:
            counts = seed_records(s)
        out.print(f"Seeded {counts['actions']} board actions and {counts['register']} register entries "
                  "(dates, statuses and providers illustrative).")
