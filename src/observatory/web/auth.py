"""Sessions, roles and CSRF for the web app (the sign-in routes: sign_in_pages.py).

- Sessions: a cookie signed with itsdangerous (secret from OBSERVATORY_SECRET_KEY, else a file
  `.observatory-secret` made once in the workspace and git-ignored), HttpOnly, SameSite=Lax,
  Secure when the request came over HTTPS, expiring after SESSION_HOURS.
- Who may do what is a dependency on the route: `Depends(current_user)`,
  `Depends(require_role("editor"))`. require_role also checks the CSRF token of every unsafe
  request made with the cookie (an API token in `Authorization: Bearer` is not sent by browsers
  on their own, so it needs none); a route cannot forget it.
- CSRF: one random token per session (OWASP's synchronizer token pattern), put in each form by
  `csrf_field(request)` and compared in constant time.
- A session ends at sign-out, at a new password and when the account is disabled: the cookie
  carries the user's session version (records/users.py), which each of those raises, so a copied
  cookie stops working too.
- Whatever may query the records database (who is asking, signing out) runs in a worker thread,
  never on the event loop.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup, escape
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import NoRecordsYet, StoreError
from ..records import changes
from ..records import users as users_mod
from ..records.db import NO_RECORDS, Records, database_url, open_records
from ..records.engine import sqlite_file
from ..workspace import load as load_workspace
from .negotiate import wants_json

COOKIE = "observatory_session"
SESSION_HOURS = 12
SECRET_ENV = "OBSERVATORY_SECRET_KEY"
SECRET_FILE = ".observatory-secret"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
SESSION = "session"  # the scope key Starlette's request.session reads
DYNAMIC = "observatory.dynamic"  # set on a request whose answer reads the records or the session
# Set by a public records read (records_read): the change counters it depends on and their versions
# before it read, so that the response cache can keep a visitor's answer until a write changes them.
RECORDS_DEPS = "observatory.records_deps"


def secret_key(workspace_dir: Path | None) -> str:
    """The signing secret: the environment's, else the workspace's own file (made on first use,
    readable by its owner only), else one for this process (sign-ins then last until restart)."""
    env = os.environ.get(SECRET_ENV)
    if env:
        return env
    if workspace_dir is None:
        return secrets.token_urlsafe(32)
    path = Path(workspace_dir) / SECRET_FILE
    if not path.exists():
        # Written whole under a private name, then linked into place: worker processes starting
        # together never read a half-written file, and the first link wins (the rest read it).
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{SECRET_FILE}.")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


class SessionCookie:
    """A signed-cookie session in scope["session"], written back only when it changed."""

    def __init__(self, app: ASGIApp, secret: str) -> None:
        self.app = app
        self.signer = URLSafeTimedSerializer(secret, salt="observatory-session")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = _cookie(scope, COOKIE)
        data: dict[str, Any] = {}
        if raw:
            try:
                data = self.signer.loads(raw, max_age=SESSION_HOURS * 3600)
            except BadSignature:
                data = {}
        original = json.dumps(data, sort_keys=True)
        scope[SESSION] = data
        secure = scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                if scope.get(DYNAMIC) and not (scope.get(RECORDS_DEPS) and anonymous(scope)):
                    # Records and sign-in pages change without a rebuild, or differ per user:
                    # never kept by the response cache, a proxy or the browser's back button.
                    MutableHeaders(scope=message)["cache-control"] = "no-store"
                elif scope.get(RECORDS_DEPS):
                    # A visitor's read of the records: the same for every visitor, so the
                    # response cache may keep it (until a write changes it); browsers revalidate.
                    MutableHeaders(scope=message)["cache-control"] = "no-cache"
                now = scope[SESSION]
                if json.dumps(now, sort_keys=True) != original:
                    headers = MutableHeaders(scope=message)
                    if now:
                        value = self.signer.dumps(now)
                        cookie = f"{COOKIE}={value}; Path=/; Max-Age={SESSION_HOURS * 3600}; HttpOnly; SameSite=Lax"
                    else:
                        cookie = f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
                    if secure:
                        cookie += "; Secure"
                    headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def anonymous(scope: Scope) -> bool:
    """No session cookie and no API token: a visitor, whose answers are the same for all visitors."""
    if _cookie(scope, COOKIE):
        return False
    return not any(k == b"authorization" for k, _ in scope.get("headers", []))


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None


# --- the records database of the running app -------------------------------------------------

# A dashboard that has never had records (a council that has not started them): not a fault.
NO_RECORDS_YET = ("No records are kept in this dashboard yet. When the council starts them, the programme's sites, "
                  "the board's actions and the Shared Care Record register appear here.")

def records_of(request: Request) -> Records:
    """The app's records database, opened on first use (refused, with the command to run, when
    its schema is not at the newest migration): the application object's, which the rest of the
    worker reads too (one connection pool, not one here and another there), unless the app was
    given a records URL of its own."""
    request.scope[DYNAMIC] = True
    state = request.app.state
    records = getattr(state, "records", None)
    obs = getattr(state, "observatory", None)
    if records is None and obs is not None and not getattr(state, "records_url", None):
        records = obs.records
        if records is None:
            reason = obs.records_reason() or NO_RECORDS
            if reason == NO_RECORDS:
                raise NoRecordsYet(NO_RECORDS_YET)
            raise StoreError(reason[:1].upper() + reason[1:])
    if records is None:
        target = getattr(state, "records_url", None) or getattr(state, "workspace_dir", None)
        if target is None and not os.environ.get("OBSERVATORY_DATABASE_URL"):
            raise StoreError("This dashboard has no records database: serve it from a workspace.")
        target = target if target is not None else os.environ["OBSERVATORY_DATABASE_URL"]
        url = target if isinstance(target, str) and "://" in target else database_url(target)
        file = sqlite_file(url)
        if file is not None and not file.exists():
            # Never made here: an empty database would hide the real one's loss. One that this
            # process had open and that is gone is a loss (the open engine's error says so).
            raise NoRecordsYet(NO_RECORDS_YET)
        records = open_records(url)
        state.records = records
    return records


def records_read(request: Request, *keys: str) -> Records:
    """The records database, for a read whose answer depends only on the records named by `keys`
    (change-counter keys, records/changes.py: "action", "action:3"). Their versions are taken
    before the read, so an answer computed while a write commits is never kept as current."""
    records = records_of(request)
    request.scope[RECORDS_DEPS] = (records.changes, keys, changes.versions(records.changes, keys))
    return records


# --- who is asking --------------------------------------------------------------------------

@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: str
    via_token: bool = False

    def may(self, needs: str) -> bool:
        return users_mod.has_role(self.role, needs)


def current_user(request: Request) -> CurrentUser | None:
    """The signed-in user (session cookie or API token), or None for a visitor."""
    request.scope[DYNAMIC] = True
    if "observatory.user" in request.scope:
        return request.scope["observatory.user"]
    user = None
    token = _bearer(request)
    session = request.scope.get(SESSION, {})
    uid = session.get("uid")
    if token or uid:
        with records_of(request).session() as s:
            row = users_mod.user_for_token(s, token) if token else s.get(users_mod.User, uid)
            if row is not None and not token and session.get("sv") != users_mod.session_version(row):
                row = None  # a session ended by sign-out, a new password or disabling
                session.clear()
            if row is not None and not row.disabled:
                user = CurrentUser(row.id, row.username, row.display_name, row.role, via_token=bool(token))
    request.scope["observatory.user"] = user
    return user


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class LoginRequired(Exception):
    """A visitor asked for something that needs a sign-in."""


def require_role(needs: str):
    """A route dependency: the user, if signed in with at least the role `needs` (and, for a
    cookie-authenticated unsafe request, with a valid CSRF token)."""
    users_mod.check_role(needs)

    async def dependency(request: Request) -> CurrentUser:
        # Who is asking may take a database query (a session's user, an API token): in a worker
        # thread, so a slow or busy database never holds up the event loop's other requests.
        user = await run_in_threadpool(current_user, request)
        if user is None:
            raise LoginRequired()
        if not user.may(needs):
            raise HTTPException(403, f"You are signed in as {user.username} with the {user.role} role; "
                                     f"this needs the {needs} role. Ask an administrator.")
        if request.method not in SAFE_METHODS and not user.via_token:
            await verify_csrf(request)
        return user

    dependency.needs = needs  # type: ignore[attr-defined]  # read by the route-roles test
    return dependency


def require_reader(request: Request) -> CurrentUser | None:
    """Records pages are public unless the workspace sets `[records] require_login = true`."""
    user = current_user(request)
    if user is None and _login_to_read(request):
        raise LoginRequired()
    return user


def _login_to_read(request: Request) -> bool:
    state = request.app.state
    if not hasattr(state, "records_require_login"):
        ws = getattr(state, "workspace_dir", None)
        state.records_require_login = bool(ws and load_workspace(ws).records.require_login)
    return state.records_require_login


# --- CSRF ----------------------------------------------------------------------------------

def csrf_token(request: Request) -> str:
    request.scope[DYNAMIC] = True
    session = request.scope.setdefault(SESSION, {})
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def csrf_field(request: Request) -> Markup:
    """The hidden form field every form that changes something carries."""
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token(request))}">')


async def verify_csrf(request: Request) -> None:
    """A dependency: refuse (403) an unsafe request whose token is missing or wrong."""
    if request.method in SAFE_METHODS:
        return
    expected = request.scope.get(SESSION, {}).get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and "form" in request.headers.get("content-type", ""):
        sent = (await request.form()).get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(expected, sent):
        raise HTTPException(403, "The form's security token is missing or out of date. Go back, "
                                 "reload the page and try again.")


# --- sending visitors to sign in ------------------------------------------------------------

def safe_next(target: str | None) -> str:
    """Only a path on this site (never `//host` or a full URL) may be a redirect target."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/actions"


