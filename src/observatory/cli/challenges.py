"""`observatory challenges ...`: residents' coverage challenges. Reading them shows no personal
data; `show --personal` and `export --personal` need an editor and an admin (--as USER or
OBSERVATORY_USER), and every change needs an editor, as every records command does."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..app import Observatory
from ..challenges import models, retention, transfer, workflow
from ..demo.challenges_demo import has_challenges
from ..demo.challenges_demo import seed as seed_challenges
from ..demo.identity import ALLOW, DEMO_NAME, refuse_outside_demo
from ..errors import ObservatoryError
from ..months import day_words
from ..records.auth import cli_actor
from ..records.db import open_records
from .common import AsUser, WorkspaceOpt, err, load_workspace, out, parse_date, reported
from .output import FormatOpt, emit, format_option, write

challenges_app = typer.Typer(help="Residents' coverage challenges: list, show, move through the workflow, export, "
                                  "import, erase personal data past its retention period.", no_args_is_help=True)
ILLUSTRATIVE = (f"Illustrative challenges: made up for the {DEMO_NAME} by the project's seeded example script "
                "(`observatory challenges seed-demo`); no resident reported them.")
LIST_COLUMNS = ("reference", "received_on", "postcode", "district_code", "type", "status", "sent_to", "due_on",
                "overdue")


def register(app: typer.Typer) -> None:
    app.add_typer(challenges_app, name="challenges")


def _number(reference: str) -> int:
    text = reference.strip().upper().removeprefix("CH-")
    if not text.isdigit():
        raise ObservatoryError(f"'{reference}' is not a challenge reference. Give it as CH-00042 (or 42).")
    return int(text)


@challenges_app.command("list")
def list_cmd(status: Annotated[str | None, typer.Option(help=f"Only this status: {', '.join(workflow.STATUSES)}.")] = None,
             overdue: Annotated[bool, typer.Option("--overdue", help="Only those whose next step is overdue.")] = False,
             format: FormatOpt = "table", workspace: WorkspaceOpt = None) -> None:
    """Every challenge, newest first, with where it stands (no personal data)."""
    with reported():
        ws = load_workspace(workspace)
        with open_records(ws).session() as s:
            rows = models.list_challenges(s, ws.challenges, status=status, overdue=True if overdue else None)
        for r in rows:
            r.pop("steps")
        if format == "table" and not rows:
            out.print("No challenges match." if status or overdue else "No challenges yet.")
            return
        emit([{c: r[c] for c in LIST_COLUMNS} for r in rows] if format != "json" else rows, format,
             columns=LIST_COLUMNS if format != "json" else None, title="Coverage challenges")
        if format == "table":
            out.print(f"{len(rows):,} challenges; {sum(r['overdue'] for r in rows):,} overdue.")
        if any(r["illustrative"] for r in rows):
            err.print(ILLUSTRATIVE, highlight=False)


@challenges_app.command("show")
def show_cmd(reference: Annotated[str, typer.Argument(metavar="REFERENCE", help="CH-00042, or 42.")],
             personal: Annotated[bool, typer.Option("--personal", help="With contact details and evidence (editor).")] = False,
             format: Annotated[str, format_option("table", "json")] = "table",
             as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """One challenge with its steps (and, for an editor who asks, its personal data)."""
    with reported():
        ws = load_workspace(workspace)
        records = open_records(ws)
        if personal:
            cli_actor(records, as_user, needs="editor")
        with records.session() as s:
            c = models.get_challenge(s, _number(reference), ws.challenges, personal=personal)
        if format == "json":
            emit(c, "json")
            return
        out.print(f"{c['reference']}: {c['type_label']}", highlight=False)
        out.print(escape(f"{c['postcode']} ({c['district_code']}); the map shows {c['claimed']}; found: {c['found']}"),
                  highlight=False)
        standing = f"{c['status']}" + (f" (sent to {c['sent_to']})" if c["sent_to"] else "")
        due = f"; next step due {day_words(c['due_on'])}" + (" (OVERDUE)" if c["overdue"] else "") if c["due_on"] else ""
        out.print(f"Where it stands: {standing} since {day_words(c['status_date'])}{due}.", highlight=False)
        for st in c["steps"]:
            out.print(escape(f"  {day_words(st['date'])}: {st['status']}" + (f" to {st['sent_to']}" if st["sent_to"] else "")
                             + f" ({st['author']})" + (f": {st['note']}" if st["note"] else "")), highlight=False)
        if personal:
            out.print(escape(f"Contact: {c['contact_name'] or '-'}, {c['contact_email'] or '-'}, {c['contact_phone'] or '-'}"),
                      highlight=False)
            out.print(escape(f"Evidence: {c['evidence_text'] or '-'}" + (f" (file {c['evidence_name']})" if c["has_evidence_file"] else "")),
                      highlight=False)
        if c["illustrative"]:
            err.print(ILLUSTRATIVE, highlight=False)


@challenges_app.command("set-status")
def set_status_cmd(reference: Annotated[str, typer.Argument(metavar="REFERENCE")],
                   status: Annotated[str, typer.Argument(help="checked, sent, conceded, upheld or overturned.")],
                   sent_to: Annotated[str, typer.Option("--to", help="With 'sent': operator, Ofcom or 'national programme'.")] = "",
                   on: Annotated[str | None, typer.Option("--date", help="When it happened (default today).")] = None,
                   note: Annotated[str, typer.Option(help="A note (no personal details).")] = "",
                   as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Record a challenge's next step (an outcome only after it was sent)."""
    with reported():
        ws = load_workspace(workspace)
        records = open_records(ws)
        actor = cli_actor(records, as_user, needs="editor")
        number = _number(reference)
        when = parse_date(on, "--date") or date.today()
        with records.session() as s:
            models.set_status(s, actor, number, status, when, sent_to, note)
        out.print(f"{models.reference(number)}: {status}{f' to {sent_to}' if sent_to else ''} on {day_words(when)} "
                  f"(recorded by {actor}).", highlight=False)


