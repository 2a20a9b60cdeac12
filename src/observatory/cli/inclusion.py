"""`observatory inclusion ...` and `observatory hubs`: where to act, and where support already is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import ObservatoryError
from ..inclusion import hubs as hubs_mod
from ..inclusion.explain import explain as explain_area
from ..inclusion.model import ILLUSTRATIVE_GAPS, Model
from ..inclusion.priority import SORTS, flat_columns, flat_row, view
from ..workspace.inclusion import InclusionConfig, Weights, load_weights, require
from .common import WorkspaceOpt, err, load_workspace, out, reported, store_of
from .output import FormatOpt, TableOrJsonOpt, emit

inclusion_app = typer.Typer(help="Where to act: the digital-exclusion risk index, its priority list and area profiles.",
                            invoke_without_command=True)

Compare = Annotated[str | None, typer.Option("--compare-within", help="Comparison area for min-max scaling: lad, ca "
                                             "or england (default: the comparison set in the workspace's observatory.toml).")]
Mode = Annotated[str, typer.Option("--mode", help="relative (the published method) or absolute (bounds saved from "
                                   "a baseline: comparable across years).")]
WeightsOpt = Annotated[Path | None, typer.Option("--weights", help="A TOML file of weights: a components table "
                                                 "and an indicators table of numbers >= 0.")]
NOUN = {"lsoa": "LSOA", "ward": "ward", "lad": "district"}


def register(app: typer.Typer) -> None:
    app.add_typer(inclusion_app, name="inclusion")
    app.command("hubs")(hubs_command)


@contextmanager
def _model(workspace: Path | None) -> Iterator[Model]:
    """The inclusion model of the workspace, over its store (closed afterwards)."""
    ws = load_workspace(workspace)
    with store_of(ws) as store:
        yield Model.load(ws, store)


def _weights(model: Model, file: Path | None) -> Weights | None:
    return load_weights(model.cfg, file) if file else None


def _check(mode: str, level: str | None = None) -> None:
    if mode not in ("relative", "absolute"):
        raise ObservatoryError(f"--mode '{mode}' is not known. Use relative or absolute.")
    if level is not None and level not in NOUN:
        raise ObservatoryError(f"--level '{level}' is not known. Use lsoa, ward or lad.")


@inclusion_app.callback()
def inclusion(
    ctx: typer.Context,
    compare_within: Compare = None,
    mode: Mode = "relative",
    weights: WeightsOpt = None,
    level: Annotated[str, typer.Option("--level", help="lsoa, ward (default: councils work in wards) or lad.")] = "ward",
    top: Annotated[int | None, typer.Option("--top", help="Show the first N (default 20 in a table, all in csv/json).")] = None,
    sort: Annotated[str, typer.Option("--sort", help=f"One of {', '.join(SORTS)}.")] = "priority",
    district: Annotated[str | None, typer.Option("--district", help="Only the areas of this district (a district "
                                                 "code, e.g. E08000032).")] = None,
    format: FormatOpt = "table",
    workspace: WorkspaceOpt = None,
) -> None:
    """The priority list: high risk, far from support, many residents aged 75+ (by ward by default)."""
    if ctx.invoked_subcommand is not None:
        return
    with reported():
        _check(mode, level)
        if top is not None and top < 1:
            raise ObservatoryError("--top must be 1 or more.")
        with _model(workspace) as model:
            result = model.compute(level, compare_within, mode, _weights(model, weights), sensitivity=True)
            data = view(result, sort, top if top else (20 if format == "table" else None), within=district)
        if format == "table":
            _show_priorities(data)
        elif format == "json":
            emit(data, format)
        else:
            emit([flat_row(r, data) for r in data["areas"]], format, columns=flat_columns(data))
            if data["illustrative"]:
                err.print(f"Illustrative data: {ILLUSTRATIVE_GAPS}", highlight=False)


def _show_priorities(data: dict[str, Any]) -> None:
    level = NOUN[data["level"]]
    share = data["methodology"]["high_risk"]
    place = f" in {data['within_name']}" if data.get("within_name") else ""
    table = Table(title=f"Where to act first: {level}s{place} by exclusion risk ({data['mode']}, compared within "
                        f"{data['comparison']}; {data['ranked_within']})", title_justify="left")
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
    out.print("top 10%: share of 1,000 alternative weightings under which the area is in the top 10% (the weights "
              "only). Nearest hub: straight line from the population-weighted centre.")
    out.print(escape(data["rests_on"]["text"]), highlight=False)
    if data["rests_on"].get("domains_text"):
        out.print(escape(data["rests_on"]["domains_text"]), highlight=False)
    out.print(f"{data['high_risk']} of {data['areas_total']} {level}s{place} are high risk ({share}); "
              f"{data['high_risk_no_hub']} of them have no hub within {data['methodology']['hub_distance_m']:,.0f} m "
              "(straight line, not travel time).")
    _method_notes(data)


def _method_notes(data: dict[str, Any]) -> None:
    m = data["methodology"]
    out.print(f"[bold]Method:[/] {m['method']} Weights from {escape(m['weights_from'])}.")
    for s in m["substitutes"]:
        out.print(f"  substitute: {escape(s['label'])} for \"{escape(s['substitute_for'])}\". {escape(s['reason'])}",
                  highlight=False)
    for x in m["missing"]:
        out.print(f"  missing: {escape(x['indicator'])} ({x['component']}). {escape(x['reason'])}",
                  highlight=False)
    for note in data["notes"]:
        out.print(f"  note: {escape(note)}", highlight=False)
    out.print(f"[bold]Caution:[/] {escape(data['cautions'][0])}", highlight=False)
    if data["illustrative"]:
        out.print(f"[bold yellow]Illustrative data:[/] {escape(ILLUSTRATIVE_GAPS)}", highlight=False)


@inclusion_app.command("explain")
def explain_command(
    code: Annotated[str, typer.Argument(help="An LSOA 2021, ward (May 2025) or district code.")],
    compare_within: Compare = None,
    mode: Mode = "relative",
    weights: WeightsOpt = None,
    format: TableOrJsonOpt = "table",
    workspace: WorkspaceOpt = None,
) -> None:
    """Why an area scores what it scores: components, indicators, raw values and their releases."""
    with reported():
        _check(mode)
        with _model(workspace) as model:
            data = explain_area(model, code, compare_within, mode, _weights(model, weights))
        if format == "json":
            emit(data, format)
        else:
            _show_explanation(data)


def _show_explanation(data: dict[str, Any]) -> None:
    a = data["area"]
    out.print(f"[bold]{escape(a['name'])} ({a['code']})[/], {NOUN[a['level']]} in {escape(a['district_name'])}: index "
              f"{data['index']:.2f}, {escape(data['rank_text'])} (compared within {data['comparison']}, "
              f"{data['mode']}); it {data['confidence_text']}.")
    out.print(escape(data["reason"]), highlight=False)
    for x in data["left_out"]:
        out.print(f"  without {escape(x['without'])}: {x['text']}", highlight=False)
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
              f"({r['aged_75_plus_pct']}%).")
    _method_notes(data)


def _n(v: float | None, places: int = 2) -> str:
    return "" if v is None else f"{v:,.{places}f}"


@inclusion_app.command("baseline")
def baseline_command(
    output: Annotated[Path | None, typer.Option("--output", help="Where to save (default: the baseline file named in observatory.toml).")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Save the current min and max of every indicator as the reference bounds for --mode absolute."""
    with reported():
        with _model(workspace) as model:
            path = model.save_baseline(output)
        out.print(f"Saved reference bounds to {path}. `--mode absolute` now scores every later release against them.")


