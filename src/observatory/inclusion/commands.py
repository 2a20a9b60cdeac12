"""`observatory inclusion ...` and `observatory hubs`: where to act, and where support already is."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from ..cli_common import WorkspaceOpt, check_format, err, load_workspace, out, reported
from ..errors import ObservatoryError
from ..store import Store
from . import config as config_mod
from . import hubs as hubs_mod
from .explain import explain as explain_area
from .model import ILLUSTRATIVE_GAPS, Model
from .priority import COLUMNS, SORTS, view

app = typer.Typer(help="Where to act: the digital-exclusion risk index, its priority list and area profiles.",
                  invoke_without_command=True)

Compare = Annotated[str | None, typer.Option("--compare-within", help="Comparison area for min-max scaling: lad, ca "
                                             "or england (default: the comparison set in the workspace's observatory.toml).")]
Mode = Annotated[str, typer.Option("--mode", help="relative (the published method) or absolute (bounds saved from "
                                   "a baseline: comparable across years).")]
WeightsOpt = Annotated[Path | None, typer.Option("--weights", help="A TOML file of weights: a components table "
                                                 "and an indicators table of numbers >= 0.")]


def register(main: typer.Typer) -> None:
    main.add_typer(app, name="inclusion")
    main.command("hubs")(hubs_command)


def _model(workspace: Path | None) -> tuple[Model, Store]:
    ws = load_workspace(workspace)
    store = Store(ws.store_path)
    return Model.load(ws, store), store


def _weights(model: Model, file: Path | None):
    return config_mod.load_weights(model.cfg, file) if file else None


def _check(mode: str, level: str | None = None) -> None:
    if mode not in ("relative", "absolute"):
        raise ObservatoryError(f"--mode '{mode}' is not known. Use relative or absolute.")
    if level is not None and level not in ("lsoa", "ward", "lad"):
        raise ObservatoryError(f"--level '{level}' is not known. Use lsoa, ward or lad.")


@app.callback()
def inclusion(
    ctx: typer.Context,
    compare_within: Compare = None,
    mode: Mode = "relative",
    weights: WeightsOpt = None,
    level: Annotated[str, typer.Option("--level", help="lsoa, ward (default: councils work in wards) or lad.")] = "ward",
    top: Annotated[int | None, typer.Option("--top", help="Show the first N (default 20 in a table, all in csv/json).")] = None,
    sort: Annotated[str, typer.Option("--sort", help=f"One of {', '.join(SORTS)}.")] = "priority",
    format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    workspace: WorkspaceOpt = None,
) -> None:
    """The priority list: high risk, far from support, many residents aged 75+ (by ward by default)."""
    if ctx.invoked_subcommand is not None:
        return
    with reported():
        check_format(format, ("table", "csv", "json"))
        _check(mode, level)
        if top is not None and top < 1:
            raise ObservatoryError("--top must be 1 or more.")
        model, store = _model(workspace)
        try:
            result = model.compute(level, compare_within, mode, _weights(model, weights), sensitivity=True)
            data = view(result, sort, top if top else (20 if format == "table" else None))
        finally:
            store.close()
        if format == "json":
            sys.stdout.write(json.dumps(data, indent=1, default=str) + "\n")
        elif format == "csv":
            _csv(data)
        else:
            _table(data)


def _csv(data: dict) -> None:
    comps = [c["id"] for c in data["methodology"]["components"]]
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow([*COLUMNS, *comps, "tier_text", "confidence_text", "illustrative"])
    for r in data["areas"]:
        w.writerow([*(r.get(c, "") for c in COLUMNS), *(r["components"][c] for c in comps), r["tier_text"],
                    r.get("confidence_text", ""), "yes" if data["illustrative"] else "no"])
    if data["illustrative"]:
        err.print(f"Illustrative data: {ILLUSTRATIVE_GAPS}", highlight=False, soft_wrap=True)


def _table(data: dict) -> None:
    level = {"lsoa": "LSOA", "ward": "ward", "lad": "district"}[data["level"]]
    share = data["methodology"]["high_risk"]
    table = Table(title=f"Where to act first: {level}s by exclusion risk ({data['mode']}, compared within "
                        f"{data['comparison']})", title_justify="left")
    # fits 80 columns: codes, districts and components are in --format csv/json
    for col, just in (("#", "right"), (level, "left"), ("index", "right"), ("top 10%", "right"),
                      ("nearest hub", "right"), ("75+", "right"), ("risk", "left")):
        table.add_column(col, justify=just, overflow="fold")
    flags = {1: "high, no hub", 2: "high", 3: ""}
    for n, r in enumerate(data["areas"], start=1):
        table.add_row(str(n), escape(r["name"]), f"{r['index']:.2f}",
                      f"{100 * r['confidence']:.0f}%" if r.get("confidence") is not None else "",
                      f"{r['nearest_hub_m']:,.0f} m" if r["nearest_hub_m"] is not None else "none",
                      f"{r['aged_75_plus']:,}", flags[r["tier"]])
    out.print(table)
    out.print("top 10%: share of 1,000 weightings in which the area is in the top 10%. Nearest hub: straight "
              "line from the population-weighted centre.")
    out.print(f"{data['high_risk']} of {data['areas_total']} {level}s are high risk ({share}); "
              f"{data['high_risk_no_hub']} of them have no hub within {data['methodology']['hub_distance_m']:,.0f} m "
              "(straight line, not travel time).")
    _method_notes(data)


def _method_notes(data: dict) -> None:
    m = data["methodology"]
    out.print(f"[bold]Method:[/] {m['method']} Weights from {escape(m['weights_from'])}.")
    for s in m["substitutes"]:
        out.print(f"  substitute: {escape(s['label'])} for \"{escape(s['substitute_for'])}\". {escape(s['reason'])}",
                  soft_wrap=True, highlight=False)
    for x in m["missing"]:
        out.print(f"  missing: {escape(x['indicator'])} ({x['component']}). {escape(x['reason'])}",
                  soft_wrap=True, highlight=False)
    for note in data["notes"]:
        out.print(f"  note: {escape(note)}", soft_wrap=True, highlight=False)
    out.print(f"[bold]Caution:[/] {escape(data['cautions'][0])}", soft_wrap=True, highlight=False)
    if data["illustrative"]:
        out.print(f"[bold yellow]Illustrative data:[/] {escape(ILLUSTRATIVE_GAPS)}", soft_wrap=True, highlight=False)


@app.command("explain")
def explain_command(
    code: Annotated[str, typer.Argument(help="An LSOA 2021, ward (May 2025) or district code.")],
    compare_within: Compare = None,
    mode: Mode = "relative",
    weights: WeightsOpt = None,
    format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    workspace: WorkspaceOpt = None,
) -> None:
    """Why an area scores what it scores: components, indicators, raw values and their releases."""
    with reported():
        check_format(format, ("table", "json"))
        _check(mode)
        model, store = _model(workspace)
        try:
            data = explain_area(model, code, compare_within, mode, _weights(model, weights))
        finally:
            store.close()
        if format == "json":
            sys.stdout.write(json.dumps(data, indent=1, default=str) + "\n")
            return
        a = data["area"]
        noun = {"lsoa": "LSOA", "ward": "ward", "lad": "district"}[a["level"]]
        out.print(f"[bold]{escape(a['name'])} ({a['code']})[/], {noun} in {escape(a['district_name'])}: index "
                  f"{data['index']:.2f}, rank {data['rank']} of {data['of']} (compared within {data['comparison']}, "
                  f"{data['mode']}); {data['confidence_text']}.", soft_wrap=True)
        t = Table(title="Contributions to the index (score 0-10 x weight share = adds; illus. = illustrative)",
                  title_justify="left")
        t.add_column("component / indicator", ratio=1, overflow="fold")
        for col in ("value", "release", "score", "weight", "adds"):
            t.add_column(col, justify="left" if col == "release" else "right", no_wrap=True)
        for c in data["components"]:
            t.add_row(f"[bold]{c['id']}[/]", "", "", _n(c["score"]), f"{c['weight']:g}", _n(c["contribution"], 3))
            for i in (i for i in data["indicators"] if i["component"] == c["id"]):
                label = escape(i["label"]) + (" (substitute)" if i["substitute_for"] else "")
                rel = f"{i['release']}" + (" (illus.)" if i["synthetic"] else "")
                t.add_row("  " + label, _n(i["value"], 3), escape(rel), _n(i["score"]), f"{i['weight']:g}",
                          _n(i["contribution"], 3))
        out.print(t)
        r = data["row"]
        out.print(f"Nearest hub: {escape(r['nearest_hub'] or 'none')} ({_n(r['nearest_hub_m'], 0)} m, straight line); "
                  f"{r['hubs_within']} within {data['hub_distance_m']:,.0f} m. Residents aged 75+: {r['aged_75_plus']:,} "
                  f"({r['aged_75_plus_pct']}%).", soft_wrap=True)
        _method_notes(data)


def _n(v, places: int = 2) -> str:
    return "" if v is None else f"{v:,.{places}f}"


@app.command("baseline")
def baseline_command(
    output: Annotated[Path | None, typer.Option("--output", help="Where to save (default: the baseline file named in observatory.toml).")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Save the current min and max of every indicator as the reference bounds for --mode absolute."""
    with reported():
        model, store = _model(workspace)
        try:
            path = model.save_baseline(output)
        finally:
            store.close()
        out.print(f"Saved reference bounds to {path}. `--mode absolute` now scores every later release against them.")


