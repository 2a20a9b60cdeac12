"""The versioned JSON API, /api/v1. The same views as the pages, plus the raw figures and the map
layers. Breaking changes go in /api/v2; v1 only gains fields."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ..levels import LEVEL_LABELS, LEVELS
from ..overview import overview
from ..strategy.coverage_targets import target_value
from . import catalogue, downloads, params
from .geo import compressed_response, layer_response
from .mapview import map_view
from .pages import Format, MapLevel, Order, Sort, area_profile
from .profiles import postcode
from .render import check_indicator, marked, snapshot_of, store_of, targets_of
from .tiles import MEDIA_TYPE as TILE_MEDIA_TYPE

router = APIRouter(prefix="/api/v1")

Level = Literal["postcode", "oa", "lsoa", "msoa", "ward", "lad", "group", "ca", "rgn", "nation", "ew", "gb", "uk"]
ShapeLevel = Literal["oa", "lsoa", "msoa", "ward", "lad"]
RELEASE_HELP = "An as-of month YYYY-MM (e.g. 2025-07), or 'latest'."


def ok(data: dict[str, Any]) -> JSONResponse:
    # JSONResponse directly: the views already return plain JSON types, and skipping FastAPI's
    # response-model encoding keeps large figure lists fast.
    return JSONResponse(marked(data))


@router.get("/overview", tags=["views"], summary="Headline coverage for the region and districts")
def api_overview(request: Request) -> JSONResponse:
    return ok(overview(store_of(request), targets_of(request)))


@router.get("/figures", tags=["figures"], summary="Figures for one indicator, level and release")
def api_figures(
    request: Request,
    indicator: Annotated[str, Query(description="An indicator id, e.g. gigabit (see /api/v1/indicators).")],
    level: Annotated[Level, Query(description="A geographic level.")],
    release: Annotated[str, Query(description=RELEASE_HELP)] = "latest",
    area: Annotated[str | None, Query(description="Only this area code.")] = None,
    within: Annotated[str | None, Query(description="Only areas inside this one, by its ONS code (e.g. a district's or the region's).")] = None,
    all_methods: Annotated[
        bool,
        Query(
            description="Every figure of each area side by side (e.g. the publisher's own and the "
            "observatory's roll-up), not only the one the observatory shows.",
        ),
    ] = False,
) -> JSONResponse:
    check_indicator(request, indicator)
    rows = store_of(request).figures(
        level, indicator, params.release(release), area=area, within=within, all_methods=all_methods
    )
    return ok(
        {
            "indicator": indicator,
            "level": level,
            "release": rows[0]["release"] if rows else release,
            "figures": rows,
            "illustrative": any(r["synthetic"] for r in rows),
        }
    )


@router.get("/map", tags=["views"], summary="The map view: classed figures, legend and summary")
def api_map(
    request: Request,
    indicator: str = "gigabit",
    level: MapLevel = "lad",
    release: Annotated[str, Query(description=RELEASE_HELP)] = "latest",
    sort: Sort = "name",
    order: Order = "asc",
    within: Annotated[str, Query(description="Only the areas inside this district or ward (a GSS code).")] = "",
) -> JSONResponse:
    check_indicator(request, indicator)
    region = snapshot_of(request).region
    return ok(map_view(store_of(request), indicator, level, params.release(release), sort, order,
                       region, within or None, page=None, target=target_value(targets_of(request), indicator, region)))


@router.get("/areas/{code}", tags=["views"], summary="An area's profile")
def api_area(request: Request, code: Annotated[str, Path(description="A GSS code or a postcode.")],
             indicator: Annotated[str, Query(description="What the areas inside it are ranked on.")] = "",
             sort: Literal["rank", "name"] = "rank") -> JSONResponse:
    return ok(area_profile(request, code, indicator, sort))


@router.get("/postcodes/{text}", tags=["views"], summary="A postcode's areas and key figures")
def api_postcode(request: Request, text: str) -> JSONResponse:
    return ok(postcode(store_of(request), text))


@router.get("/search", tags=["reference"],
            summary="Places and areas whose name or code contains the text, 20 areas a page")
def api_search(request: Request, q: str = "", page: Annotated[int, Query(ge=1)] = 1) -> JSONResponse:
    data = catalogue.search(store_of(request), q, page, request.app.state.workspace_dir)
    data["postcode"] = params.normalise_postcode(q)
    return ok(data)


@router.get("/releases", tags=["reference"], summary="Every release loaded, with provenance")
def api_releases(request: Request) -> JSONResponse:
    return ok({"releases": catalogue.sources(store_of(request))["releases"]})


@router.get("/indicators", tags=["reference"], summary="Indicator definitions")
def api_indicators(request: Request) -> JSONResponse:
    return ok({"indicators": store_of(request).indicators(), "available": snapshot_of(request).available})


@router.get("/levels", tags=["reference"], summary="Geographic levels, finest first")
def api_levels() -> JSONResponse:
    return ok({"levels": [{"id": lv, "label": LEVEL_LABELS[lv]} for lv in LEVELS]})


@router.get(
    "/geometry/{level}",
    tags=["maps"],
    summary="Simplified boundaries of a level (GeoJSON, gzip, ETag)",
    response_class=Response,
)
async def api_geometry(request: Request, level: ShapeLevel) -> Response:
    # async: once built, a layer is a dictionary look-up, so it should not queue for a worker
    # thread behind slower requests; the first build runs in the thread pool.
    layers = snapshot_of(request).layers
    layer = layers.cached(level) or await run_in_threadpool(layers.get, level)
    return layer_response(request, layer)


@router.get(
    "/tiles/{level}/{z}/{x}/{y}.pbf",
    tags=["maps"],
    summary="The same boundaries as Mapbox Vector Tiles (XYZ, Web Mercator; 204 where a tile has no area)",
    response_class=Response,
)
async def api_tile(request: Request, level: ShapeLevel, z: int, x: int, y: int) -> Response:
    # async, as for the layers: a tile already cut is a look-up; cutting one runs in the thread pool
    tiles = snapshot_of(request).tiles
    found, tile = tiles.cached(level, z, x, y)
    if not found:
        tile = await run_in_threadpool(tiles.get, level, z, x, y)
    if tile is None:
        return Response(status_code=204, headers={"Cache-Control": "no-cache"})
    return compressed_response(request, tile.body, tile.gzipped, tile.etag, TILE_MEDIA_TYPE)


@router.get(
    "/download",
    tags=["figures"],
    summary="Figures as CSV, GeoJSON or GeoPackage",
    response_class=Response,
)
def api_download(
    request: Request,
    indicator: str,
    level: Level,
    release: Annotated[str, Query(description=RELEASE_HELP)] = "latest",
    format: Format = "csv",
) -> Response:
    check_indicator(request, indicator)
    return downloads.download(store_of(request), indicator, level, params.release(release), format)
