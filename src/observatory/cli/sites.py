"""`observatory sites ...` (the Full Fibre programme's site register) and `observatory reach`
(backbone reach by area). Changes need a user with the editor role (--as USER or
OBSERVATORY_USER), as every records command does."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ..app import Observatory
from ..demo.identity import ALLOW, DEMO_NAME, is_demo, refuse_outside_demo, register_note
from ..demo.programme_demo import TARGET as DEMO_SITES
from ..demo.programme_demo import has_sites
from ..demo.programme_demo import seed as seed_sites
from ..errors import InputError, ObservatoryError, StoreError
from ..months import day_words
from ..programme import models, register_io, trajectory
from ..programme.premises import Premises, from_store
from ..programme.reach_by_area import reach_by_area
from ..records.auth import cli_actor
from ..records.db import open_records
from ..workspace import Workspace
from .common import (
    AsUser,
    WorkspaceOpt,
    err,
    load_workspace,
    out,
    parse_date,
    reported,
    store_of,
)
from .output import FormatOpt, emit, format_option, write

sites_app = typer.Typer(help="The Full Fibre programme's site register: import, export, list, change status.",
                        no_args_is_help=True)
ILLUSTRATIVE = (f"Illustrative register: the {DEMO_NAME}'s sites, whose statuses and dates were made up by the "
                "project's seeded example script (`observatory sites seed-demo`); site locations (c) OpenStreetMap "
                "contributors, ODbL 1.0.")
# How to fill an empty register: a council's own sites, or (in the demo workspace) the demo's.
OWN_SITES = ("Import the programme's sites from a CSV (`observatory sites import FILE`; `observatory sites "
             "export` on an empty register writes the columns it reads).")


def illustrative_note(rows: list[dict[str, Any]]) -> str | None:
    """Where the sites shown come from, when some are the demo's (demo.identity.register_note)."""
    demo = sum(1 for r in rows if r["illustrative"])
    return ILLUSTRATIVE if demo and demo == len(rows) else register_note(demo, len(rows))


def empty_register(ws: Workspace) -> str:
    """What to do about an empty register: the demo's seed only in the demo workspace."""
    demo = " Or add the demo's register (`observatory sites seed-demo`)." if is_demo(ws) else ""
    return f"The programme register is empty. {OWN_SITES}{demo}"


def register(app: typer.Typer) -> None:
    app.add_typer(sites_app, name="sites")
    app.command("reach")(reach_cmd)


def _premises(ws: Workspace, required: bool) -> Premises | None:
    if not ws.store_path.exists():
        if required:
            raise StoreError(f"No store at {ws.store_path}: backbone reach needs the postcodes and premises "
                             "counts. Run `observatory build` first.")
        err.print("No store built yet: district and ward are not derived (run `observatory build`, then "
                  "import again to fill them).", highlight=False)
        return None
    with store_of(ws) as store:
        return from_store(store)


