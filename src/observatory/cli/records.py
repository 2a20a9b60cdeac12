"""`observatory records ...`: create or migrate the records database, export and import it whole,
check that its audit log is as it was written, seed the demo's records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..demo.identity import ALLOW, DEMO_NAME, refuse_outside_demo
from ..demo.records_demo import has_records
from ..demo.records_demo import seed as seed_records
from ..records.audit import verify
from ..records.db import database_url, describe_url, open_records, sqlite_file
from ..records.migrate import upgrade
from ..records.roles import app_role, migration_url
from ..records.transfer import export, import_
from .common import WorkspaceOpt, err, load_workspace, open_records_of, out, reported

records_app = typer.Typer(help="The records database: migrate, export, import, verify, seed the demo.",
                          no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(records_app, name="records")


@records_app.command("upgrade")
def upgrade_cmd(workspace: WorkspaceOpt = None) -> None:
    """Create or migrate the records database to the newest schema.

    On PostgreSQL, set OBSERVATORY_MIGRATION_URL to the connection of the role that owns the tables.

    The role of the application's own connection is then allowed only to read and add to the audit log and the site status history."""
    with reported():
        url = database_url(load_workspace(workspace))
        owner = migration_url(url)
        role = app_role(url, owner)
        file = sqlite_file(url)
        new = file is not None and not file.exists()
        applied = upgrade(owner, app_role=role)
        where = describe_url(url)
        # in words: the migrations' ids mean nothing to the officer running this
        if new:
            out.print(f"Created the records database {where}; it is up to date.", highlight=False)
        elif applied:
            out.print(f"Brought the records database {where} up to date.", highlight=False)
        else:
            out.print(f"The records database {where} was already up to date.", highlight=False)
        if role:
            out.print(f"The application's role {role} may read and add to the audit log and the site "
                      "status history, and change nothing in them.")


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


@records_app.command("verify")
def verify_cmd(seal: Annotated[str | None, typer.Option(
                   "--seal", help="The newest entry's seal noted at an earlier check: also show that no "
                                  "entry was removed from the end since.")] = None,
               workspace: WorkspaceOpt = None) -> None:
    """Check that no entry of the audit log was changed or removed since it was written.

    Exit code 1 at the first entry that was."""
    with reported():
        records = open_records_of(workspace)
        with records.session() as s:
            report = verify(s, seal)
        if report.broken is not None:
            err.print(f"[bold red]The audit log has been tampered with.[/] {escape(report.broken.problem)} "
                      f"The {report.rows - 1:,} entries before it are intact.", highlight=False)
            raise typer.Exit(1)
        if not report.rows:
            out.print("The audit log is empty: nothing to check.")
            return
        out.print(f"The audit log is intact: {report.rows:,} entries, each sealed and following on from the "
                  f"one before. The newest is entry {report.last_id}, seal {report.last_hash[:16]}: note it, and "
                  "give it to a later check (--seal) to show that no entry was removed from the end.", highlight=False)


@records_app.command("seed-demo")
def seed_demo_cmd(workspace: WorkspaceOpt = None,
                  if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing (exit 0) if records exist.")] = False,
                  allow_other: Annotated[bool, typer.Option(ALLOW, help=f"Add the {DEMO_NAME}'s records to a workspace "
                                                                       "that is not the demo (labelled as the demo's).")] = False) -> None:
    """Add the demo records to an empty records database of the bundled demo workspace.

    The demo records are the board's resolutions and an illustrative register."""
    with reported():
        ws = load_workspace(workspace)
        other = refuse_outside_demo(
            ws, "the board actions and Shared Care Record register", "Add your own with `observatory actions import` "
            "and `observatory register add` (or `observatory register import`).", allow_other)
        records = open_records(ws)
        if if_empty and has_records(records):
            out.print("The records database already holds records; the demo was not added.")
            return
        with records.session() as s:
            counts = seed_records(s, elsewhere=other)
        out.print(f"Seeded {counts['actions']} board actions and {counts['register']} register entries of the "
                  f"{DEMO_NAME} (dates, statuses and providers illustrative)"
                  + (f", each labelled \"{DEMO_NAME}\", in a workspace that is not the demo." if other else "."))
