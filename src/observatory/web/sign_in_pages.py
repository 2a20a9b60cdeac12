"""The sign-in and sign-out routes: /login (the form, and the attempt) and /logout.

- The form a visitor gets is drawn from its template once per store snapshot (and build banner and
  address) and kept, with a stand-in where each session's own security token goes: showing it
  again costs a string join, so asking for the form over and over costs the server little.

- An attempt runs in a worker thread (records/sign_in.py: the counters, then Argon2), never on the
  event loop, so checking a password never holds up other requests.
- An attempt from a client or for an account that must still wait (exponential backoff, as the
  records database said) is answered 429 with Retry-After and a short fixed page, before the
  form's fields, its security token, the database or a template are touched: a client flooding
  the form with guesses then costs the server little more than a cached answer. The answer is the
  same, in words and in work, whatever name was tried. It is sent after a short pause, so a
  client that ignores Retry-After cannot turn the cheap refusal into a flood of requests.
- A browser that signed in as a user before carries a signed "known device" cookie (a random id
  and the names it signed in as), so it is throttled on its own, never by others' failures.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import escape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from ..records import sign_in as sign_in_mod
from ..records import users as users_mod
from .auth import SESSION, CurrentUser, csrf_token, current_user, records_of, safe_next, verify_csrf
from .live import GENERATION
from .negotiate import wants_json
from .render import render

DEVICE_COOKIE = "observatory_device"
DEVICE_DAYS = 180
REFUSAL_PAUSE = 1.0  # seconds before "too many attempts" is sent (the same for every name)

router = APIRouter(include_in_schema=False)


@router.get("/login")
async def login_page(request: Request, next: str = "/actions") -> Response:
    if wants_json(request) or "uid" in request.scope.get(SESSION, {}) or "authorization" in request.headers:
        return await run_in_threadpool(_login_page, request, next)
    # A visitor: the form is the same for every visitor but for its security token, so it is drawn
    # once per store snapshot, build banner and address, with a stand-in where the token goes.
    key = (request.scope.get(GENERATION), getattr(request.app.state, "build_error", None), request.url.query)
    kept = _kept_forms(request)
    page = kept.get(key)
    if page is None:
        page = kept[key] = await run_in_threadpool(_drawn_with_hole, request, next)
        while len(kept) > KEPT_FORMS:
            kept.popitem(last=False)
    before, after = page
    return HTMLResponse(before + str(escape(csrf_token(request))) + after)


def _login_page(request: Request, next: str) -> Response:
    return render(request, "auth/login.html", {"next": safe_next(next), "user": _public(current_user(request))},
                  title="Sign in")


_HOLE = secrets.token_hex(16)  # stands in for a session's CSRF token in a kept form
KEPT_FORMS = 32  # addresses (?next=...) whose form is kept, per worker


def _kept_forms(request: Request) -> OrderedDict[Any, tuple[str, str]]:
    state = request.app.state
    if not hasattr(state, "kept_login_forms"):
        state.kept_login_forms = OrderedDict()
    return state.kept_login_forms


def _drawn_with_hole(request: Request, next: str) -> tuple[str, str]:
    """The visitor's login form, split where the session's CSRF token goes."""
    session = request.scope.setdefault(SESSION, {})
    real = session.get("csrf")
    session["csrf"] = _HOLE
    try:
        body = bytes(_login_page(request, next).body).decode("utf-8")
    finally:
        if real is None:
            session.pop("csrf")
        else:
            session["csrf"] = real
    before, hole, after = body.partition(_HOLE)
    if not hole or _HOLE in after:
        raise RuntimeError("the login form must carry exactly one CSRF field")
    return before, after


@router.post("/login")
async def login(request: Request) -> Response:
    client = request.client.host if request.client else "unknown"
    device = _device(request)
    records = getattr(request.app.state, "records", None)  # opened by an earlier request, if any
    if records is not None and not device:
        # Without a known-device cookie the client's own count applies whatever name is tried:
        # refused here, before the form is even read, while the database's wait for it runs.
        wait = sign_in_mod.recent_waits(records).wait([sign_in_mod.client_key(client)])
        if wait > 0:
            return await _too_many(request, wait)
    form = await request.form()
    username, password, next_ = (_field(form, k) for k in ("username", "password", "next"))
    known = device["id"] if device and username.strip().casefold() in device["names"] else None
    if records is not None:
        early = sign_in_mod.refused_here(records, username, client, known)
        if early is not None:
            return await _too_many(request, early.wait)
    await verify_csrf(request)
    records = await run_in_threadpool(records_of, request)  # the first use opens it (queries)
    try:
        # Argon2 takes tens of milliseconds of CPU: in a worker thread, never on the event loop.
        signed = await asyncio.to_thread(sign_in_mod.authenticate, records, username, password, client, known)
    except sign_in_mod.LoginRefused as refused:
        if refused.wait:
            return await _too_many(request, refused.wait)
        data = {"next": safe_next(next_ or None), "error": str(refused), "username": username, "user": None}
        response = await run_in_threadpool(render, request, "auth/login.html", data, title="Sign in")
        response.status_code = 401 if wants_json(request) else 200
        return response
    session = request.scope[SESSION]
    session.clear()
    # a new session id on sign-in, bound to the user's session version
    session.update(uid=signed.id, sv=signed.session_version, csrf=secrets.token_urlsafe(32))
    request.scope.pop("observatory.user", None)
    if wants_json(request):
        response: Response = JSONResponse({"signed_in": signed.username})
    else:
        response = RedirectResponse(safe_next(next_ or None), status_code=303)
    _remember_device(request, response, signed.username)
    return response


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


# A fixed page: no template, no session, no per-request work beyond the number of seconds.
_TOO_MANY_PAGE = """<!DOCTYPE html>
<html lang="en-GB" class="govuk-template"><head><meta charset="utf-8">
<title>Too many sign-ins – Digital Observatory</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/static/vendor/govuk/govuk-frontend.min.css">
<link rel="stylesheet" href="/static/observatory.css"></head>
<body class="govuk-template__body"><div class="govuk-width-container"><main class="govuk-main-wrapper">
<div class="govuk-error-summary"><div role="alert"><h1 class="govuk-error-summary__title">You are not signed in</h1>
<div class="govuk-error-summary__body"><p class="govuk-body" id="login-error">{message}</p></div></div></div>
<p class="govuk-body"><a class="govuk-link" href="/login">Back to sign in</a></p>
</main></div></body></html>
"""


async def _too_many(request: Request, wait: float) -> Response:
    """429, with the seconds to wait in words and in Retry-After (RFC 9110, section 10.2.3), sent
    after a pause (as pam_faildelay pauses a failed Unix sign-in): a client that ignores
    Retry-After and tries again at once is held to about one attempt a second per connection,
    for the cost of a timer. Never more than half the wait, so the answer still arrives in time
    to say how long is left."""
    await asyncio.sleep(min(wait / 2, REFUSAL_PAUSE))
    refused = sign_in_mod.too_many(wait)
    headers = {"retry-after": str(int(wait) + 1), "cache-control": "no-store"}
    if wants_json(request):
        body = {"error": {"status": 429, "type": "too_many_attempts", "message": str(refused)}}
        return JSONResponse(body, status_code=429, headers=headers)
    return HTMLResponse(_TOO_MANY_PAGE.format(message=str(refused)), status_code=429, headers=headers)


# --- the known-device cookie ----------------------------------------------------------------

def _device_signer(request: Request) -> URLSafeTimedSerializer:
    return request.app.state.device_signer


def _device(request: Request) -> dict[str, Any]:
    """This browser's device cookie: its id and the names it signed in as (empty if none or forged)."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if raw:
        try:
            data = _device_signer(request).loads(raw, max_age=DEVICE_DAYS * 86400)
        except BadSignature:
            data = None
        if isinstance(data, dict) and isinstance(data.get("id"), str) and isinstance(data.get("names"), list):
            return {"id": data["id"], "names": [n for n in data["names"] if isinstance(n, str)]}
    return {}


def _remember_device(request: Request, response: Response, username: str) -> None:
    device = _device(request) or {"id": secrets.token_urlsafe(16), "names": []}
    name = username.strip().casefold()
    names = [n for n in device["names"] if n != name][-4:] + [name]  # the last few names used here
    value = _device_signer(request).dumps({"id": device["id"], "names": names})
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_DAYS * 86400, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")


# --- signing out ------------------------------------------------------------------------------

@router.post("/logout")
async def logout(request: Request) -> Response:
    await verify_csrf(request)
    await run_in_threadpool(_end_session, request)
    request.scope[SESSION].clear()
    return RedirectResponse("/login", status_code=303)


def _end_session(request: Request) -> None:
    uid = request.scope[SESSION].get("uid")
    if uid is not None and current_user(request) is not None:
        # Ends this session everywhere it was copied to (and the user's other sessions with it).
        with records_of(request).session() as s:
            users_mod.end_sessions(s, uid)


def _public(user: CurrentUser | None) -> dict[str, Any] | None:
    return None if user is None else {"username": user.username, "role": user.role}
