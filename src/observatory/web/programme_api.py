"""/api/v1 endpoints of the Full Fibre programme: the site register, progress against the plan,
and backbone reach with scenarios. Reading is public (unless the workspace requires a sign-in);
recording a status needs the editor role (a session with its X-CSRF-Token header, or an API
token). Answers over the illustrative demo register carry `illustrative: true` and a notice."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from ..programme import models, register_io
from ..records.versions import StaleRecord
from .auth import CurrentUser, records_of, require_reader, require_role
from .programme import PROGRAMME_NOTICE, progress_data, reach_data
from .records_api import if_match, precondition_failed, tagged

router = APIRouter(prefix="/api/v1", tags=["programme"])
Editor = Depends(require_role("editor"))
Reader = Depends(require_reader)
Status = Literal["planned", "surveyed", "build in progress", "built", "lit", "withdrawn"]


class StatusIn(BaseModel):
    status: Status
    date: dt.date | None = Field(None, description="When it happened (default today; never in the future).")
    reason: str = Field("", description="Why; required when the status is withdrawn.")


def _marked(data: dict[str, Any], illustrative: bool) -> dict[str, Any]:
    data["illustrative"] = bool(illustrative)
    if illustrative:
        data["notice"] = PROGRAMME_NOTICE
    return data


@router.get("/sites/export", summary="The register as CSV (one row per site) or GeoJSON")
def export_sites(request: Request, format: Literal["csv", "geojson"] = "csv",
                 user: CurrentUser | None = Reader) -> Response:
    with records_of(request).session() as s:
        if format == "csv":
            return Response(register_io.export_csv(s), media_type="text/csv; charset=utf-8",
                            headers={"content-disposition": 'attachment; filename="programme-sites.csv"'})
        return Response(register_io.export_geojson(s), media_type="application/geo+json",
                        headers={"content-disposition": 'attachment; filename="programme-sites.geojson"'})


@router.get("/sites", summary="Programme sites with their current status")
def list_sites(request: Request, status: Status | None = None, kind: str | None = None,
               user: CurrentUser | None = Reader) -> dict[str, Any]:
    with records_of(request).session() as s:
        rows = models.list_sites(s, status=status, kind=kind)
    for r in rows:
        r.pop("history")
    return _marked({"count": len(rows), "sites": rows}, any(r["illustrative"] for r in rows))


@router.get("/sites/{site_id}", summary="One site with its status history (ETag: its version)")
def get_site(request: Request, site_id: str, user: CurrentUser | None = Reader) -> JSONResponse:
    with records_of(request).session() as s:
        data = models.get_site(s, site_id)
    return tagged(_marked(data, data["illustrative"]))


@router.post("/sites/{site_id}/status", status_code=201,
             summary="Record a site's new status (editor); If-Match: the site's ETag, else 412 when changed since")
def post_status(request: Request, site_id: str, body: StatusIn, user: CurrentUser = Editor) -> JSONResponse:
    try:
        with records_of(request).session() as s:
            change = models.set_status(s, user.username, site_id, body.status, body.date or dt.date.today(),
                                       body.reason, where=f"site {site_id}", seen=if_match(request))
            out = models.change_dict(change)
            version = s.get(models.Site, site_id).version
    except StaleRecord as exc:
        with records_of(request).session() as s:
            return precondition_failed(exc, models.get_site(s, site_id))
    return JSONResponse({"site_id": site_id, **out, "version": version}, status_code=201,
                        headers={"etag": f'"{version}"'})


@router.get("/programme/progress", summary="Sites lit against the planned trajectory, by kind and district; "
                                          "target, dates and planned figures are null, with target_reason, where "
                                          "the workspace sets no target")
def progress(request: Request, user: CurrentUser | None = Reader) -> dict[str, Any]:
    data = progress_data(request)
    return _marked(data, data["illustrative"])


@router.get("/programme/reach", summary="Backbone reach by ward, district and region; with a scenario, the change")
def reach(request: Request,
          distance: float | None = Query(None, description="Metres from a lit site (default 200, or the workspace's)."),
          scenario: str | None = Query(None, description="Sites to light as well: 'all planned', 'kind: school' or "
                                                         "site ids separated by commas."),
          level: Literal["ward", "lad", "region", "all"] = "all",
          on: str | None = Query(None, alias="date", description="Reach on this date of the register (YYYY-MM-DD)."),
          user: CurrentUser | None = Reader) -> dict[str, Any]:
    data = reach_data(request, distance, scenario, on)
    data["rows"] = [r for r in data["rows"] if level == "all" or r["level"] == level]
    return _marked(data, data["illustrative"])
