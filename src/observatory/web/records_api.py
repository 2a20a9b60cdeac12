"""/api/v1 endpoints of the records database. Reading is public (unless the workspace requires a
sign-in); writing needs a session (with its X-CSRF-Token header) or an API token an admin issued
(`Authorization: Bearer ...`), with the editor role."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ..records import actions, audit, register, versions
from ..records.versions import StaleRecord
from .auth import CurrentUser, records_of, records_read, require_reader, require_role
from .records import RECORDS_NOTICE

router = APIRouter(prefix="/api/v1", tags=["records"])
Editor = Depends(require_role("editor"))
Reader = Depends(require_reader)

Status = Literal["open", "in progress", "done"]
AccessStatus = Literal["live", "onboarding", "planned"]


class UpdateIn(BaseModel):
    text: str = Field(min_length=1, description="What happened.")
    status: Status | None = Field(None, description="Move the action to this status.")


class ActionEdit(BaseModel):
    owner: str | None = None
    due_date: date | None = None
    status: Status | None = None
    agenda_item: str | None = None
    resolution: str | None = None


class EntryIn(BaseModel):
    organisation: str = Field(min_length=1)
    provider_type: str = Field(description="GP practice, hospital trust, community health, mental health, "
                                           "social care, hospice, pharmacy, ambulance or other.")
    status: AccessStatus
    status_date: date
    parts: str = ""
    basis: str = ""
    org_code: str = ""


class EntryEdit(BaseModel):
    organisation: str | None = None
    provider_type: str | None = None
    status: AccessStatus | None = None
    status_date: date | None = None
    parts: str | None = None
    basis: str | None = None
    org_code: str | None = None


def if_match(request: Request) -> int | None:
    """The version an API client edits, from its If-Match header (the ETag it read); None: none given."""
    return versions.parse(request.headers.get("if-match"))


def tagged(data: dict[str, Any], status: int = 200) -> JSONResponse:
    """A record's JSON with its version as the ETag, for the client's next If-Match."""
    return JSONResponse(data, status_code=status, headers={"etag": f'"{data["version"]}"'})


def precondition_failed(exc: StaleRecord, current: dict[str, Any]) -> JSONResponse:
    """412: the record changed since the client read it; the answer carries it as it is now."""
    return JSONResponse({"error": {"status": 412, "type": "precondition_failed", "message": str(exc),
                                   "version": current.get("version"), "current": current}},
                        status_code=412, headers={"etag": f'"{current.get("version")}"'})


def _marked(data: dict[str, Any], illustrative: bool) -> dict[str, Any]:
    if illustrative:
        data.update(illustrative=True, notice=RECORDS_NOTICE)
    return data


@router.get("/actions", summary="The board's actions log, with where each stands")
def list_actions(request: Request, user: CurrentUser | None = Reader) -> dict[str, Any]:
    with records_read(request, "action", "meeting").session() as s:
        rows = actions.list_actions(s)
    summ = actions.summary(rows)
    data = {"by_state": summ["by_state"], "total": summ["total"], "actions": rows}
    return _marked(data, any(a["illustrative"] for a in rows))


@router.get("/actions/{action_id}", summary="One action, its updates and its history (ETag: its version)")
def get_action(request: Request, action_id: int, user: CurrentUser | None = Reader) -> JSONResponse:
    with records_read(request, f"action:{action_id}", "meeting").session() as s:
        data = actions.get_action(s, action_id)
        data["history"] = audit.history(s, "action", action_id)
    return tagged(_marked(data, data["illustrative"]))


@router.post("/actions/{action_id}/updates", status_code=201,
             summary="Add a dated update (editor); with a status, send If-Match with the action's ETag")
def post_update(request: Request, action_id: int, body: UpdateIn, user: CurrentUser = Editor) -> JSONResponse:
    try:
        with records_of(request).session() as s:
            u = actions.add_update(s, user.username, action_id, body.text, body.status, seen=if_match(request))
            out = actions.update_dict(u)
    except StaleRecord as exc:
        with records_of(request).session() as s:
            return precondition_failed(exc, actions.get_action(s, action_id))
    return JSONResponse(out, status_code=201)


@router.patch("/actions/{action_id}", summary="Change an action's owner, due date, status or text (editor); "
                                             "If-Match: the ETag read, else 412 when someone changed it since")
def patch_action(request: Request, action_id: int, body: ActionEdit, user: CurrentUser = Editor) -> JSONResponse:
    fields = body.model_dump(exclude_unset=True)
    try:
        with records_of(request).session() as s:
            actions.edit_action(s, user.username, action_id, seen=if_match(request), **fields)
    except StaleRecord as exc:
        with records_of(request).session() as s:
            return precondition_failed(exc, actions.get_action(s, action_id))
    with records_of(request).session() as s:
        return tagged(actions.get_action(s, action_id))


@router.get("/shared-care-record", summary="Which providers can access patient health records?")
def list_register(request: Request, user: CurrentUser | None = Reader) -> dict[str, Any]:
    with records_read(request, "scr_access").session() as s:
        data = register.access_answer(register.list_entries(s))
    return _marked(data, data["illustrative"])


@router.get("/shared-care-record/{entry_id}", summary="One register entry and its history (ETag: its version)")
def get_entry(request: Request, entry_id: int, user: CurrentUser | None = Reader) -> JSONResponse:
    with records_read(request, f"scr_access:{entry_id}").session() as s:
        data = register.get_entry(s, entry_id)
        data["history"] = audit.history(s, "scr_access", entry_id)
    return tagged(_marked(data, data["illustrative"]))


@router.post("/shared-care-record", status_code=201, summary="Add a provider to the register (editor)")
def post_entry(request: Request, body: EntryIn, user: CurrentUser = Editor) -> JSONResponse:
    with records_of(request).session() as s:
        e = register.add_entry(s, user.username, **body.model_dump())
        out = register.entry_dict(e)
    return JSONResponse(out, status_code=201)


@router.patch("/shared-care-record/{entry_id}", summary="Change a register entry (editor); If-Match: the ETag "
                                                       "read, else 412 when someone changed it since")
def patch_entry(request: Request, entry_id: int, body: EntryEdit, user: CurrentUser = Editor) -> JSONResponse:
    try:
        with records_of(request).session() as s:
            e = register.edit_entry(s, user.username, entry_id, seen=if_match(request),
                                    **body.model_dump(exclude_unset=True))
            out = register.entry_dict(e)
    except StaleRecord as exc:
        with records_of(request).session() as s:
            return precondition_failed(exc, register.get_entry(s, entry_id))
    return tagged(out)
