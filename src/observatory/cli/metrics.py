"""`observatory metrics ...`: the strategy metrics, their status and the rule behind it; entering
values (a role, audited); CSV import and export; coverage forecasts; the demo's values."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table

from ..demo.identity import ALLOW, DEMO_NAME, refuse_outside_demo
from ..demo.metrics_demo import seed as seed_values
from ..errors import ObservatoryError
from ..months import month_words
from ..records.auth import cli_actor
from ..records.db import Records
from ..strategy import models
from ..strategy.board import Board, open_board
from ..strategy.status import STATUSES, fmt, select
from ..strategy.values_csv import export_csv, import_csv
from .common import AsUser, WorkspaceOpt, load_workspace, out, parse_date, reported
from .output import CsvOut, FormatOpt, TableOrJsonOpt, emit, write

metrics_app = typer.Typer(help="Strategy metrics: status from the trajectory, with the rule; entered values.",
                          invoke_without_command=True)

CSV_COLUMNS = ("id", "title", "priority", "life_stage", "owner", "status", "latest", "latest_date", "target",
               "target_date", "projected", "needed_per_year", "reaches", "illustrative", "rule")


def register(app: typer.Typer) -> None:
    app.add_typer(metrics_app, name="metrics")


def _board(workspace: Path | None) -> Board:
    return open_board(load_workspace(workspace))


def _needs_records(board: Board) -> Records:
    if board.records is None:
        raise ObservatoryError(board.records_reason or "No records database.")
    return board.records


def _label(status: str) -> str:
    colour = {"red": "red", "amber": "yellow", "green": "green"}.get(status)
    word = status.upper() if status != "no data" else "NO DATA"
    return f"[bold {colour}]{word}[/]" if colour else word  # the word itself, never colour alone


@metrics_app.callback()
def metrics_list(
    ctx: typer.Context,
    priority: Annotated[str | None, typer.Option(help="Only this priority.")] = None,
    life_stage: Annotated[str | None, typer.Option("--life-stage", help="Only this life stage.")] = None,
    status: Annotated[str | None, typer.Option(help="Only red, amber, green or 'no data'.")] = None,
    format: FormatOpt = "table",
    workspace: WorkspaceOpt = None,
) -> None:
    """Every metric with its status, trajectory and the rule used (or a command below)."""
    if ctx.invoked_subcommand is not None:
        return
    with reported():
        if status is not None and status not in STATUSES:
            raise ObservatoryError(f"--status '{status}' is not known. Use red, amber, green or 'no data'.")
        board = _board(workspace)
        fw = board.config.framework
        if priority is not None and priority not in fw.all_priorities:
            raise ObservatoryError(f"--priority '{priority}' is not a priority in {board.config.file.name}. "
                                   f"Priorities: {', '.join(fw.all_priorities)}.")
        if life_stage is not None and life_stage not in fw.life_stages:
            raise ObservatoryError(f"--life-stage '{life_stage}' is not a life stage in {board.config.file.name}. "
                                   f"Life stages: {', '.join(fw.life_stages)}.")
        rows = select(board.rows(), priority, life_stage, status)
        if format == "json":
            emit({"framework_label": fw.label, "metrics": rows}, format)
        elif format == "csv":
            emit([_csv_row(r) for r in rows], format, columns=CSV_COLUMNS)
        else:
            _show_metrics(rows, fw.label)


def _show_metrics(rows: list[dict[str, Any]], framework_label: str) -> None:
    """One block per metric, grouped by priority: readable at 80 columns, the rule beside (under)
    every status."""
    group = None
    for r in rows:
        if r["priority"] != group:
            group = r["priority"]
            out.print(f"\n[bold underline]{escape(group)}[/]")
        mark = " (illustrative)" if r["illustrative"] else ""
        out.print(f"{_label(r['status'])}  [bold]{escape(r['display_title'])}[/]{escape(mark)}  [dim]{escape(r['id'])}[/]")
        latest = fmt(r["latest"], r["unit"])
        when = f" ({r.get('latest_words') or r['latest_date']})" if r["latest_date"] else ""
        out.print(Padding(escape(f"{r['life_stage']}. Latest {latest}{when}; target "
                                 f"{fmt(r['target']['value'], r['unit'])} by {r['target']['date']}."), (0, 0, 0, 4)))
        out.print(Padding(escape(r["rule"]), (0, 0, 0, 4)))
        if r["status"] != "no data" and r.get("words"):
            out.print(Padding(escape(r["words"]), (0, 0, 0, 4)))
    out.print()
    c = {s: sum(r["status"] == s for r in rows) for s in STATUSES}
    out.print(f"{len(rows)} metric{'s' if len(rows) != 1 else ''}: {c['green']} green, {c['amber']} amber, {c['red']} red, "
              f"{c['no data']} no data. `observatory metrics show ID` gives each one's values.")
    if framework_label:
        out.print(escape(framework_label) + ".")
    if any(r["illustrative"] for r in rows):
        out.print(f"Metrics marked (illustrative) hold example values of the {DEMO_NAME}, made up by the project's "
                  "seeded example script (`observatory metrics seed-demo`), not real figures.")


def _csv_row(r: dict[str, Any]) -> list[str]:
    return [r["id"], r["display_title"], r["priority"], r["life_stage"], r["owner"], r["status"],
            _num(r["latest"]), r["latest_date"] or "", _num(r["target"]["value"]), r["target"]["date"],
            _num(r["projected"]), _num(r["needed_per_year"]), r["reaches"] or "",
            "yes" if r["illustrative"] else "no", r["rule"]]


def _num(v: float | None) -> str:
    return "" if v is None else f"{v:.4g}" if abs(v) < 1000 else f"{v:.0f}"


@metrics_app.command("show")
def show(metric_id: str, workspace: WorkspaceOpt = None, format: TableOrJsonOpt = "table") -> None:
    """One metric: its definition, status and rule, trajectory and values."""
    with reported():
        r = _board(workspace).one(metric_id)
        if format == "json":
            emit(r, format)
            return
        out.print(f"[bold]{escape(r['display_title'])}[/] ({r['id']})" + (" (illustrative)" if r["illustrative"] else ""))
        for label, value in (("Priority", r["priority"]), ("Life stage", r["life_stage"]), ("Owner", r["owner"]),
                             ("Source", r["source"]["describe"]),
                             ("Target", f"{fmt(r['target']['value'], r['unit'])} by {r['target']['date']} "
                                        f"({'higher' if r['direction'] == 'higher' else 'lower'} is better; "
                                        f"tolerance {fmt(r['tolerance'], r['unit'])})"),
                             ("Baseline", "-" if not r["baseline"] else
                              f"{fmt(r['baseline']['value'], r['unit'])} "
                              f"{r['baseline'].get('when') or 'on ' + r['baseline']['date']} "
                              f"({r['baseline']['from']})")):
            out.print(f"{label}: {escape(str(value))}")
        out.print(f"Status: {_label(r['status'])}")
        out.print(f"Rule: {escape(r['rule'])}")
        out.print(f"Trajectory: {escape(r['words'])}")
        for note in r["notes"]:
            out.print(f"Note: {escape(note)}")
        if r["values"]:
            table = Table("Date", "Value", "From")
            for v in r["values"]:
                table.add_row(v["label"], fmt(v["value"], r["unit"]),
                              escape(v["source"]) + (" (illustrative)" if v["illustrative"] else ""))
            out.print(table)


@metrics_app.command("set")
def set_value(metric_id: str, value: Annotated[str, typer.Argument(help="The value, a number without units.")],
              on: Annotated[str, typer.Option("--date", help="The date it was measured, YYYY-MM-DD.")],
              note: Annotated[str, typer.Option(help="Where the figure comes from.")] = "",
              as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Record a value of an entered metric (needs the editor role; audited)."""
    with reported():
        board = _board(workspace)
        metric = board.config.get(metric_id)
        if metric.source.kind != "entered":
            raise ObservatoryError(f"Metric {metric_id} takes its values from the {metric.source.describe()}; "
                                   "only metrics with source kind \"entered\" take values from people.")
        try:
            number = float(value.replace(",", ""))
        except ValueError:
            raise ObservatoryError(f"'{value}' is not a number. Give the value without units, e.g. 1250.") from None
        records = _needs_records(board)
        actor = cli_actor(records, as_user, needs="editor")
        with records.session() as s:
            models.add_value(s, actor, metric_id, number, parse_date(on, "--date"), note)
        r = board.one(metric_id)
        out.print(f"Recorded {metric_id} = {number:g} on {on} (as {actor}). Status now: {_label(r['status'])}. "
                  f"{escape(r['rule'])}")


