"""/api/v1/inclusion and /api/v1/hubs: the exclusion-risk index, an area's profile and the support
hubs, as JSON (the list also as CSV)."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from ..inclusion import hubs as hubs_mod
from ..inclusion.explain import explain
from ..inclusion.model import ILLUSTRATIVE_GAPS
from ..inclusion.priority import flat_columns, flat_row, view
from .api import ok
from .inclusion import ApiLevel, Comparison, Mode, Sort, district_of, model_of, weights_of
from .render import store_of

router = APIRouter(prefix="/api/v1", tags=["inclusion"])

WEIGHTS_HELP = ("Weights over the workspace's defaults, e.g. `broadband:5,aged_75_plus:8` (components and "
                "indicators by id; numbers >= 0). The form fields `c_<component>=N` and `i_<indicator>=N` work too.")
COMPARE_HELP = "Min-max scaling within: lad, ca or england (default: the workspace's choice)."


@router.get("/inclusion", summary="The exclusion-risk index and priority list (JSON or CSV)")
def api_inclusion(
    request: Request,
    level: Annotated[ApiLevel, Query(description="lsoa, ward (default) or lad.")] = "ward",
    compare_within: Annotated[Comparison | None, Query(description=COMPARE_HELP)] = None,
    mode: Annotated[Mode, Query(description="relative (published method) or absolute (baseline bounds).")] = "relative",
    weights: Annotated[str | None, Query(description=WEIGHTS_HELP)] = None,
    sort: Annotated[Sort, Query(description="priority (default), index, district, distance, aged_75 or name.")] = "priority",
    top: Annotated[int | None, Query(ge=1, description="Only the first N areas.")] = None,
    sensitivity: Annotated[bool, Query(description="Include the 1,000-draw weight sensitivity (about 0.3 s the "
                                                   "first time for new weights).")] = True,
    format: Annotated[str, Query(pattern="^(json|csv)$", description="json or csv.")] = "json",
    within: Annotated[str, Query(description="Only the areas of this district (its ONS code, as "
                                             "/api/v1/overview lists the districts), as the page's district filter.")] = "",
    q: Annotated[str, Query(description="Only the areas whose name or code contains this text.")] = "",
) -> Response:
    model = model_of(request)
    result = model.compute(level, compare_within, mode, weights_of(request, model, weights), sensitivity)
    data = view(result, sort, top, within=district_of(result, within), q=q)
    if format == "csv":
        return _csv(data)
    return ok(data)


def _csv(data: dict) -> Response:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(flat_columns(data))
    for r in data["areas"]:
        w.writerow(flat_row(r, data))
    headers = {"Content-Disposition": f'attachment; filename="exclusion-risk-{data["level"]}{"-" + data["within"] if data["within"] else ""}.csv"'}
    if data["illustrative"]:
        headers["X-Observatory-Notice"] = ILLUSTRATIVE_GAPS
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/inclusion/{code}", summary="Why an area scores what it scores")
def api_inclusion_area(
    request: Request,
    code: Annotated[str, Path(description="An LSOA 2021, ward (May 2025) or district code.")],
    compare_within: Annotated[Comparison | None, Query(description=COMPARE_HELP)] = None,
    mode: Annotated[Mode, Query()] = "relative",
    weights: Annotated[str | None, Query(description=WEIGHTS_HELP)] = None,
) -> JSONResponse:
    model = model_of(request)
    return ok(explain(model, code, compare_within, mode, weights_of(request, model, weights)))


@router.get("/hubs", summary="Support hubs: libraries, community centres and the council's own list")
def api_hubs(
    request: Request,
    within: Annotated[str | None, Query(description="Only hubs inside this area (a district or ward code).")] = None,
) -> JSONResponse:
    model = model_of(request)
    hubset = model.hubs
    chosen = hubs_mod.inside(hubset, store_of(request), within) if within else range(len(hubset.hubs))
    return ok({"hubs": [hubset.hubs[i].as_dict() for i in chosen], "sources": hubset.sources, "within": within,
               "distance_m": hubset.distance_m,
               "distance": "straight line on the British National Grid, not travel time"})
