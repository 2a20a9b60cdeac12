"""The command line: each command calls one library function and turns errors into messages.

Exit codes: 0 done, 2 a problem the message explains (bad input, bad configuration, unknown area).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from . import check as check_mod
from . import pipeline
from . import workspace as workspace_mod
from .cli_common import (
    WorkspaceArg,
    WorkspaceOpt,
    check_format,
    err,
    load_workspace,
    open_store,
    out,
    progress,
    reported,
)
from .errors import ObservatoryError
from .geography.local_names import NOTES as LOCAL_NAME_NOTES
from .geography.local_names import display
from .inclusion import commands as inclusion_commands
from .levels import LEVELS
from .overview import overview
from .programme import commands as programme_commands
from .records import commands as records_commands
from .report import commands as report_commands
from .store import FIGURE_COLUMNS, Store
from .strategy import commands as metrics_commands

app = typer.Typer(help="Digital Observatory: coverage, inclusion and strategy figures for a city region.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

@app.command()
def build(workspace_arg: WorkspaceArg = None, workspace: WorkspaceOpt = None) -> None:
    """Build WORKSPACE/build/observatory.duckdb from the sources observatory.toml names."""
    with reported():
        ws = load_workspace(workspace, workspace_arg)
        bar, step = progress()
        with bar:
            path = pipeline.run(ws, step)
            step(None)
        with Store(path) as store:
            facts = store.sql("SELECT count(*) FROM facts")[1][0][0]
            n_rel = len(store.releases())
        out.print(f"Built {path} ({facts:,} figure{'s' if facts != 1 else ''} from {n_rel} "
                  f"release{'s' if n_rel != 1 else ''}).")


@app.command()
def headline(workspace_arg: WorkspaceArg = None, workspace: WorkspaceOpt = None) -> None:
    """Headline coverage for the region and each district: latest release, changes, the ~90% target."""
    with reported():
        with open_store(workspace, workspace_arg) as store:
            data = overview(store)
        table = Table(title=f"{data['region']['name']}: headline coverage (latest release)")
        table.add_column("area")
        for ind in data["indicators"]:
            target = f" (target {ind['target']:g}%)" if ind["target"] is not None else ""
            table.add_column(ind["label"] + target, justify="right")
        for area in [data["region"], *data["districts"]]:
            cells = []
            for ind in data["indicators"]:
                f = area["figures"].get(ind["id"])
                if not f or f["value"] is None:
                    cells.append("")
                    continue
                text = f"{f['value']:.1f}% ({f['release']})"
                for change in (f.get("previous"), f.get("year_before")):
                    if change and not (change is f.get("year_before") and change == f.get("previous")):
                        text += f"\n{change['change_pp']:+.1f} pts since {change['release']}"
                if f.get("meets_target") is not None:
                    text += "\nmeets target" if f["meets_target"] else "\nbelow target"
                cells.append(text)
            table.add_row(area["name"], *cells)
        out.print(table)
        if data["illustrative"]:
            out.print("[bold yellow]Illustrative data:[/] some figures derive from synthetic input.")


@app.command()
def figures(
    level: Annotated[str, typer.Option(help=f"One of: {', '.join(LEVELS)}.")],
    indicator: Annotated[str, typer.Option(help="e.g. sfbb, ufbb100, ufbb, full_fibre, gigabit, below_uso, unable_30.")],
    release: Annotated[str, typer.Option(help="As-of month YYYY-MM, or 'latest'.")] = "latest",
    area: Annotated[str | None, typer.Option(help="One area's code.")] = None,
    within: Annotated[str | None, typer.Option(help="Only areas inside this one, e.g. E08000035 for Leeds.")] = None,
    format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    all_methods: Annotated[bool, typer.Option("--all-methods", help="Show published and rolled-up figures side by side.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Figures for one indicator at one level, with their provenance."""
    with reported():
        check_format(format, ("table", "csv", "json"))
        with open_store(workspace) as store:
            rows = store.figures(level, indicator, release, area, all_methods, within)
            label = store.indicator(indicator)["label"]
        _print_rows(rows, format, title=f"{label}: {level}, {rows[0]['release'] if rows else release}")


