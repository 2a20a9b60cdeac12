"""HTML for people, JSON for programs: every page answers as JSON too.

A page's JSON twin is the same URL with `.json` added to the path (`/areas/E08000035.json`,
`/index.json` for `/`), or the same URL requested with `Accept: application/json`. The suffix is
taken off by a small ASGI middleware before routing, so one view serves both.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

JSON_FLAG = "observatory.json"
# Paths that are never pages: the API is always JSON, static files keep their names.
_NOT_PAGES = ("/api/", "/static/", "/download")


class JsonSuffix:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and path.endswith(".json") and not path.startswith(_NOT_PAGES):
            page = path[: -len(".json")]
            page = "/" if page in ("/index", "") else page
            raw = scope.get("raw_path") or path.encode()
            raw = raw[: -len(b".json")] if raw.endswith(b".json") else page.encode()
            scope = dict(scope, path=page, raw_path=b"/" if page == "/" else raw)
            scope[JSON_FLAG] = True
        await self.app(scope, receive, send)


def wants_json(request: Request) -> bool:
    if request.scope.get(JSON_FLAG) or request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def json_url(request: Request) -> str:
    """The JSON twin of the page being shown (linked from every page)."""
    path = request.url.path
    twin = "/index.json" if path == "/" else path + ".json"
    query = request.url.query
    return twin + (f"?{query}" if query else "")