@metrics_app.command("export")
def export(file: CsvOut = None, workspace: WorkspaceOpt = None) -> None:
    """Write every entered value as CSV."""
    with reported():
        with _needs_records(_board(workspace)).session() as s:
            text = export_csv(s)
        write(text, file)


@metrics_app.command("import")
def import_(file: Annotated[Path, typer.Argument(help="CSV: metric_id, date, value[, note, illustrative].")],
            as_user: AsUser = None, workspace: WorkspaceOpt = None) -> None:
    """Add entered values from a CSV (all rows or none; needs the editor role; audited)."""
    with reported():
        board = _board(workspace)
        records = _needs_records(board)
        actor = cli_actor(records, as_user, needs="editor")
        with records.session() as s:
            n = import_csv(s, actor, file, board.config)
        out.print(f"{file.name}: {n['added']} values added, {n['unchanged']} already held.")


@metrics_app.command("forecasts")
def forecasts_cmd(workspace: WorkspaceOpt = None, format: TableOrJsonOpt = "table") -> None:
    """When the region and each district reach the coverage targets on the current trend."""
    with reported():
        rows = _board(workspace).forecasts()
        if format == "json":
            emit(rows, format)
            return
        if not rows:
            out.print("No coverage forecasts: add [[target]] tables to the metrics file, and build the store.")
            return
        table = Table("Area", "Indicator", "Latest", "Target", "Reached (trend)", "80% band", "Status")
        for f in rows:
            band = f.get("reaches_band")
            table.add_row(escape(f.get("area_name") or f["area_code"]), escape(f["indicator_label"]),
                          f"{f['latest']:.1f}% ({month_words(f['latest_release'])})" if f.get("latest") is not None
                          else "-",
                          f"{f['value']:g}% by {f['date_words']}", f["reaches_words"],
                          " to ".join(month_words(d) if d else "never" for d in band) if band else "-",
                          "met" if f["meets"] else f["status_words"])
        out.print(table)