def _print_rows(rows: list[dict[str, Any]], format: str, title: str) -> None:
    if format == "json":
        sys.stdout.write(json.dumps(rows, indent=1, default=str) + "\n")
        return
    if format == "csv":
        w = csv.DictWriter(sys.stdout, fieldnames=list(FIGURE_COLUMNS), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        return
    # Fits 80 columns: the release is in the title (one per table), the name may wrap, and the
    # release id and vintage are in --format csv/json.
    table = Table(title=title, title_justify="left")
    table.add_column("code", no_wrap=True)
    table.add_column("name", ratio=1)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("with it", justify="right", no_wrap=True)
    table.add_column("premises", justify="right", no_wrap=True)
    table.add_column("method", no_wrap=True)
    synthetic = suppressed = 0
    for r in rows:
        synthetic += bool(r["synthetic"])
        suppressed += bool(r["suppressed"])
        table.add_row(
            r["area_code"], display(r["area_name"], r.get("area_local_name"), r.get("area_local_name_kind")),
            "suppressed" if r["suppressed"] else (f"{r['value']:.1f}%" if r["value"] is not None else ""),
            _count(r["numerator"]), _count(r["denominator"]), METHOD_SHORT.get(r["method"], r["method"]),
        )
    out.print(table)
    for kind in sorted({r.get("area_local_name_kind") for r in rows} - {None}):
        out.print(LOCAL_NAME_NOTES[kind])
    if any(r["method"] == "estimated-weights" for r in rows):
        out.print("estimated: percentages without counts, weighted by the premises of the nearest release with counts.")
    if synthetic:
        out.print(f"[bold yellow]Illustrative data:[/] {synthetic} of these figures derive from synthetic input, not published statistics.")
    if suppressed:
        out.print(f"{suppressed} figures suppressed (too few premises); they still count in their parents.")


METHOD_SHORT = {"published": "published", "rolled-up": "rolled up", "estimated-weights": "estimated"}


def _count(x: Any) -> str:
    return "" if x is None or x != x else f"{x:,.0f}"


@app.command()
def sources(workspace: WorkspaceOpt = None,
            format: Annotated[str, typer.Option("--format", help="table or json.")] = "table") -> None:
    """Every release loaded: publisher, title, as-of date, licence, origin, checksum, synthetic."""
    with reported():
        check_format(format, ("table", "json"))
        with open_store(workspace) as store:
            rows = store.releases()
        if format == "json":
            sys.stdout.write(json.dumps(rows, indent=1, default=str) + "\n")
            return
        _print_sources(rows)


def _print_sources(rows: list[dict[str, Any]]) -> None:
    """One block per release, label beside value: readable at 80 columns (the full record is in
    --format json)."""
    out.print(f"[bold]{len(rows)} release{'s' if len(rows) != 1 else ''} in the store[/]")
    for r in rows:
        out.print()
        flag = " [bold yellow]SYNTHETIC: illustrative data[/]" if r["synthetic"] else ""
        out.print(f"[bold]{escape(r['release_id'])}[/]{flag}", soft_wrap=False)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        grid.add_row("title", escape(r["title"]))
        grid.add_row("publisher", escape(r["publisher"]))
        grid.add_row("as of", r["as_of"] or "reference data")
        grid.add_row("licence", escape(r["licence"]))
        if r["attribution"]:
            grid.add_row("attribution", escape(r["attribution"]))
        grid.add_row("file", escape(r["file"]) + (f" ({', '.join(r['files_used'])})" if r["files_used"] != [r["file"].split("/")[-1]] else ""))
        grid.add_row("sha-256", r["checksum"][:16] + "…")
        if r["origin"]:
            grid.add_row("origin", escape(r["origin"]))
        for note in r.get("notes", []):
            grid.add_row("note", escape(note))
        out.print(grid)


@app.command()
def check(workspace: WorkspaceOpt = None,
          format: Annotated[str, typer.Option("--format", help="table or json.")] = "table") -> None:
    """Compare rolled-up figures with published ones; list vintages, unlocated postcodes, suppressed cells.

    Exit code 0: everything matches and every parent is complete; 1: something differs or a parent
    figure covers only part of its premises, or a level lost most of its figures since the previous
    build; 2: the store could not be read."""
    with reported():
        check_format(format, ("table", "json"))
        with open_store(workspace) as store:
            report = check_mod.run(store)
        if format == "json":
            sys.stdout.write(json.dumps(report, indent=1, default=str) + "\n")
        else:
            check_mod.print_report(report, out)
    raise typer.Exit(0 if report["ok"] else 1)


@app.command()
def sql(query: Annotated[str, typer.Argument(help='A SELECT query, e.g. "SELECT * FROM releases".')],
        workspace: WorkspaceOpt = None,
        format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
        timeout: Annotated[float, typer.Option(help="Stop the query after this many seconds.")] = 30.0,
        max_rows: Annotated[int, typer.Option(help="Print at most this many rows (a note says when more exist).")] = 10_000,
        ) -> None:
    """Run read-only SQL against the store (tables: facts, areas, membership, releases, indicators, findings).

    A query is stopped after --timeout seconds (default 30) or at once by Ctrl-C, and may use at
    most 2 GB of memory; at most --max-rows rows are printed."""
    with reported():
        check_format(format, ("table", "csv", "json"))
        if max_rows < 1 or timeout <= 0:
            raise ObservatoryError("--max-rows and --timeout must be positive numbers.")
        with open_store(workspace) as store:
            columns, rows = store.sql(query, timeout=timeout, max_rows=max_rows)
        more = len(rows) > max_rows
        rows = rows[:max_rows]
        if format == "json":
            sys.stdout.write(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], indent=1, default=str) + "\n")
        elif format == "csv":
            w = csv.writer(sys.stdout, lineterminator="\n")
            w.writerow(columns)
            w.writerows(rows)
        else:
            table = Table()
            for c in columns:
                table.add_column(c)
            for r in rows:
                table.add_row(*["" if v is None else escape(str(v)) for v in r])
            out.print(table)
        if more:
            err.print(f"Showing the first {max_rows:,} rows; there are more. Use --max-rows for more, or "
                      "aggregate in the query.")