@sites_app.command("import")
def import_cmd(file: Annotated[Path, typer.Argument(help="A CSV with the columns of `observatory sites export`.")],
               as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Add or change sites from a CSV (all rows checked first; nothing is written if one is wrong)."""
    with reported():
        ws = load_workspace(workspace)
        records = open_records(ws)
        actor = cli_actor(records, as_user, needs="editor")
        premises = _premises(ws, required=False)
        with records.session() as s:
            counts = register_io.import_csv(s, actor, file, premises)
        out.print(f"Imported {escape(str(file))}: {_counted(counts['added'], 'site')} added, {counts['changed']:,} "
                  f"changed, {_counted(counts['statuses'], 'status change')} recorded.", highlight=False)


def _counted(n: int, noun: str) -> str:
    """'1 site', '2 sites'."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@sites_app.command("export")
def export_cmd(format: Annotated[str, format_option("csv", "geojson")] = "csv",
               out_file: Annotated[Path | None, typer.Option("--out", help="Write to this file (default: stdout).")] = None,
               workspace: WorkspaceOpt = None) -> None:
    """Write the register as CSV (one row per site, its history in the status columns) or GeoJSON."""
    with reported():
        with open_records(load_workspace(workspace)).session() as s:
            text = register_io.export_csv(s) if format == "csv" else register_io.export_geojson(s)
        write(text, out_file)


@sites_app.command("list")
def list_cmd(status: Annotated[str | None, typer.Option(help="Only sites whose current status is this.")] = None,
             kind: Annotated[str | None, typer.Option(help="Only sites of this kind.")] = None,
             workspace: WorkspaceOpt = None) -> None:
    """List sites with their current status."""
    with reported():
        ws = load_workspace(workspace)
        with open_records(ws).session() as s:
            rows = models.list_sites(s, status=status, kind=kind)
        if not rows:
            out.print(escape("No sites match." if status or kind else empty_register(ws)), highlight=False)
            return
        table = Table("Id", "Name", "Kind", "District", "Status", "Since")
        for r in rows:
            table.add_row(r["id"], r["name"], r["kind"], r["district_code"], r["status"] or "", r["status_date"] or "")
        out.print(table)
        out.print(f"{_counted(len(rows), 'site')}.")
        note = illustrative_note(rows)
        if note:
            err.print(note, highlight=False)


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
        when = parse_date(on, "--date") or date.today()
        with records.session() as s:
            models.set_status(s, actor, site_id, status, when, reason, where=f"site {site_id}")
        out.print(f"{site_id}: {status} on {when} (recorded by {actor}).")


@sites_app.command("progress")
def progress_cmd(workspace: WorkspaceOpt = None) -> None:
    """Sites lit against the plan: the run rate needed and when the current rate reaches the target.

    Without a target: the sites lit and the forecast for the register, then why there is no plan (exit 1, so that a script notices)."""
    with reported():
        ws = load_workspace(workspace)
        with open_records(ws).session() as s:
            sites = models.list_sites(s)
        if not sites:
            _nothing_to_show_of("progress", empty_register(ws))
        p = trajectory.progress(sites, ws.programme)
        if p["target"] is None:
            out.print(f"As of {day_words(p['as_of'])}: {p['lit']:,} of the {_counted(p['in_programme'], 'site')} in the "
                      f"programme lit; {p['withdrawn']} withdrawn.", highlight=False)
            out.print(p["forecast"]["words"], highlight=False)
            _say_why_not("progress against a plan", NO_TARGET)
            _illustrative(p)
            raise typer.Exit(1)
        plan = "" if p["planned_now"] is None else f" (plan: {p['planned_now']:,.0f})"
        out.print(f"As of {day_words(p['as_of'])}: {p['lit']:,} of {p['target']:,} sites lit{plan}; "
                  f"{p['withdrawn']} withdrawn, {p['in_programme']:,} in the programme.", highlight=False)
        out.print(p["forecast"]["words"], highlight=False)
        needed = p["run_rate_needed_per_month"]
        out.print(f"The target date ({day_words(p['target_date'])}) has passed." if needed is None else
                  f"Reaching {p['forecast']['target']:,} by {day_words(p['target_date'])} needs {needed} a month.",
                  highlight=False)
        _illustrative(p)


def _illustrative(progress: dict[str, Any]) -> None:
    if progress["illustrative"]:
        err.print(ILLUSTRATIVE, highlight=False)


@sites_app.command("seed-demo")
def seed_demo_cmd(workspace: WorkspaceOpt = None,
                  if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing (exit 0) if the register has sites.")] = False,
                  build: Annotated[bool, typer.Option(help="Work out the store's backbone reach from the register afterwards.")] = True,
                  allow_other: Annotated[bool, typer.Option(ALLOW, help=f"Add the {DEMO_NAME}'s register to a workspace "
                                                                       "that is not the demo (labelled as the demo's).")] = False) -> None:
    """Add the West Yorkshire demo's register to the demo workspace.

    Real public buildings of West Yorkshire (OpenStreetMap), with illustrative statuses.

    Refused in any other workspace unless --allow-other-workspace is given."""
    with reported():
        ws = load_workspace(workspace)
        other = refuse_outside_demo(ws, f"the programme register ({DEMO_SITES:,} West Yorkshire buildings)", OWN_SITES,
                                    allow_other)
        records = open_records(ws)
        if has_sites(records):
            if if_empty:
                out.print("The programme register already holds sites; the demo was not added.")
                return
            raise ObservatoryError("The programme register already holds sites. The demo goes into an empty "
                                   "register only (use --if-empty in scripts).")
        premises = _premises(ws, required=False)
        with records.session() as s:
            counts = seed_sites(s, ws.root, premises, elsewhere=other)
        out.print(f"Seeded the {DEMO_NAME}'s {counts['sites']:,} programme sites ({counts['lit']:,} lit) with "
                  f"{counts['statuses']:,} status changes. Locations: OpenStreetMap (ODbL); statuses and dates "
                  "illustrative" + (f"; each noted \"{DEMO_NAME}\", in a workspace that is not the demo." if other else "."),
                  highlight=False)
        if premises is not None and build:
            # The store's backbone reach figures come from the register: worked out from it now, as
            # after any edit of it (the whole store is rebuilt only where they need cells hidden).
            Observatory(ws).follow_records()
            out.print("Worked out the store's backbone reach from the new register.")


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
              format: FormatOpt = "table",
              on: Annotated[str | None, typer.Option("--date", help="Reach on this date of the register (default: all lit).")] = None,
              workspace: WorkspaceOpt = None) -> None:
    """Backbone reach: the share of premises within DISTANCE of a lit programme site, by area."""
    with reported():
        if level not in ("ward", "lad", "region", "all"):
            raise ObservatoryError(f"--level '{level}' is not known. Use ward, lad, region or all.")
        ws = load_workspace(workspace)
        distance = ws.programme.reach_distance_m if distance is None else distance
        if not 0 < distance <= 5000:
            raise ObservatoryError(f"--distance {distance:g}: give metres above 0 and at most 5000.")
        premises = _premises(ws, required=True)
        if premises is None or not len(premises.postcode) or not premises.release:
            _nothing_to_show(NO_PREMISES)
        with Observatory(ws) as obs:
            reason = obs.records_reason()  # asking never creates a database
        if reason is not None:
            _nothing_to_show(f"there is no programme register: {reason}")
        with open_records(ws).session() as s:
            sites = models.list_sites(s)
        if not sites:
            _nothing_to_show(empty_register(ws))
        reach = reach_by_area(premises, sites, distance, on=parse_date(on, "--date"), level=level,
                              scenario=_scenario_text(scenario) if scenario else None, scenario_where=str(scenario))
        if format == "table":
            _show_reach(reach)
        elif format == "json":
            emit(reach, format)
        else:
            emit(reach["rows"], format, columns=None if reach["rows"] else ["level"])