async def _login_required(request: Request, exc: Exception) -> Response:
    if wants_json(request):
        return JSONResponse({"error": {"status": 401, "type": "login_required",
                                       "message": "Sign in first: send a session cookie or an API token "
                                                  "(Authorization: Bearer ...)."}}, status_code=401)
    back = request.url.path if request.method == "GET" else request.headers.get("referer", "/actions")
    back = safe_next(back if back.startswith("/") else "/actions")
    return RedirectResponse(f"/login?next={quote(back)}", status_code=303)


def install(app: FastAPI, workspace_dir: Path | None, records_url: str | None = None) -> None:
    """Sign-in for `app`: the session middleware and the handler that sends visitors to the login
    page (the app includes the login routes, sign_in_pages.py, which use this module)."""
    app.state.records_url = records_url
    secret = secret_key(workspace_dir)
    app.state.device_signer = URLSafeTimedSerializer(secret, salt="observatory-device")
    app.add_middleware(SessionCookie, secret=secret)
    app.add_exception_handler(LoginRequired, _login_required)


def template_globals(env: Any) -> None:
    """What every template may use: `csrf_field(request)` and `signed_in(request)`."""
    env.globals["csrf_field"] = csrf_field
    env.globals["signed_in"] = current_user_or_none


def current_user_or_none(request: Request) -> CurrentUser | None:
    """The user for a template: None also when the records database cannot be opened or read
    (missing, read-only, unreachable): the page, or the error page saying so, still renders."""
    try:
        return current_user(request)
    except (StoreError, DBAPIError):
        return None