@metrics_app.command("seed-demo")
def seed_demo(workspace: WorkspaceOpt = None,
              if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing (exit 0) if values exist.")] = False,
              allow_other: Annotated[bool, typer.Option(ALLOW, help=f"Add the {DEMO_NAME}'s values to a workspace "
                                                                   "that is not the demo (labelled as the demo's).")] = False) -> None:
    """Add the demo's illustrative values of the entered metrics to the bundled demo workspace.

    The values come from a seeded, documented script."""
    with reported():
        ws = load_workspace(workspace)
        other = refuse_outside_demo(ws, "the metric values", "Enter your own with `observatory metrics set` "
                                    "(or `observatory metrics import`).", allow_other)
        board = open_board(ws)
        records = _needs_records(board)
        with records.session() as s:
            if if_empty and models.count(s) > 0:
                out.print("The records database already holds metric values; the demo values were not added.")
                return
            if models.count(s) > 0:
                raise ObservatoryError("The records database already holds metric values. Use --if-empty to skip, "
                                       "or add values with `observatory metrics set`.")
            n = seed_values(s, [m.id for m in board.config.metrics if m.source.kind == "entered"])
        out.print(f"Seeded {n} illustrative metric values of the {DEMO_NAME} (made up by the project's seeded "
                  "example script)" + (f", each noted \"{DEMO_NAME}\", in a workspace that is not the demo." if other else "."))
