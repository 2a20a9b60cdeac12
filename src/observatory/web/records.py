"""Dashboard pages of the records database: the board's actions log, the Shared Care Record
access register, and the admin page (users, API tokens, the audit log). Reading is public unless
the workspace requires a sign-in; every change needs a role (`require_role`) and a CSRF token."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..errors import ObservatoryError
from ..records import actions, audit, csv_io, register
from .auth import CurrentUser, records_of, require_reader, require_role
from .render import render as render_page
from .report import _pdfs, report_dir

# What the illustrative warning says on these pages (the store's own notice is about coverage).
RECORDS_NOTICE = ("Illustrative records: the demo's meeting date, due dates, statuses, updates and register "
                  "entries were made up by a documented seed script (observatory.demo.records_demo). "
                  "Do not use them for decisions.")


def render(request: Request, template: str, data: dict[str, Any], **context: Any) -> Response:
    if data.get("illustrative"):
        data["notice"] = RECORDS_NOTICE
        context["ILLUSTRATIVE"] = RECORDS_NOTICE
    return render_page(request, template, data, **context)

router = APIRouter(include_in_schema=False)
Editor = Depends(require_role("editor"))
Reader = Depends(require_reader)


def _who(user: CurrentUser | None) -> dict[str, Any] | None:
    return None if user is None else {"username": user.username, "role": user.role,
                                      "may_edit": user.may("editor"), "is_admin": user.may("admin")}


def _day(value: str, field: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ObservatoryError(f"{field}: '{value}' is not a date. Write it as YYYY-MM-DD, e.g. 2025-03-31.") from None


def _csv(text: str, name: str) -> Response:
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


# --- the actions log -------------------------------------------------------------------------

@router.get("/actions")
def actions_page(request: Request, user: CurrentUser | None = Reader) -> Response:
    with records_of(request).session() as s:
        rows = actions.list_actions(s)
    data = {"question": "What did the board ask for, and has it been done?", **actions.summary(rows),
            "actions": rows, "illustrative": any(a["illustrative"] for a in rows), "today": date.today().isoformat(),
            "statuses": list(actions.STATUSES), "user": _who(user)}
    return render(request, "records/actions.html", data, title="Board actions")


@router.get("/actions/export")
def actions_export(request: Request, user: CurrentUser | None = Reader) -> Response:
    with records_of(request).session() as s:
        return _csv(csv_io.actions_csv(s), "board-actions.csv")


@router.get("/actions/{action_id}")
def action_page(request: Request, action_id: int, user: CurrentUser | None = Reader) -> Response:
    with records_of(request).session() as s:
        data = actions.get_action(s, action_id)
        data["history"] = audit.history(s, "action", action_id)
    data.update(state=actions.state_of(data), statuses=list(actions.STATUSES), user=_who(user))
    return render(request, "records/action.html", data, title=f"Action {action_id}")


@router.post("/actions")
def action_create(request: Request, user: CurrentUser = Editor, meeting_body: str = Form(...),
                  meeting_date: str = Form(...), resolution: str = Form(...), agenda_item: str = Form(""),
                  owner: str = Form(""), due_date: str = Form(""), status: str = Form("open")) -> Response:
    when = _day(meeting_date, "Meeting date")
    if when is None:
        raise ObservatoryError("Meeting date: give the date of the meeting, YYYY-MM-DD.")
    with records_of(request).session() as s:
        meeting = actions.find_or_add_meeting(s, user.username, meeting_body.strip(), when)
        a = actions.create_action(s, user.username, meeting, resolution, agenda_item=agenda_item, owner=owner,
                                  due_date=_day(due_date, "Due date"), status=status)
        new_id = a.id
    return RedirectResponse(f"/actions/{new_id}", status_code=303)


@router.post("/actions/{action_id}")
def action_edit(request: Request, action_id: int, user: CurrentUser = Editor, owner: str = Form(...),
                due_date: str = Form(""), status: str = Form(...), agenda_item: str = Form(""),
                resolution: str = Form(...)) -> Response:
    with records_of(request).session() as s:
        actions.edit_action(s, user.username, action_id, owner=owner.strip(), due_date=_day(due_date, "Due date"),
                            status=status, agenda_item=agenda_item.strip(), resolution=resolution.strip())
    return RedirectResponse(f"/actions/{action_id}", status_code=303)


@router.post("/actions/{action_id}/updates")
def action_update(request: Request, action_id: int, user: CurrentUser = Editor, text: str = Form(...),
                  status: str = Form("")) -> Response:
    with records_of(request).session() as s:
        actions.add_update(s, user.username, action_id, text, status or None)
    return RedirectResponse(f"/actions/{action_id}#updates", status_code=303)


# --- the Shared Care Record access register ----------------------------------------------------

def _entry_fields(organisation: str, provider_type: str, status: str, status_date: str, parts: str,
                  basis: str, org_code: str) -> dict[str, Any]:
    when = _day(status_date, "Date")
    if when is None:
        raise ObservatoryError("Date: give the date the status began, YYYY-MM-DD.")
    return {"organisation": organisation.strip(), "provider_type": provider_type, "status": status,
            "status_date": when, "parts": parts.strip(), "basis": basis.strip(), "org_code": org_code.strip()}


@router.get("/shared-care-record")
def register_page(request: Request, user: CurrentUser | None = Reader) -> Response:
    with records_of(request).session() as s:
        data = register.access_answer(register.list_entries(s))
    data.update(types=list(register.PROVIDER_TYPES), statuses=list(register.ACCESS_STATUSES), user=_who(user),
                today=date.today().isoformat())
    return render(request, "records/register.html", data, title="Shared Care Record access")


@router.get("/shared-care-record/export")
def register_export(request: Request, user: CurrentUser | None = Reader) -> Response:
    with records_of(request).session() as s:
        return _csv(csv_io.register_csv(s), "shared-care-record-access.csv")


@router.get("/shared-care-record/{entry_id}")
def entry_page(request: Request, entry_id: int, user: CurrentUser | None = Reader) -> Response:
    with records_of(request).session() as s:
        data = register.get_entry(s, entry_id)
        data["history"] = audit.history(s, "scr_access", entry_id)
    data.update(types=list(register.PROVIDER_TYPES), statuses=list(register.ACCESS_STATUSES), user=_who(user))
    return render(request, "records/entry.html", data, title=data["organisation"])


@router.post("/shared-care-record")
def entry_create(request: Request, user: CurrentUser = Editor, organisation: str = Form(...),
                 provider_type: str = Form(...), status: str = Form(...), status_date: str = Form(...),
                 parts: str = Form(""), basis: str = Form(""), org_code: str = Form("")) -> Response:
    fields = _entry_fields(organisation, provider_type, status, status_date, parts, basis, org_code)
    with records_of(request).session() as s:
        new_id = register.add_entry(s, user.username, **fields).id
    return RedirectResponse(f"/shared-care-record/{new_id}", status_code=303)


@router.post("/shared-care-record/{entry_id}")
def entry_edit(request: Request, entry_id: int, user: CurrentUser = Editor, organisation: str = Form(...),
               provider_type: str = Form(...), status: str = Form(...), status_date: str = Form(...),
               parts: str = Form(""), basis: str = Form(""), org_code: str = Form("")) -> Response:
    fields = _entry_fields(organisation, provider_type, status, status_date, parts, basis, org_code)
    with records_of(request).session() as s:
        register.edit_entry(s, user.username, entry_id, **fields)
    return RedirectResponse(f"/shared-care-record/{entry_id}", status_code=303)


@router.get("/oversight")
def oversight_page(request: Request, user: CurrentUser | None = Reader) -> Response:
    """The board's oversight in one place: where its resolutions stand, who can see the Shared
    Care Record, and the annual update, each leading to its own page."""
    data: dict[str, Any] = {"actions": None, "register": None, "problem": None}
    try:
        with records_of(request).session() as s:
            rows = actions.list_actions(s)
            entries = register.list_entries(s)
    except ObservatoryError as exc:  # no records database for this dashboard: say so, link on
        data["problem"] = str(exc)
    else:
        data["actions"] = actions.summary(rows)
        data["register"] = register.access_answer(entries)
        data["illustrative"] = any(a["illustrative"] for a in rows) or data["register"]["illustrative"]
    folder = report_dir(request)
    data["report"] = {"written": bool(folder and (folder / "index.html").exists()),
                      "pdfs": [p.name for p in _pdfs(folder)]}
    data["today"] = date.today().isoformat()
    return render(request, "records/oversight.html", data, title="Oversight")