@app.command()
def init(directory: Annotated[Path, typer.Argument(help="Folder for the new workspace.")]) -> None:
    """Write a commented observatory.toml for a new region."""
    with reported():
        path = workspace_mod.write_template(directory)
        out.print(f"Wrote {path}. Fill in your region's files, then run `observatory build {directory}`.")


@app.command()
def serve(workspace_arg: WorkspaceArg = None,
          workspace: WorkspaceOpt = None,
          host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
          workers: Annotated[int, typer.Option(help="Worker processes (use a PostgreSQL records database for more than 1).")] = 1) -> None:
    """Serve the dashboard (builds the store first if it is missing or older than its sources)."""
    with reported():
        from .web.server import serve as run_server

        ws = load_workspace(workspace, workspace_arg)
        build_error = None
        if not pipeline.is_current(ws):
            bar, step = progress()
            try:
                with bar:
                    pipeline.ensure_built(ws, step)
                    step(None)
            except ObservatoryError as exc:
                if not ws.store_path.exists():
                    raise
                # a valid older store keeps the dashboard up; the page and the log say why it is old
                build_error = str(exc)
                err.print(f"[bold yellow]The build failed; serving the previous store.[/] {escape(build_error)}",
                          soft_wrap=True)
        run_server(ws.root, host=host, port=port, workers=workers, build_error=build_error)


# Feature packages register their command groups here, one line each:
# app.add_typer(<package>.commands.app, name="<group>")   or   <package>.commands.register(app)
records_commands.register(app)
programme_commands.register(app)
report_commands.register(app)
metrics_commands.register(app)
inclusion_commands.register(app)


if __name__ == "__main__":
    app()