def hubs_command(
    within: Annotated[str | None, typer.Option("--within", help="Only hubs inside this area (a district or ward code).")] = None,
    format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    workspace: WorkspaceOpt = None,
) -> None:
    """Support hubs (libraries, community centres, the council's own list) and where they are."""
    with reported():
        check_format(format, ("table", "csv", "json"))
        ws = load_workspace(workspace)
        cfg = config_mod.load(ws)
        with Store(ws.store_path) as store:
            hubset = hubs_mod.load(cfg, store)
            chosen = hubs_mod.inside(hubset, store, within) if within else range(len(hubset.hubs))
            rows = [hubset.hubs[i].as_dict() for i in chosen]
        if format == "json":
            sys.stdout.write(json.dumps({"hubs": rows, "sources": hubset.sources, "within": within}, indent=1) + "\n")
            return
        if format == "csv":
            w = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["name"], lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
            return
        if not rows:
            out.print(f"No support hubs inside {within}.")
            for s in hubset.sources:
                out.print(f"Source: {escape(s)}", soft_wrap=True)
            return
        t = Table(title=f"Support hubs{' within ' + within if within else ''}: {len(rows)}", title_justify="left")
        for col in ("name", "kind", "district", "easting", "northing"):
            t.add_column(col, overflow="fold")
        for r in rows:
            t.add_row(escape(r["name"]), r["kind"], r["district"], f"{r['easting']}", f"{r['northing']}")
        out.print(t)
        for s in hubset.sources:
            out.print(f"Source: {escape(s)}", soft_wrap=True)
