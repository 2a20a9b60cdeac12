"""The admin page: users and their roles, API tokens, and the audit log (read and export)."""

from __future__ import annotations

import io
import json

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from ..records import audit, csv_safe
from ..records import users as users_mod
from .auth import CurrentUser, records_of, require_role
from .render import render

router = APIRouter(include_in_schema=False)
Admin = Depends(require_role("admin"))


@router.get("/admin")
def admin_page(request: Request, user: CurrentUser = Admin, entity: str = "", actor: str = "") -> Response:
    return _admin(request, user, entity, actor)


def _admin(request: Request, user: CurrentUser, entity: str = "", actor: str = "",
           new_token: dict | None = None) -> Response:
    with records_of(request).session() as s:
        people = [u.public() for u in s.scalars(select(users_mod.User).order_by(users_mod.User.username))]
        log = audit.entries(s, limit=200, entity=entity or None, actor=actor or None)
    data = {"users": people, "audit": log, "roles": list(users_mod.ROLES), "entity": entity, "actor": actor,
            "new_token": new_token, "user": {"username": user.username, "role": user.role}}
    return render(request, "records/admin.html", data, title="Users and audit log")


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
def user_add(request: Request, user: CurrentUser = Admin, username: str = Form(...), password: str = Form(...),
             role: str = Form("viewer"), display_name: str = Form("")) -> Response:
    with records_of(request).session() as s:
        users_mod.add_user(s, user.username, username, password, role, display_name)
    return RedirectResponse("/admin#users", status_code=303)


@router.post("/admin/users/{username}/role")
def user_role(request: Request, username: str, user: CurrentUser = Admin, role: str = Form(...)) -> Response:
    with records_of(request).session() as s:
        users_mod.set_role(s, user.username, username, role)
    return RedirectResponse("/admin#users", status_code=303)


@router.post("/admin/users/{username}/disable")
def user_disable(request: Request, username: str, user: CurrentUser = Admin,
                 enable: str = Form("")) -> Response:
    with records_of(request).session() as s:
        users_mod.set_disabled(s, user.username, username, disabled=not enable)
    return RedirectResponse("/admin#users", status_code=303)


@router.post("/admin/users/{username}/token")
def user_token(request: Request, username: str, user: CurrentUser = Admin, label: str = Form("")) -> Response:
    with records_of(request).session() as s:
        token = users_mod.issue_token(s, user.username, username, label)
    # Shown on this answer only (never stored in clear, never in a URL or cookie).
    return _admin(request, user, new_token={"username": username, "token": token})
