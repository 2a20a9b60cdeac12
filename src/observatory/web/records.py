"""Dashboard pages of the records database: the board's actions log, the Shared Care Record
access register, and the admin page (users, API tokens, the audit log). Reading is public unless
the workspace requires a sign-in; every change needs a role (`require_role`) and a CSRF token."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..errors import NotFoundError, ObservatoryError
from ..records import actions, audit, csv_io, register, versions, words
from ..records import users as users_mod
from ..records.inputs import text_problem
from .auth import CurrentUser, records_of, require_reader, require_role
from .forms import Problems
from .render import render as render_page
from .report import summary as report_summary

# What the illustrative warning says on these pages (the store's own notice is about coverage).
RECORDS_NOTICE = ("Illustrative records: the meeting date, due dates, statuses, updates and register "
                  "entries were made up by a documented seed script, for the demonstration. "
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


def _csv(text: str, name: str) -> Response:
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


# --- the actions log -------------------------------------------------------------------------

def _shown(response: Response, status: int) -> Response:
    response.status_code = status
    return response


def _actions_view(request: Request, user: CurrentUser | None, form: dict[str, str] | None = None,
                  errors: Problems | None = None) -> Response:
    with records_of(request).session() as s:
        rows = actions.list_actions(s)
    data = {"question": "What did the board ask for, and has it been done?", **actions.summary(rows),
            "actions": rows, "illustrative": any(a["illustrative"] for a in rows), "today": date.today().isoformat(),
            "statuses": list(actions.STATUSES), "user": _who(user), "form": form or {}, "errors": dict(errors or {})}
    response = render(request, "records/actions.html", data, title=_titled("Board actions", errors))
    return _shown(response, errors.status if errors else 200)


def _titled(title: str, errors: Problems | None) -> str:
    return f"Error: {title}" if errors else title


@router.get("/actions")
def actions_page(request: Request, user: CurrentUser | None = Reader) -> Response:
    return _actions_view(request, user)


@router.get("/actions/export")
def actions_export(request: Request, user: CurrentUser | None = Reader) -> Response:
    with records_of(request).session() as s:
        return _csv(csv_io.actions_csv(s), "board-actions.csv")


def _action_view(request: Request, action_id: int, user: CurrentUser | None, form: dict[str, str] | None = None,
                 errors: Problems | None = None, which: str = "") -> Response:
    with records_of(request).session() as s:
        data = actions.get_action(s, action_id)
        data["history"] = words.sentences(audit.history(s, "action", action_id), users_mod.display_names(s),
                                          f"action {action_id}")
    data.update(state=actions.state_of(data), statuses=list(actions.STATUSES), user=_who(user),
                form=form or {}, errors=dict(errors or {}), which=which)
    response = render(request, "records/action.html", data, title=_titled(f"Action {action_id}", errors))
    if not errors:
        response.headers["etag"] = f'"{data["version"]}"'
    return _shown(response, errors.status if errors else 200)


@router.get("/actions/{action_id}")
def action_page(request: Request, action_id: int, user: CurrentUser | None = Reader) -> Response:
    return _action_view(request, action_id, user)


@router.post("/actions")
def action_create(request: Request, user: CurrentUser = Editor, meeting_body: str = Form(""),
                  meeting_date: str = Form(""), resolution: str = Form(""), agenda_item: str = Form(""),
                  owner: str = Form(""), due_date: str = Form(""), status: str = Form("open")) -> Response:
    form = {"meeting_body": meeting_body, "meeting_date": meeting_date, "resolution": resolution,
            "agenda_item": agenda_item, "owner": owner, "due_date": due_date, "status": status}
    problems = Problems()
    if not meeting_body.strip():
        problems.add("meeting_body", "Enter the board or committee that made the resolution.")
    when = problems.day("meeting_date", meeting_date, "the meeting date", required=True)
    if not resolution.strip():
        problems.add("resolution", "Enter the resolution: what the board asked for.")
    due = problems.day("due_date", due_date, "the due date")
    if status not in actions.STATUSES:
        problems.add("status", f"Choose a status: {', '.join(actions.STATUSES)}.")
    problems.texts({"meeting_body": meeting_body, "resolution": resolution, "agenda_item": agenda_item,
                    "owner": owner})
    if not problems:
        try:
            with records_of(request).session() as s:
                meeting = actions.find_or_add_meeting(s, user.username, meeting_body.strip(), when)
                new_id = actions.create_action(s, user.username, meeting, resolution, agenda_item=agenda_item.strip(),
                                               owner=owner.strip(), due_date=due, status=status).id
            return RedirectResponse(f"/actions/{new_id}", status_code=303)
        except ObservatoryError as exc:
            problems.error(exc, "resolution")
    return _actions_view(request, user, form, problems)


@router.post("/actions/{action_id}")
def action_edit(request: Request, action_id: int, user: CurrentUser = Editor, owner: str = Form(""),
                due_date: str = Form(""), status: str = Form(""), agenda_item: str = Form(""),
                resolution: str = Form(""), version: str = Form("")) -> Response:
    form = {"owner": owner, "due_date": due_date, "status": status, "agenda_item": agenda_item,
            "resolution": resolution, "version": version}
    problems = Problems()
    if not resolution.strip():
        problems.add("resolution-edit", "Enter the resolution: an action needs its text.")
    due = problems.day("due_date", due_date, "the due date")
    if status not in actions.STATUSES:
        problems.add("status", f"Choose a status: {', '.join(actions.STATUSES)}.")
    for field, fid, value in (("owner", "owner", owner), ("agenda_item", "agenda_item", agenda_item),
                              ("resolution", "resolution-edit", resolution)):
        problem = text_problem(field, value)
        if problem:
            problems.add(fid, problem)
    if not problems:
        try:
            with records_of(request).session() as s:
                actions.edit_action(s, user.username, action_id, seen=versions.parse(version), owner=owner.strip(),
                                    due_date=due, status=status, agenda_item=agenda_item.strip(),
                                    resolution=resolution.strip())
            return RedirectResponse(f"/actions/{action_id}", status_code=303)
        except NotFoundError:
            raise
        except ObservatoryError as exc:
            problems.error(exc, "resolution-edit")
    return _action_view(request, action_id, user, form, problems, which="edit")


@router.post("/actions/{action_id}/updates")
def action_update(request: Request, action_id: int, user: CurrentUser = Editor, text: str = Form(""),
                  status: str = Form(""), version: str = Form("")) -> Response:
    form = {"text": text, "update-status": status, "version": version}
    problems = Problems()
    if not text.strip():
        problems.add("text", "Enter the update: what happened, and when.")
    elif text_problem("text", text):
        problems.add("text", text_problem("text", text))
    if status and status not in actions.STATUSES:
        problems.add("update-status", f"Choose a status: {', '.join(actions.STATUSES)}, or leave it unchanged.")
    if not problems:
        try:
            with records_of(request).session() as s:
                actions.add_update(s, user.username, action_id, text, status or None, seen=versions.parse(version))
            return RedirectResponse(f"/actions/{action_id}#updates", status_code=303)
        except NotFoundError:
            raise
        except ObservatoryError as exc:
            problems.error(exc, "text")
    return _action_view(request, action_id, user, form, problems, which="update")


# --- the Shared Care Record access register ----------------------------------------------------

def _entry_fields(problems: Problems, organisation: str, provider_type: str, status: str, status_date: str,
                  parts: str, basis: str, org_code: str) -> dict[str, Any]:
    if not organisation.strip():
        problems.add("organisation", "Enter the provider organisation's name.")
    if provider_type not in register.PROVIDER_TYPES:
        problems.add("provider_type", f"Choose the provider's type: {', '.join(register.PROVIDER_TYPES)}.")
    if status not in register.ACCESS_STATUSES:
        problems.add("entry-status", f"Choose a status: {', '.join(register.ACCESS_STATUSES)}.")
    when = problems.day("status_date", status_date, "the date of this status", required=True)
    problems.texts({"organisation": organisation, "parts": parts, "basis": basis, "org_code": org_code})
    return {"organisation": organisation.strip(), "provider_type": provider_type, "status": status,
            "status_date": when, "parts": parts.strip(), "basis": basis.strip(), "org_code": org_code.strip()}


def _register_view(request: Request, user: CurrentUser | None, form: dict[str, str] | None = None,
                   errors: Problems | None = None) -> Response:
    with records_of(request).session() as s:
        data = register.access_answer(register.list_entries(s))
    data.update(types=list(register.PROVIDER_TYPES), statuses=list(register.ACCESS_STATUSES), user=_who(user),
                today=date.today().isoformat(), form=form or {}, errors=dict(errors or {}))
    response = render(request, "records/register.html", data, title=_titled("Shared Care Record access", errors))
    return _shown(response, errors.status if errors else 200)


@router.get("/shared-care-record")
def register_page(request: Request, user: CurrentUser | None = Reader) -> Response:
    return _register_view(request, user)


@router.get("/shared-care-record/export")
def register_export(request: Request, user: CurrentUser | None = Reader) -> Response:
    with records_of(request).session() as s:
        return _csv(csv_io.register_csv(s), "shared-care-record-access.csv")


def _entry_view(request: Request, entry_id: int, user: CurrentUser | None, form: dict[str, str] | None = None,
                errors: Problems | None = None) -> Response:
    with records_of(request).session() as s:
        data = register.get_entry(s, entry_id)
        data["history"] = words.sentences(audit.history(s, "scr_access", entry_id), users_mod.display_names(s),
                                          f"the entry for {data['organisation']}")
    data.update(types=list(register.PROVIDER_TYPES), statuses=list(register.ACCESS_STATUSES), user=_who(user),
                form=form or {}, errors=dict(errors or {}))
    response = render(request, "records/entry.html", data, title=_titled(data["organisation"], errors))
    if not errors:
        response.headers["etag"] = f'"{data["version"]}"'
    return _shown(response, errors.status if errors else 200)


@router.get("/shared-care-record/{entry_id}")
def entry_page(request: Request, entry_id: int, user: CurrentUser | None = Reader) -> Response:
    return _entry_view(request, entry_id, user)


def _entry_form(organisation: str, provider_type: str, status: str, status_date: str, parts: str, basis: str,
                org_code: str, version: str = "") -> dict[str, str]:
    return {"organisation": organisation, "provider_type": provider_type, "status": status,
            "status_date": status_date, "parts": parts, "basis": basis, "org_code": org_code, "version": version}


@router.post("/shared-care-record")
def entry_create(request: Request, user: CurrentUser = Editor, organisation: str = Form(""),
                 provider_type: str = Form(""), status: str = Form(""), status_date: str = Form(""),
                 parts: str = Form(""), basis: str = Form(""), org_code: str = Form("")) -> Response:
    problems = Problems()
    fields = _entry_fields(problems, organisation, provider_type, status, status_date, parts, basis, org_code)
    if not problems:
        try:
            with records_of(request).session() as s:
                new_id = register.add_entry(s, user.username, **fields).id
            return RedirectResponse(f"/shared-care-record/{new_id}", status_code=303)
        except ObservatoryError as exc:
            problems.error(exc, "organisation")
    form = _entry_form(organisation, provider_type, status, status_date, parts, basis, org_code)
    return _register_view(request, user, form, problems)


@router.post("/shared-care-record/{entry_id}")
def entry_edit(request: Request, entry_id: int, user: CurrentUser = Editor, organisation: str = Form(""),
               provider_type: str = Form(""), status: str = Form(""), status_date: str = Form(""),
               parts: str = Form(""), basis: str = Form(""), org_code: str = Form(""),
               version: str = Form("")) -> Response:
    problems = Problems()
    fields = _entry_fields(problems, organisation, provider_type, status, status_date, parts, basis, org_code)
    if not problems:
        try:
            with records_of(request).session() as s:
                register.edit_entry(s, user.username, entry_id, seen=versions.parse(version), **fields)
            return RedirectResponse(f"/shared-care-record/{entry_id}", status_code=303)
        except NotFoundError:
            raise
        except ObservatoryError as exc:
            problems.error(exc, "organisation")
    form = _entry_form(organisation, provider_type, status, status_date, parts, basis, org_code, version)
    return _entry_view(request, entry_id, user, form, problems)


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
    data["report"] = report_summary(request)  # written when, and its PDF with pages and size
    data["today"] = date.today().isoformat()
    return render(request, "records/oversight.html", data, title="Oversight")
