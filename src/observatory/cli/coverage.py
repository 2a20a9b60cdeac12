"""The coverage commands: build the store, and read it (headline, figures, sources, check, sql);
`init` writes a new workspace's observatory.toml."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from .. import check as check_mod
from .. import workspace as workspace_mod
from ..app import Observatory
from ..errors import ObservatoryError
from ..geography.local_names import NOTES as LOCAL_NAME_NOTES
from ..geography.local_names import display
from ..levels import LEVELS
from ..months import month_words
from ..overview import overview
from ..store import FIGURE_COLUMNS, Store
from .check_report import print_report
from .common import (
    WorkspaceArg,
    WorkspaceOpt,
    err,
    load_workspace,
    open_observatory,
    open_store,
    out,
    progress,
    reported,
)
from .output import FormatOpt, TableOrJsonOpt, emit

METHOD_SHORT = {"published": "published", "rolled-up": "rolled up", "estimated-weights": "estimated"}


def register(app: typer.Typer) -> None:
    for command in (build, headline, figures, sources, check, sql, init):
        app.command()(command)


def build(workspace_arg: WorkspaceArg = None, workspace: WorkspaceOpt = None) -> None:
    """Build WORKSPACE/build/observatory.duckdb from the sources observatory.toml names."""
    with reported():
        ws = load_workspace(workspace, workspace_arg)
        bar, step = progress()
        with bar:
            path = Observatory(ws).build(step)
            step(None)
        with Store(path) as store:
            facts = store.sql("SELECT count(*) FROM facts")[1][0][0]
            n_rel = len(store.releases())
        out.print(f"Built {path} ({facts:,} figure{'s' if facts != 1 else ''} from {n_rel} "
                  f"release{'s' if n_rel != 1 else ''}).")


def headline(workspace_arg: WorkspaceArg = None, workspace: WorkspaceOpt = None) -> None:
    """Headline coverage for the region and each district: latest release, changes, the targets."""
    with reported():
        with open_observatory(workspace, workspace_arg) as obs:
            data = overview(obs.store, obs.metrics)
        table = Table(title=f"{data['region']['name']}: headline coverage (latest release)")
        table.add_column("area")
        for ind in data["indicators"]:
            table.add_column(ind["label"], justify="right")
        for area in [data["region"], *data["districts"]]:
            table.add_row(area["name"], *(_headline_cell(area["figures"].get(ind["id"])) for ind in data["indicators"]))
        out.print(table)
        targets = [f"{ind['label']}: {ind['target_words']}" for ind in data["indicators"] if ind["target_words"]]
        if targets:
            out.print("Targets: " + "; ".join(targets) + ".", highlight=False)
        if data["illustrative"]:
            out.print("[bold yellow]Illustrative data:[/] some figures derive from synthetic input.")


def _headline_cell(f: dict[str, Any] | None) -> str:
    if not f or f["value"] is None:
        return ""
    text = f"{f['value']:.1f}% ({month_words(f['release'])})"
    for change in (f.get("previous"), f.get("year_before")):
        if change and not (change is f.get("year_before") and change == f.get("previous")):
            text += f"\n{change['change_pp']:+.1f} pts since {month_words(change['release'])}"
    if f.get("standing"):
        text += "\nmeets target" if f["standing"]["meets"] else f"\n{f['standing']['status_words']}"
    return text


def figures(
    level: Annotated[str, typer.Option(help=f"One of: {', '.join(LEVELS)}.")],
    indicator: Annotated[str, typer.Option(help="e.g. sfbb, ufbb100, ufbb, full_fibre, gigabit, below_uso, unable_30.")],
    release: Annotated[str, typer.Option(help="As-of month YYYY-MM, or 'latest'.")] = "latest",
    area: Annotated[str | None, typer.Option(help="One area's code.")] = None,
    within: Annotated[str | None, typer.Option(help="Only areas inside this one, e.g. E08000035 for Leeds.")] = None,
    format: FormatOpt = "table",
    all_methods: Annotated[bool, typer.Option("--all-methods", help="Show published and rolled-up figures side by side.")] = False,
    workspace: WorkspaceOpt = None,
) -> None:
    """Figures for one indicator at one level, with their provenance."""
    with reported():
        with open_store(workspace) as store:
            rows = store.figures(level, indicator, release, area, all_methods, within)
            label = store.indicator(indicator)["label"]
        if format == "table":
            _show_figures(rows, title=f"{label}: {level}, {rows[0]['release'] if rows else release}")
        else:
            emit(rows, format, columns=FIGURE_COLUMNS)


def _show_figures(rows: list[dict[str, Any]], title: str) -> None:
    # Fits 80 columns: the release is in the title (one per table), the name may wrap, and the
    # release id and vintage are in --format csv/json.
    table = Table(title=title, title_justify="left")
    table.add_column("code", no_wrap=True)
    table.add_column("name", ratio=1)
    for col in ("value", "with it", "premises"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("method", no_wrap=True)
    for r in rows:
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
    if synthetic := sum(bool(r["synthetic"]) for r in rows):
        out.print(f"[bold yellow]Illustrative data:[/] {synthetic} of these figures derive from synthetic input, not published statistics.")
    if suppressed := sum(bool(r["suppressed"]) for r in rows):
        out.print(f"{suppressed} figures suppressed (too few premises); they still count in their parents.")


def _count(x: Any) -> str:
    return "" if x is None or x != x else f"{x:,.0f}"


def sources(workspace: WorkspaceOpt = None, format: TableOrJsonOpt = "table") -> None:
    """Every release loaded: publisher, title, as-of date, licence, origin, checksum, synthetic."""
    with reported():
        with open_store(workspace) as store:
            rows = store.releases()
        if format == "table":
            _show_sources(rows)
        else:
            emit(rows, format)


def _show_sources(rows: list[dict[str, Any]]) -> None:
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


def check(workspace: WorkspaceOpt = None, format: TableOrJsonOpt = "table") -> None:
    """Compare rolled-up figures with published ones; list vintages, unlocated postcodes, suppressed cells.

    Exit code 0: everything matches and every parent is complete; 1: something differs or a parent
    figure covers only part of its premises, or a level lost most of its figures since the previous
    build; 2: the store could not be read."""
    with reported():
        ws = load_workspace(workspace)
        with Store(ws.store_path) as store:
            report = check_mod.run(store, ws)
        if format == "table":
            print_report(report, out)
        else:
            emit(report, format)
    raise typer.Exit(0 if report["ok"] else 1)


def sql(query: Annotated[str, typer.Argument(help='A SELECT query, e.g. "SELECT * FROM releases".')],
        workspace: WorkspaceOpt = None,
        format: FormatOpt = "table",
        timeout: Annotated[float, typer.Option(help="Stop the query after this many seconds.")] = 30.0,
        max_rows: Annotated[int, typer.Option(help="Print at most this many rows (a note says when more exist).")] = 10_000,
        ) -> None:
    """Run read-only SQL against the store (tables: facts, areas, membership, releases, indicators, findings).

    A query is stopped after --timeout seconds (default 30) or at once by Ctrl-C, and may use at
    most 2 GB of memory; at most --max-rows rows are printed."""
    with reported():
        if max_rows < 1 or timeout <= 0:
            raise ObservatoryError("--max-rows and --timeout must be positive numbers.")
        with open_store(workspace) as store:
            columns, rows = store.sql(query, timeout=timeout, max_rows=max_rows)
        emit(rows[:max_rows], format, columns=columns)
        if len(rows) > max_rows:
            err.print(f"Showing the first {max_rows:,} rows; there are more. Use --max-rows for more, or "
                      "aggregate in the query.")


def init(directory: Annotated[Path, typer.Argument(help="Folder for the new workspace.")]) -> None:
    """Write a commented observatory.toml for a new region."""
    with reported():
        path = workspace_mod.write_template(directory)
        out.print(f"Wrote {path}. Fill in your region's files, then run `observatory build {directory}`.")
