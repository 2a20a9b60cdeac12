"""`observatory sites ...` (the Full Fibre programme register) and `observatory reach`: thin views
over the programme library. Changes need a user with the editor role (--as USER or
OBSERVATORY_USER), as every records command does."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..cli_common import (
    WorkspaceOpt,
    check_format,
    err,
    load_workspace,
    out,
    reported,
    write_output,
)
from ..errors import InputError, ObservatoryError, StoreError
from ..records.auth import cli_actor
from ..records.db import open_records
from ..store import Store
from . import config, models

# The numerical modules (numpy, scipy, pyproj) are imported inside the commands that use them, so
# every other command of the CLI starts without them.

sites_app = typer.Typer(help="The Full Fibre programme's site register: import, export, list, change status.",
                        no_args_is_help=True)
AsUser = Annotated[str | None, typer.Option("--as", "--as-user", help="Acting user (default: $OBSERVATORY_USER).")]
ILLUSTRATIVE = ("Illustrative register: statuses and dates were made up by a seeded script "
                "(observatory.demo.programme_demo); site locations (c) OpenStreetMap contributors, ODbL 1.0.")


def register(app: typer.Typer) -> None:
    app.add_typer(sites_app, name="sites")
    app.command("reach")(reach_cmd)


def _premises(ws, required: bool):  # noqa: ANN001, ANN202 - premises.Premises | None
    from .premises import from_store

    if not ws.store_path.exists():
        if required:
            raise StoreError(f"No store at {ws.store_path}: backbone reach needs the postcodes and premises "
                             "counts. Run `observatory build` first.")
        err.print("No store built yet: district and ward are not derived (run `observatory build`, then "
                  "import again to fill them).", highlight=False)
        return None
    with Store(ws.store_path) as store:
        return from_store(store)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ObservatoryError(f"{option} '{value}' is not a date. Write it as YYYY-MM-DD, e.g. 2025-03-31.") from None


@sites_app.command("import")
def import_cmd(file: Annotated[Path, typer.Argument(help="A CSV with the columns of `observatory sites export`.")],
               as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Add or change sites from a CSV (all rows checked first; nothing is written if one is wrong)."""
    with reported():
        ws = load_workspace(workspace)
        records = open_records(ws)
        actor = cli_actor(records, as_user, needs="editor")
        premises = _premises(ws, required=False)
        from . import register_io

        with records.session() as s:
            counts = register_io.import_csv(s, actor, file, premises)
        out.print(f"Imported {file}: {counts['added']} sites added, {counts['changed']} changed, "
                  f"{counts['statuses']} status changes recorded.")


@sites_app.command("export")
def export_cmd(format: Annotated[str, typer.Option("--format", help="csv or geojson.")] = "csv",
               out_file: Annotated[Path | None, typer.Option("--out", help="Write to this file (default: stdout).")] = None,
               workspace: WorkspaceOpt = None) -> None:
    """Write the register as CSV (one row per site, its history in the status columns) or GeoJSON."""
    with reported():
        check_format(format, ("csv", "geojson"))
        from . import register_io

        with open_records(load_workspace(workspace)).session() as s:
            text = register_io.export_csv(s) if format == "csv" else register_io.export_geojson(s)
        write_output(text, out_file)


@sites_app.command("list")
def list_cmd(status: Annotated[str | None, typer.Option(help="Only sites whose current status is this.")] = None,
             kind: Annotated[str | None, typer.Option(help="Only sites of this kind.")] = None,
             workspace: WorkspaceOpt = None) -> None:
    """List sites with their current status."""
    with reported():
        with open_records(load_workspace(workspace)).session() as s:
            rows = models.list_sites(s, status=status, kind=kind)
        if not rows:
            out.print("No sites match." if status or kind else
                      "The register is empty. Import a CSV, or `observatory sites seed-demo` for the demo.")
            return
        table = Table("Id", "Name", "Kind", "District", "Status", "Since")
        for r in rows:
            table.add_row(r["id"], r["name"], r["kind"], r["district_code"], r["status"] or "", r["status_date"] or "")
        out.print(table)
        out.print(f"{len(rows):,} sites.")
        if any(r["illustrative"] for r in rows):
            err.print(ILLUSTRATIVE, highlight=False)


