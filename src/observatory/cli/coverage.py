"""The coverage commands: read the store (headline, figures, sources, check, sql); `init` writes a
new workspace's observatory.toml. `build` has a module of its own (build.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from .. import check as check_mod
from .. import workspace as workspace_mod
from ..errors import ObservatoryError
from ..geography import regions
from ..geography.local_names import NOTES as LOCAL_NAME_NOTES
from ..geography.local_names import display
from ..glossary import method_words
from ..levels import LEVEL_LABELS, LEVELS
from ..months import month_words
from ..overview import overview
from ..store import FIGURE_COLUMNS, Store
from ..strategy.freshness import freshness
from ..workspace.template import national_bundle, write_region
from .check_report import print_report
from .common import (
    WorkspaceArg,
    WorkspaceOpt,
    err,
    load_workspace,
    open_observatory,
    open_store,
    out,
    reported,
    store_of,
)
from .output import FormatOpt, TableOrJsonOpt, emit
from .region_asked import nearest_region, refuse_a_district

PARENT_WORDS = {"rgn": "English region", "ca": "combined authority", "group": "grouping"}


def register(app: typer.Typer) -> None:
    for command in (headline, figures, sources, check, sql, init):
        app.command()(command)


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
    within: Annotated[str | None, typer.Option(help="Only areas inside this one, by its ONS code (a district's or the region's; `observatory figures --level lad` lists the districts' codes).")] = None,
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
            month = month_words(rows[0]["release"] if rows else release)
            _show_figures(rows, title=f"{label}: {LEVEL_LABELS.get(level, level)}, {month}")
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
            _count(r["numerator"]), _count(r["denominator"]), method_words(r["method"]),
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
    """Every release loaded, then the boundaries, lookups and postcodes the areas come from.

    Each release with its publisher, title, as-of date, licence, origin, checksum and whether it is synthetic.

    Each geography file with its vintage and the areas of it in the store."""
    with reported():
        ws = load_workspace(workspace)
        with store_of(ws) as store:
            rows = store.releases()
            geography = _geography(ws, store)
        fresh = freshness(rows, date.today())
        if format == "table":
            _show_sources(rows)
            _show_geography(geography)
            _show_freshness(fresh, out)
        else:
            # the releases, as they always were; the geography is in the table, and in the store's areas
            emit(rows, format)
            _show_freshness([f for f in fresh if f["stale"]], err)


def _geography(ws: workspace_mod.Workspace, store: Store) -> list[dict[str, Any]]:
    """Boundaries, lookups, postcodes and MSOA names: the file, what it gives, its vintage and how
    many areas of it the store holds."""
    held = {(r["level"], r["vintage"]): r["n"] for r in
            store.rows("SELECT level, vintage, count(*) AS n FROM areas GROUP BY level, vintage")}

    def counted(level: str, vintage: str | None = None) -> tuple[str, int]:
        vintages = [(v, n) for (lv, v), n in held.items() if lv == level and vintage in (None, v)]
        return ", ".join(sorted(v or "" for v, _ in vintages)), sum(n for _, n in vintages)

    def rel(path: Path) -> str:
        try:
            return str(path.relative_to(ws.root.resolve()))
        except ValueError:
            return str(path)

    rows = []
    for level, b in sorted(ws.boundaries.items(), key=lambda kv: LEVELS.index(kv[0])):
        _, n = counted(level, b.vintage)
        rows.append({"what": f"{LEVEL_LABELS[level]} boundaries", "file": rel(b.file), "vintage": b.vintage,
                     "areas": n, "unit": "area", "columns": ", ".join(c for c in (b.code, b.name) if c)})
    for lk in ws.lookups:
        vintage, n = counted(lk.level)
        if lk.level == "group":  # the workspace's own districts, not a file ONS dates
            vintage = "the workspace's own grouping (no publisher's vintage)"
        rows.append({"what": f"District to {PARENT_WORDS.get(lk.level, lk.level)} lookup", "file": rel(lk.file),
                     "vintage": vintage, "areas": n, "unit": PARENT_WORDS.get(lk.level, "area"),
                     "columns": f"{lk.district} -> {lk.code}, {lk.name}",
                     "licence": lk.licence, "attribution": lk.attribution})
    if ws.postcodes:
        vintage, n = counted("postcode")
        rows.append({"what": "Postcode centroids", "file": rel(ws.postcodes), "vintage": vintage, "areas": n,
                     "unit": "postcode", "columns": ""})
    if ws.msoa_names:
        rows.append({"what": "MSOA names", "file": rel(ws.msoa_names.file), "vintage": ws.boundaries["msoa"].vintage,
                     "areas": None, "unit": "", "columns": ", ".join(c for c in (ws.msoa_names.code, ws.msoa_names.name) if c)})
    return rows


def _show_geography(rows: list[dict[str, Any]]) -> None:
    out.print()
    out.print(f"[bold]Geography: {len(rows)} file{'s' if len(rows) != 1 else ''}[/] (boundaries, lookups and "
              "postcodes the areas come from)")
    for r in rows:
        out.print()
        out.print(f"[bold]{escape(r['what'])}[/]", soft_wrap=False)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        grid.add_row("file", escape(r["file"]))
        grid.add_row("vintage", escape(r["vintage"] or "not recorded"))
        if r["columns"]:
            grid.add_row("columns", escape(r["columns"]))
        for key in ("licence", "attribution"):
            if r.get(key):
                grid.add_row(key, escape(r[key]))
        if r["areas"] is not None:
            unit = r["unit"] if r["areas"] == 1 else (r["unit"][:-1] + "ies" if r["unit"].endswith("ty") else r["unit"] + "s")
            grid.add_row("in the store", f"{r['areas']:,} {unit}")
        out.print(grid)


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

    Exit code 0: everything matches and every parent is complete.

    Exit code 1: something differs, a parent figure covers only part of its premises, or a level lost most of its figures since the previous build.

    Exit code 2: the store could not be read."""
    with reported():
        ws = load_workspace(workspace)
        with store_of(ws) as store:
            report = check_mod.run(store, ws)
        if format == "table":
            print_report(report, out)
            _show_freshness(report["freshness"], out)
        else:
            emit(report, format)
    raise typer.Exit(0 if report["ok"] else 1)


