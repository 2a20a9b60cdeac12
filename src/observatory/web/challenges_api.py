"""Coverage challenges in the API (/api/v1/challenges): the public counts, and for editors every
challenge, one challenge, its next step and the export. The same answers as the pages
(challenges.py), from the same functions."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from ..challenges import models
from ..errors import NotFoundError
from .auth import CurrentUser, records_of
from .challenges import (
    Editor,
    area_challenges,
    challenge_rows,
    export_checked,
    marked,
    public_summary,
    settings,
)

api = APIRouter(prefix="/api/v1", tags=["challenges"])


class StatusIn(BaseModel):
    status: Literal["checked", "sent", "conceded", "upheld", "overturned"]
    date: dt.date | None = Field(None, description="When it happened (default today; never in the future).")
    sent_to: Literal["operator", "Ofcom", "national programme", ""] = Field(
        "", description="Who it was sent to (required with status 'sent').")
    note: str = Field("", max_length=2000)


@api.get("/challenges/summary", summary="Coverage challenges: counts by type, status and area (public; small counts suppressed)")
def api_summary(request: Request) -> dict[str, Any]:
    return marked(public_summary(request))


@api.get("/challenges/areas/{code}", summary="One area's challenge counts (public; small counts suppressed)")
def api_area(request: Request, code: str, level: Literal["postcode", "oa", "lsoa", "ward", "lad"] = Query(...)) -> dict[str, Any]:
    found = area_challenges(request, level, code)
    if found is None:
        raise NotFoundError("No challenge counts here: this dashboard has no records database.")
    return marked(found)


@api.get("/challenges/export", summary="Every challenge as CSV or GeoJSON (editor; personal data for an admin)")
def api_export(request: Request, format: Literal["csv", "geojson"] = "csv",
               personal: Literal["yes", "no"] = "no", user: CurrentUser = Editor) -> Response:
    return export_checked(request, user, format, personal)


@api.get("/challenges", summary="Every challenge with its workflow state (editor; no personal data)")
def api_list(request: Request, status: str | None = None, overdue: bool | None = None,
             user: CurrentUser = Editor) -> dict[str, Any]:
    rows = challenge_rows(request, status=status or None, overdue=overdue)
    return marked({"count": len(rows), "challenges": rows, "illustrative": any(r["illustrative"] for r in rows)})


@api.get("/challenges/{challenge_id}", summary="One challenge with its contact details and evidence (editor)")
def api_one(request: Request, challenge_id: int, user: CurrentUser = Editor) -> dict[str, Any]:
    with records_of(request).session() as s:
        return marked(models.get_challenge(s, challenge_id, settings(request), personal=True))


@api.post("/challenges/{challenge_id}/status", status_code=201, summary="Record a challenge's next step (editor)")
def api_status(request: Request, challenge_id: int, body: StatusIn, user: CurrentUser = Editor) -> JSONResponse:
    with records_of(request).session() as s:
        step = models.set_status(s, user.username, challenge_id, body.status, body.date, body.sent_to, body.note)
        out = models.step_dict(step)
    return JSONResponse({"challenge_id": challenge_id, **out}, status_code=201)