@sites_app.command("set-status")
def set_status_cmd(site_id: Annotated[str, typer.Argument(metavar="ID")],
                   status: Annotated[str, typer.Argument(help="planned, surveyed, 'build in progress', built, lit "
                                                              "or withdrawn.")],
                   on: Annotated[str | None, typer.Option("--date", help="When it happened (default today).")] = None,
                   reason: Annotated[str, typer.Option(help="Why (required for withdrawn).")] = "",
                   as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Record a site's new status (appended to its history; the history is never rewritten)."""
    with reported():
        records = open_records(load_workspace(workspace))
        actor = cli_actor(records, as_user, needs="editor")
        when = _day(on, "--date") or date.today()
        with records.session() as s:
            models.set_status(s, actor, site_id, status, when, reason, where=f"site {site_id}")
        out.print(f"{site_id}: {status} on {when} (recorded by {actor}).")


@sites_app.command("progress")
def progress_cmd(workspace: WorkspaceOpt = None) -> None:
    """Sites lit against the plan: the run rate needed and when the current rate reaches the target."""
    with reported():
        from . import trajectory

        ws = load_workspace(workspace)
        with open_records(ws).session() as s:
            sites = models.list_sites(s)
        p = trajectory.progress(sites, config.load(ws.root))
        out.print(f"As of {p['as_of']}: {p['lit']:,} of {p['target']:,} sites lit (plan: {p['planned_now']:,.0f}); "
                  f"{p['withdrawn']} withdrawn, {p['in_programme']:,} in the programme.")
        needed = p["run_rate_needed_per_month"]
        out.print(f"Current rate {p['current_rate_per_month']} a month; needed "
                  f"{'(target date passed)' if needed is None else needed} a month to reach {p['target']:,} by "
                  f"{p['target_date']}; at the current rate: {p['date_target_reached'] or 'never'}.")
        if p["illustrative"]:
            err.print(ILLUSTRATIVE, highlight=False)


@sites_app.command("seed-demo")
def seed_demo_cmd(workspace: WorkspaceOpt = None,
                  if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing (exit 0) if the register has sites.")] = False,
                  build: Annotated[bool, typer.Option(help="Rebuild the store afterwards (backbone reach).")] = True) -> None:
    """Add the demo register: 1,400 real public buildings (OpenStreetMap), illustrative statuses."""
    with reported():
        from ..demo.programme_demo import has_sites, seed

        ws = load_workspace(workspace)
        records = open_records(ws)
        if has_sites(records):
            if if_empty:
                out.print("The programme register already holds sites; the demo was not added.")
                return
            raise ObservatoryError("The programme register already holds sites. The demo goes into an empty "
                                   "register only (use --if-empty in scripts).")
        premises = _premises(ws, required=False)
        with records.session() as s:
            counts = seed(s, ws.root, premises)
        out.print(f"Seeded {counts['sites']:,} programme sites ({counts['lit']:,} lit) with {counts['statuses']:,} "
                  "status changes. Locations: OpenStreetMap (ODbL); statuses and dates illustrative.")
        if premises is not None and build:
            # The store's backbone reach figures come from the register: rebuild so they are there.
            from ..cli_common import progress
            from ..pipeline import run

            bar, step = progress()
            with bar:
                run(ws, step)
                step(None)
            out.print("Rebuilt the store with backbone reach from the new register.")


def _scenario_text(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(file, "the file does not exist.", fix="Give a text file of site ids, 'all planned' "
                         "or 'kind: school'.") from None
    except UnicodeDecodeError:
        raise InputError(file, "the file is not UTF-8 text.", fix="Save it as UTF-8 text.") from None


def reach_cmd(distance: Annotated[float | None, typer.Option(help="Metres (default [programme] reach_distance_m, or 200).")] = None,
              scenario: Annotated[Path | None, typer.Option(help="A file of site ids (or 'all planned', 'kind: school') "
                                                                 "to light as well: shows the change by area.")] = None,
              level: Annotated[str, typer.Option(help="ward, lad, region or all.")] = "all",
              format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
              on: Annotated[str | None, typer.Option("--date", help="Reach on this date of the register (default: all lit).")] = None,
              workspace: WorkspaceOpt = None) -> None:
    """Backbone reach: the share of premises within DISTANCE of a lit programme site, by area."""
    with reported():
        check_format(format, ("table", "csv", "json"))
        from . import backbone
        from .premises import APPROXIMATION

        if level not in ("ward", "lad", "region", "all"):
            raise ObservatoryError(f"--level '{level}' is not known. Use ward, lad, region or all.")
        ws = load_workspace(workspace)
        cfg = config.load(ws.root)
        distance = cfg.reach_distance_m if distance is None else distance
        if not 0 < distance <= 5000:
            raise ObservatoryError(f"--distance {distance:g}: give metres above 0 and at most 5000.")
        premises = _premises(ws, required=True)
        with open_records(ws).session() as s:
            sites = models.list_sites(s)
        if not sites:
            raise ObservatoryError("The programme register is empty: import sites (`observatory sites import`) "
                                   "or add the demo (`observatory sites seed-demo`).")
        cov = backbone.Coverage(premises, backbone.Register.of(sites), distance)
        day = _day(on, "--date")
        if scenario is not None:
            chosen = backbone.parse_scenario(_scenario_text(scenario), cov.register, where=str(scenario))
            result = backbone.scenario(cov, chosen["sites"], day)
            rows, extra = result["rows"], {"scenario": chosen["description"], "sites_added": result["sites_added"]}
        else:
            rows, extra = backbone.reach_on(cov, day), {}
        rows = [r for r in rows if level == "all" or r["level"] == level]
        _print_reach(rows, format, {"distance_m": distance, "date": on, "premises_release": premises.release,
                                    "illustrative": cov.register.illustrative or premises.synthetic,
                                    "method": APPROXIMATION, **extra})


def _print_reach(rows: list[dict], format: str, info: dict) -> None:
    if format == "json":
        sys.stdout.write(json.dumps({**info, "rows": rows}, indent=1) + "\n")
        return
    if format == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else ["level"], lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        sys.stdout.write(buf.getvalue())
        return
    scen = "change" in (rows[0] if rows else {})
    table = Table("Level", "Code", "Name", "Premises", "Reached", "Share %", *(("With scenario %", "Change (pts)") if scen else ()))
    for r in rows:
        cells = [r["level"], r["code"], r["name"], f"{r['premises']:,.0f}", f"{r['reached']:,.0f}",
                 "" if r["share"] is None else f"{r['share']:.1f}"]
        if scen:
            cells += ["" if r["share_after"] is None else f"{r['share_after']:.1f}",
                      "" if r["change"] is None else f"{r['change']:+.1f}"]
        table.add_row(*cells)
    out.print(table)
    out.print(f"Within {info['distance_m']:g} m of a lit site" + (f"; scenario: {info['scenario']} "
              f"({info['sites_added']} sites added)" if scen else "") + ".")
    err.print(info["method"], highlight=False, soft_wrap=True)
    if info["illustrative"]:
        err.print(ILLUSTRATIVE + " Premises counts below district level are synthetic in the demo.", highlight=False)