def hubs_command(
    within: Annotated[str | None, typer.Option("--within", help="Only hubs inside this area (a district or ward code).")] = None,
    format: FormatOpt = "table",
    workspace: WorkspaceOpt = None,
) -> None:
    """Support hubs (libraries, community centres, the council's own list) and where they are.

    Exit code 1 when the workspace has no hubs at all (the message says why), 0 otherwise."""
    with reported():
        ws = load_workspace(workspace)
        cfg = require(ws.inclusion, ws.config_path)
        with store_of(ws) as store:
            hubset = hubs_mod.load(cfg, store)
            place = None
            if within:
                area = store.area(within)
                place = f"{area['name']} ({area['code']})"
            chosen = hubs_mod.inside(hubset, store, within) if within else range(len(hubset.hubs))
            rows = [hubset.hubs[i].as_dict() for i in chosen]
        none_at_all = not hubset.hubs
        if format == "table":
            _show_hubs(rows, hubset.sources, place)
        elif format == "json":
            emit({"hubs": rows, "sources": hubset.sources, "within": within}, format)
        else:
            emit(rows, format, columns=None if rows else ["name"])
        if none_at_all:
            err.print(_no_hubs(cfg), highlight=False)
            raise typer.Exit(1)


def _no_hubs(cfg: InclusionConfig) -> str:
    """Why the workspace has no support hubs, and what to add."""
    kinds = " or ".join(hubs_mod.PLURAL.get(k, k.replace("_", " ")) for k in cfg.hub_kinds)
    if cfg.sites is None and cfg.hubs is None:
        return ("No support hubs: the workspace names neither a sites file nor a list of the council's own hubs. "
                "Add sites = \"...\" (public buildings from OpenStreetMap) or hubs = \"...\" (your own CSV: name, "
                "kind, and a postcode or a position) to the [inclusion] section of observatory.toml.")
    if cfg.hubs is None:
        return (f"No support hubs: the sites file {cfg.sites.name} has no {kinds}. Check hub_kinds in the "
                "[inclusion] section of observatory.toml, or add your own list as hubs = \"...\".")
    return (f"No support hubs: neither the sites file nor {cfg.hubs.name} lists any." if cfg.sites
            else f"No support hubs: {cfg.hubs.name} lists none.")


def _show_hubs(rows: list[dict[str, Any]], sources: list[str], place: str | None) -> None:
    if rows:
        t = Table(title=f"Support hubs{' within ' + escape(place) if place else ''}: {len(rows)}", title_justify="left")
        for col in ("name", "kind", "district", "easting", "northing"):
            t.add_column(col, overflow="fold")
        for r in rows:
            t.add_row(escape(r["name"]), r["kind"], r["district"], f"{r['easting']}", f"{r['northing']}")
        out.print(t)
    elif place:
        out.print(f"No support hubs inside {escape(place)}.", highlight=False)
    for s in sources:
        out.print(f"Source: {escape(s)}")
