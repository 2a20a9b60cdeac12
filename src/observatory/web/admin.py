"""The admin page: users and their roles, API tokens, and the audit log (read and export)."""

from __future__ import annotations

import io
import json

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from ..errors import NotFoundError, ObservatoryError
from ..records import audit, csv_safe, versions, words
from ..records import users as users_mod
from .auth import CurrentUser, records_of, require_role
from .forms import Problems
from .render import render

router = APIRouter(include_in_schema=False)
Admin = Depends(require_role("admin"))


@router.get("/admin")
def admin_page(request: Request, user: CurrentUser = Admin, entity: str = "", actor: str = "") -> Response:
    return _admin(request, user, entity, actor)


def _admin(request: Request, user: CurrentUser, entity: str = "", actor: str = "",
           new_token: dict | None = None, form: dict[str, str] | None = None,
           errors: Problems | None = None) -> Response:
    with records_of(request).session() as s:
        people = [u.public() for u in s.scalars(select(users_mod.User).order_by(users_mod.User.username))]
        log = words.sentences(audit.entries(s, limit=200, entity=entity or None, actor=actor or None),
                              users_mod.display_names(s))
    data = {"users": people, "audit": log, "roles": list(users_mod.ROLES), "entity": entity, "actor": actor,
            "new_token": new_token, "user": {"username": user.username, "role": user.role},
            "form": form or {}, "errors": dict(errors or {})}
    response = render(request, "records/admin.html", data,
                      title="Error: Users and audit log" if errors else "Users and audit log")
    if errors:
        response.status_code = errors.status
    return response


@router.get("/admin/audit/export")
def audit_export(request: Request, user: CurrentUser = Admin, format: str = "csv") -> Response:
    with records_of(request).session() as s:
        log = audit.entries(s, limit=None)
    if format == "json":
        return Response(json.dumps(log, indent=1), media_type="application/json",
                        headers={"content-disposition": 'attachment; filename="audit-log.json"'})
    buf = io.StringIO()
    w = csv_safe.writer(buf)  # no cell a spreadsheet would run
    w.writerow(["id", "at", "actor", "entity", "entity_id", "action", "before", "after"])
    for e in log:
        w.writerow([e["id"], e["at"], e["actor"], e["entity"], e["entity_id"], e["action"],
                    json.dumps(e["before"]) if e["before"] is not None else "",
                    json.dumps(e["after"]) if e["after"] is not None else ""])
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="audit-log.csv"'})


@router.post("/admin/users")
def user_add(request: Request, user: CurrentUser = Admin, username: str = Form(""), password: str = Form(""),
             role: str = Form("viewer"), display_name: str = Form("")) -> Response:
    problems = Problems()
    if not username.strip():
        problems.add("new-username", "Enter a username for the new user.")
    if not password:
        problems.add("new-password", f"Enter a password of at least {users_mod.MIN_PASSWORD} characters.")
    problems.texts({"username": username, "display_name": display_name},
                   {"username": "new-username", "display_name": "new-name"})
    if not problems:
        try:
            with records_of(request).session() as s:
                users_mod.add_user(s, user.username, username, password, role, display_name)
            return RedirectResponse("/admin#users", status_code=303)
        except ObservatoryError as exc:
            said = str(exc)
            problems.error(exc, "new-password" if "password" in said.lower() else "new-username")
    # the password is never sent back into the page
    return _admin(request, user, form={"username": username, "display_name": display_name, "role": role},
                  errors=problems)


def _user_change(request: Request, user: CurrentUser, username: str, change) -> Response:  # noqa: ANN001
    problems = Problems()
    try:
        with records_of(request).session() as s:
            change(s)
        return RedirectResponse("/admin#users", status_code=303)
    except NotFoundError:
        raise
    except ObservatoryError as exc:
        problems.error(exc, "users")
    return _admin(request, user, errors=problems)


@router.post("/admin/users/{username}/role")
def user_role(request: Request, username: str, user: CurrentUser = Admin, role: str = Form(""),
              version: str = Form("")) -> Response:
    return _user_change(request, user, username, lambda s: users_mod.set_role(
        s, user.username, username, role, seen=versions.parse(version)))


@router.post("/admin/users/{username}/disable")
def user_disable(request: Request, username: str, user: CurrentUser = Admin,
                 enable: str = Form(""), version: str = Form("")) -> Response:
    return _user_change(request, user, username, lambda s: users_mod.set_disabled(
        s, user.username, username, disabled=not enable, seen=versions.parse(version)))


@router.post("/admin/users/{username}/token")
def user_token(request: Request, username: str, user: CurrentUser = Admin, label: str = Form("")) -> Response:
    with records_of(request).session() as s:
        token = users_mod.issue_token(s, user.username, username, label)
    # Shown on this answer only (never stored in clear, never in a URL or cookie).
    return _admin(request, user, new_token={"username": username, "token": token})