@challenges_app.command("export")
def export_cmd(format: Annotated[str, format_option("csv", "geojson")] = "csv",
               out_file: Annotated[Path | None, typer.Option("--out", help="Write to this file (default: stdout).")] = None,
               personal: Annotated[bool, typer.Option("--personal", help="With contact details and evidence (admin).")] = False,
               as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Every challenge as CSV or GeoJSON, in the columns a public review asks for.

    Personal data only with --personal, for an admin."""
    with reported():
        ws = load_workspace(workspace)
        records = open_records(ws)
        if personal:
            cli_actor(records, as_user, needs="admin")
        with records.session() as s:
            rows = models.list_challenges(s, ws.challenges, personal=personal)
        write(transfer.export_csv(rows, personal) if format == "csv" else transfer.export_geojson(rows, personal),
              out_file)


@challenges_app.command("import")
def import_cmd(file: Annotated[Path, typer.Argument(help="A CSV with at least postcode, type, claimed and found.")],
               as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Add reports collected elsewhere (all rows checked first; nothing is written if one is wrong)."""
    with reported():
        ws = load_workspace(workspace)
        records = open_records(ws)
        actor = cli_actor(records, as_user, needs="editor")
        with Observatory(ws) as obs, records.session() as s:
            counts = transfer.import_csv(s, actor, file, obs.store, ws.challenges.max_upload_kb)
        out.print(f"Imported {file}: {counts['added']} challenges added, {counts['skipped']} already in the records.",
                  highlight=False)


@challenges_app.command("erase")
def erase_cmd(dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would be erased.")] = False,
              as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Erase contact details and evidence past the workspace's retention period (audited); run it daily."""
    with reported():
        ws = load_workspace(workspace)
        records = open_records(ws)
        actor = cli_actor(records, as_user, needs="admin")
        done = retention.erase(records, actor, ws.challenges, ws.root, dry_run=dry_run)
        refs = ", ".join(models.reference(i) for i in done["challenges"]) or "none"
        verb = "Would erase" if dry_run else "Erased"
        out.print(f"{verb} the personal data of {len(done['challenges'])} challenges whose last step was before "
                  f"{day_words(done['cutoff'])} ({done['retention_days']} days): {refs}; "
                  f"{done['files_removed']} evidence files removed.", highlight=False)


@challenges_app.command("seed-demo")
def seed_demo_cmd(workspace: WorkspaceOpt = None,
                  if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing (exit 0) if there are challenges.")] = False,
                  allow_other: Annotated[bool, typer.Option(ALLOW, help=f"Add the {DEMO_NAME}'s challenges to a workspace "
                                                                       "that is not the demo.")] = False) -> None:
    """Add the demo's illustrative challenges (refused outside the demo workspace unless asked)."""
    with reported():
        ws = load_workspace(workspace)
        refuse_outside_demo(ws, "illustrative coverage challenges", "Residents' own reports come through the form at "
                            "/challenges/report, or `observatory challenges import FILE`.", allow_other)
        records = open_records(ws)
        with records.session() as s:
            if has_challenges(s):
                if if_empty:
                    out.print("The records already hold challenges; the demo's were not added.")
                    return
                raise ObservatoryError("The records already hold challenges. The demo's go into an empty table only "
                                       "(use --if-empty in scripts).")
        with Observatory(ws) as obs, records.session() as s:
            counts = seed_challenges(s, obs.store)
        out.print(f"Seeded {counts['challenges']} illustrative challenges in {counts['postcodes']} postcodes "
                  f"({counts['closed']} closed), labelled illustrative.", highlight=False)
