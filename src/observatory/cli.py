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
from rich.table import Table

from . import check as check_mod
from . import pipeline
from . import workspace as workspace_mod
from .cli_common import (
    WorkspaceArg,
    WorkspaceOpt,
    check_format,
    open_store,
    out,
    progress,
    reported,
)
from .levels import LEVELS
from .overview import overview
from .records import commands as records_commands
from .store import FIGURE_COLUMNS, Store

app = typer.Typer(help="Digital Observatory: coverage, inclusion and strategy figures for a city region.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

@app.command()
def build(workspace: WorkspaceArg = None) -> None:
    """Build WORKSPACE/build/observatory.duckdb from the sources observatory.toml names."""
    with reported():
        ws = workspace_mod.load(workspace)
        bar, step = progress()
        with bar:
            path = pipeline.run(ws, step)
            step(None)
        with Store(path) as store:
            facts = store.sql("SELECT count(*) FROM facts")[1][0][0]
            n_rel = len(store.releases())
        out.print(f"Built {path} ({facts:,} figures from {n_rel} releases).")


@app.command()
def headline(workspace: WorkspaceArg = None) -> None:
    """Headline coverage for the region and each district: latest release, changes, the ~90% target."""
    with reported():
        with open_store(workspace) as store:
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
    table = Table(title=title)
    for col in ("area_code", "area_name", "value", "numerator", "denominator", "method", "release_id"):
        table.add_column(col, justify="right" if col in ("value", "numerator", "denominator") else "left")
    synthetic = suppressed = 0
    for r in rows:
        synthetic += bool(r["synthetic"])
        suppressed += bool(r["suppressed"])
        table.add_row(
            r["area_code"], r["area_name"] or "",
            "suppressed" if r["suppressed"] else (f"{r['value']:.1f}%" if r["value"] is not None else ""),
            _count(r["numerator"]), _count(r["denominator"]), r["method"], r["release_id"],
        )
    out.print(table)
    if synthetic:
        out.print(f"[bold yellow]Illustrative data:[/] {synthetic} of these figures derive from synthetic input, not published statistics.")
    if suppressed:
        out.print(f"{suppressed} figures suppressed (too few premises); they still count in their parents.")


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
        table = Table(title="Releases in the store")
        for col in ("release_id", "publisher", "title", "as_of", "licence", "synthetic", "files used", "checksum", "origin"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(r["release_id"], r["publisher"], r["title"], r["as_of"] or "", r["licence"],
                          "SYNTHETIC" if r["synthetic"] else "real", "\n".join(r["files_used"]),
                          r["checksum"][:12], r["origin"] or r["file"])
        out.print(table)


@app.command()
def check(workspace: WorkspaceOpt = None,
          format: Annotated[str, typer.Option("--format", help="table or json.")] = "table") -> None:
    """Compare rolled-up figures with published ones; list vintages, unlocated postcodes, suppressed cells."""
    with reported():
        check_format(format, ("table", "json"))
        with open_store(workspace) as store:
            report = check_mod.run(store)
        if format == "json":
            sys.stdout.write(json.dumps(report, indent=1, default=str) + "\n")
            return
        check_mod.print_report(report, out)


@app.command()
def sql(query: Annotated[str, typer.Argument(help='A SELECT query, e.g. "SELECT * FROM releases".')],
        workspace: WorkspaceOpt = None,
        format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table") -> None:
    """Run read-only SQL against the store (tables: facts, areas, membership, releases, indicators, findings)."""
    with reported():
        check_format(format, ("table", "csv", "json"))
        with open_store(workspace) as store:
            columns, rows = store.sql(query)
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
            for r in rows[:1000]:
                table.add_row(*["" if v is None else str(v) for v in r])
            out.print(table)
            if len(rows) > 1000:
                out.print(f"(first 1,000 of {len(rows):,} rows; use --format csv for all)")


@app.command()
def init(directory: Annotated[Path, typer.Argument(help="Folder for the new workspace.")]) -> None:
    """Write a commented observatory.toml for a new region."""
    with reported():
        path = workspace_mod.write_template(directory)
        out.print(f"Wrote {path}. Fill in your region's files, then run `observatory build {directory}`.")


@app.command()
def serve(workspace: WorkspaceArg = None,
          host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
          workers: Annotated[int, typer.Option(help="Worker processes (use a PostgreSQL records database for more than 1).")] = 1) -> None:
    """Serve the dashboard (builds the store first if it is missing or older than its sources)."""
    with reported():
        from .web.server import serve as run_server

        ws = workspace_mod.load(workspace)
        if pipeline.is_current(ws):
            run_server(ws.root, host=host, port=port, workers=workers)
            return
        bar, step = progress()
        with bar:
            pipeline.ensure_built(ws, step)
            step(None)
        run_server(ws.root, host=host, port=port, workers=workers)


# Feature packages register their command groups here, one line each:
# app.add_typer(<package>.commands.app, name="<group>")   or   <package>.commands.register(app)
records_commands.register(app)


if __name__ == "__main__":
    app()
