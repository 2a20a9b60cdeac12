"""The dashboard's pages. Each view builds one dictionary; `render` shows it as HTML through a
template, or as the page's JSON twin."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from ..overview import overview
from ..strategy.coverage_targets import target_value
from . import catalogue, downloads, mapchoice, params
from .challenges import with_challenges  # residents' reports that the published coverage is wrong
from .charts import bars_for
from .inclusion import with_inclusion  # the exclusion-risk summary, when configured
from .live import Snapshot
from .mapview import client_data, map_view
from .metrics import with_forecasts  # the strategy's coverage targets on an area's profile
from .profiles import postcode as postcode_view
from .profiles import profile
from .render import (  # noqa: F401 - pages' API
    check_indicator,
    marked,
    render,
    settings_version,
    snapshot_of,
    store_of,
    targets_of,
)

router = APIRouter(include_in_schema=False)

MapLevel = Literal["lad", "ward", "msoa", "lsoa", "oa"]
Sort = Literal["name", "code", "value"]
Order = Literal["asc", "desc"]
Format = Literal["csv", "geojson", "gpkg"]


@router.get("/")
def home(request: Request) -> Response:
    return render(request, "overview.html", overview(store_of(request), targets_of(request)),
                  title="Overview")


@router.get("/map")
def map_page(
    request: Request,
    indicator: str = "gigabit",
    level: MapLevel = "lad",
    release: str = "latest",
    sort: Sort = "name",
    order: Order = "asc",
    within: str = "",
    page: int = 1,
) -> Response:
    check_indicator(request, indicator)
    snap = snapshot_of(request)
    choice = mapchoice.nearest(snap.store, snap.available, indicator, level, params.release(release), within)
    data = map_view(snap.store, choice.indicator, choice.level, choice.release, sort, order, snap.region,
                    choice.within, page, target_value(targets_of(request), choice.indicator, snap.region))
    data["notices"] = choice.notices
    views = mapchoice.offered(snap.available)
    labels = {a["indicator"]: a["indicator_label"] for a in snap.available}
    query = {"indicator": choice.indicator, "level": choice.level, "release": choice.release,
             "within": choice.within or ""}
    return render(
        request,
        "map.html",
        data,
        title=f"Map: {data['indicator']['label']}",
        levels=mapchoice.level_options(views, choice.indicator),
        choices=mapchoice.indicator_options(views, labels, choice.level),
        districts=_districts(snap) if choice.level != "lad" else [],
        tile_url=request.app.state.tile_url,
        areas_url="/map/areas?" + urlencode(query),
        bars=bars_for(data) if data["bars"] else "",
        goto=_goto(snap, choice.level, data["figures"]),
        requested_release=choice.release,
    )


@router.get("/map/areas")
def map_areas(request: Request, indicator: str = "gigabit", level: MapLevel = "lad", release: str = "latest",
              within: str = "") -> JSONResponse:
    """Every figure the map is coloured from (the page's table is one page of them)."""
    check_indicator(request, indicator, level)
    snap = snapshot_of(request)
    data = map_view(snap.store, indicator, level, params.release(release), "name", "asc", snap.region,
                    within or None, page=None, target=target_value(targets_of(request), indicator, snap.region))
    out = client_data(data, snap.suppress_below)
    # Where the areas with figures are (the map fits itself to them), from the layer's boxes.
    out["bounds"] = snap.layers.get(level).bounds(out["areas"])
    return JSONResponse(out)


def _goto(snap: Snapshot, level: str, rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The table page's areas for the map's "show an area" select (its keyboard route to the
    map): each with a point inside it for the map to go to."""
    points = snap.layers.points(level)
    out = []
    for r in rows:
        at = points.get(r["area_code"])
        if at is None:
            continue
        where = ", ".join(n for n in (r.get("ward_name"), r.get("district_name")) if n and n != r["area_name"])
        label = (r["area_name"] or r["area_code"]) + (f" ({where})" if where else "")
        out.append({"code": r["area_code"], "label": label, "at": f"{at[0]:.5f},{at[1]:.5f}"})
    return out


def _districts(snap: Snapshot) -> list[dict[str, str]]:
    if not snap.region:
        return []
    return [{"code": d["code"], "name": d["name"]} for d in snap.store.children(snap.region, "lad")]


@router.get("/areas/{code}")
def area_page(request: Request, code: str, indicator: str = "", sort: Literal["rank", "name"] = "rank") -> Response:
    """`indicator` and `sort`: what the table of the areas inside this one ranks them on, and how
    it is sorted."""
    data = area_profile(request, code, indicator, sort)
    area = data["area"]
    # a council's own grouping of districts has a code the observatory made up, which means
    # nothing to a reader; every other area's code is the publisher's (ONS)
    title = area["display_name"] if area["level"] == "group" else f"{area['display_name']} ({area['code']})"
    return render(request, "area.html", data, title=title)


def area_profile(request: Request, code: str, indicator: str = "", sort: str = "rank") -> dict:
    """An area's profile as the page and the API both give it: its figures and standings against
    the targets, its exclusion risk and its residents' challenges."""
    snap = snapshot_of(request)
    settings = settings_version(request)
    # the figures, forecasts and exclusion risk read the store and the settings only: kept for
    # this store, so that the challenge counts (read from the records, and refreshed every few
    # seconds) do not recompute them
    key = ("area profile", code, indicator, sort, settings, tuple(sorted(request.query_params.multi_items())))
    data = snap.remember(key, lambda: with_inclusion(request, with_forecasts(
        request, profile(snap.store, code, indicator or None, sort, targets_of(request)))))
    return with_challenges(request, dict(data))


@router.get("/postcodes/{text}")
def postcode_page(request: Request, text: str) -> Response:
    normal = params.normalise_postcode(text)
    if normal and normal != text:
        return _redirect(request, f"/postcodes/{quote(normal)}")
    data = postcode_view(store_of(request), text)
    return render(request, "postcode.html", data, title=f"Postcode {data['postcode']}")


@router.get("/search")
def search_page(request: Request, q: str = "", page: int = 1) -> Response:
    text = q.strip()
    normal = params.normalise_postcode(text)
    if normal:
        return _redirect(request, f"/postcodes/{quote(normal)}")
    data = catalogue.search(store_of(request), text, page, request.app.state.workspace_dir)
    exact = [r for r in data["results"] if r["code"].lower() == text.lower()]
    if exact:
        return _redirect(request, f"/areas/{quote(exact[0]['code'])}")
    return render(request, "search.html", data, title="Search")


def _redirect(request: Request, path: str) -> Response:
    # Keep the caller on the JSON side when it asked for JSON by suffix.
    if request.scope.get("observatory.json"):
        path += ".json"
    return RedirectResponse(path, status_code=303)


@router.get("/sources")
def sources_page(request: Request) -> Response:
    return render(request, "sources.html", catalogue.sources(store_of(request)), title="Data and sources")


@router.get("/download")
def download(
    request: Request,
    indicator: str,
    level: Literal["postcode", "oa", "lsoa", "msoa", "ward", "lad", "group", "ca", "rgn", "nation", "ew", "gb", "uk"],
    release: str = "latest",
    format: Format = "csv",
    within: str = "",
) -> Response:
    check_indicator(request, indicator)
    return downloads.download(store_of(request), indicator, level, params.release(release), format, within or None)