# Why a workspace has no backbone reach when it has no premises below district level, and what to add.
NO_PREMISES = ("backbone reach counts the premises near each lit site, and this workspace has no premises "
               "located below district level. Add the postcodes (ONS, \"National Statistics Postcode Lookup "
               "(NSPL)\", Open Government Licence v3.0: [postcodes] in observatory.toml) and Ofcom's output-area "
               "coverage file (Ofcom, Connected Nations, Open Government Licence v3.0: a [[sources]] table of "
               "kind \"ofcom-small-area-zip\"), with the output areas' boundaries ([boundaries.oa]); the "
               "commented blocks `observatory init` writes name each file. Then run `observatory build`.")


# A workspace that sets no programme target has none (the code holds no default): progress against a
# plan needs the council's own. The officer is told which setting to add; pages say it in plain words.
NO_TARGET = ("this workspace sets no programme target, so there is no plan to measure the sites lit against. "
             "Add target (the number of sites to light), start_date and target_date to [programme] in "
             "observatory.toml (the commented [programme] block `observatory init` wrote names each).")


def _nothing_to_show(why: str) -> None:
    """Say why there is no backbone reach, and exit 1 so that a script notices."""
    _nothing_to_show_of("backbone reach", why)


def _nothing_to_show_of(what: str, why: str) -> None:
    _say_why_not(what, why)
    raise typer.Exit(1)


def _say_why_not(what: str, why: str) -> None:
    err.print(escape(f"No {what} to show: {why[0].lower() + why[1:]}"), highlight=False)


def _show_reach(reach: dict[str, Any]) -> None:
    rows = reach["rows"]
    scen = "scenario" in reach
    table = Table("Level", "Code", "Name", "Premises", "Reached", "Share %", *(("With scenario %", "Change (pts)") if scen else ()))
    for r in rows:
        cells = [r["level"], r["code"], r["name"], f"{r['premises']:,.0f}", f"{r['reached']:,.0f}",
                 "" if r["share"] is None else f"{r['share']:.1f}"]
        if scen:
            cells += ["" if r["share_after"] is None else f"{r['share_after']:.1f}",
                      "" if r["change"] is None else f"{r['change']:+.1f}"]
        table.add_row(*cells)
    out.print(table)
    out.print(f"Within {reach['distance_m']:g} m of a lit site" + (f"; scenario: {reach['scenario']} "
              f"({reach['sites_added']} sites added)" if scen else "") + ".")
    err.print(reach["method"], highlight=False)
    if reach.get("areas_at_point"):
        err.print(f"{reach['premises_at_area_point']:,.0f} premises of {reach['areas_at_point']:,} output areas with "
                  "no postcode in the postcode file are placed at the output area's own point.", highlight=False)
    if reach["illustrative"]:
        err.print(ILLUSTRATIVE + " Premises counts below district level are synthetic in the demo.", highlight=False)