def _show_freshness(rows: list[dict[str, Any]], console: Any) -> None:
    """Each publisher's newest table here; a warning where its cadence implies a newer one is out."""
    for r in rows:
        colour = "yellow" if r["stale"] else "default"
        text = f"{r['words']} {r.get('action') or ''}".strip()
        console.print(f"[{colour}]{escape(text)}[/]", highlight=False)


def sql(query: Annotated[str, typer.Argument(help='A SELECT query, e.g. "SELECT * FROM releases".')],
        workspace: WorkspaceOpt = None,
        format: FormatOpt = "table",
        timeout: Annotated[float, typer.Option(help="Stop the query after this many seconds.")] = 30.0,
        max_rows: Annotated[int, typer.Option(help="Print at most this many rows (a note says when more exist).")] = 10_000,
        ) -> None:
    """Run read-only SQL against the store (tables: facts, areas, membership, releases, indicators, findings).

    A query is stopped after --timeout seconds (default 30) or at once by Ctrl-C, and may use at most 2 GB of memory.

    At most --max-rows rows are printed."""
    with reported():
        if max_rows < 1 or timeout <= 0:
            raise ObservatoryError("--max-rows and --timeout must be positive numbers.")
        with open_store(workspace) as store:
            columns, rows = store.sql(query, timeout=timeout, max_rows=max_rows)
        emit(rows[:max_rows], format, columns=columns)
        if len(rows) > max_rows:
            err.print(f"Showing the first {max_rows:,} rows; there are more. Use --max-rows for more, or "
                      "aggregate in the query.")


def init(directory: Annotated[Path, typer.Argument(help="Folder for the new workspace.")],
         region: Annotated[str | None, typer.Option(
             "--region", help="A combined authority (E47...) or English region (E12...) by its ONS code or name: "
             "writes a workspace for it that builds as it stands.")] = None,
         districts: Annotated[str | None, typer.Option(
             "--districts", help="Your own grouping instead: LAD 2025 codes separated by commas, e.g. "
             "E08000017,E08000018.")] = None,
         name: Annotated[str | None, typer.Option("--name", help="The region's name (default: its ONS name).")] = None,
         ) -> None:
    """Write a commented observatory.toml for a new region (with --region: ready to build)."""
    with reported():
        if region is None and districts is None:
            if name is not None:
                raise ObservatoryError("--name goes with --region or --districts.")
            path = workspace_mod.write_template(directory)
            out.print(f"Wrote {path}. Fill in your region's files, then run `observatory build {directory}`. "
                      "For a combined authority or English region, `observatory init FOLDER --region CODE` writes "
                      "a workspace that builds as it stands.", highlight=False)
            return
        bundle = national_bundle()
        laua = [s for s in bundle.sources if s.kind == "ofcom-laua-coverage"]
        areas = regions.read_areas(bundle.lookups, max(laua, key=lambda s: s.as_of or "") if laua else None)
        if region:
            refuse_a_district(areas, region, directory)
        try:
            chosen = regions.resolve(areas, region, districts.split(",") if districts is not None else None, name)
        except ObservatoryError as exc:
            hint = nearest_region(areas, region) if region and districts is None else None
            if hint is None:
                raise
            raise ObservatoryError(f"{exc}\nDid you mean --region {hint}?") from None
        given = f"--region {region}" if region else f"--districts {districts}"
        command = f"observatory init {directory} {given}" + (f' --name "{name}"' if name else "")
        path = write_region(directory, code=chosen.code, name=chosen.name, level=chosen.level,
                            districts=chosen.districts, bundle=bundle, command=command,
                            group_file="data/lookups/districts.csv" if chosen.level == "group" else None)
        for note in chosen.notes:
            err.print(escape(note), highlight=False)
        out.print(f"Wrote {escape(str(path))} for {escape(chosen.described)}: "
                  f"{escape(', '.join(chosen.district_names))}.", highlight=False)
        out.print(f"The national files it reads are copied into {escape(str(Path(directory) / 'data'))} "
                  "(data/SOURCES.md lists them). Next:", highlight=False)
        out.print(f"  observatory build {escape(str(directory))}\n  observatory serve {escape(str(directory))}",
                  highlight=False)
        out.print("The file's commented blocks add wards and neighbourhoods, postcodes, the exclusion-risk index, "
                  "the programme, metrics and records: each names the dataset to download.",
                  highlight=False)

