"""The web app: the dashboard's pages (each with a JSON twin), the /api/v1 API with its docs
served locally, downloads and map layers, all read from one built store."""

from __future__ import annotations

import logging
import os
import time
from contextlib import asynccontextmanager
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import Receive, Scope, Send

from ..app import Observatory
from ..errors import ObservatoryError
from ..glossary import method_words
from ..levels import LEVEL_LABELS, LEVELS
from ..months import MONTHS, month_words
from ..pipeline.suppression import threshold_of
from ..store import Store
from . import (
    admin,
    api,
    auth,
    catalogue,
    challenges_api,
    changes,
    errors,
    inclusion,
    inclusion_api,
    pages,
    programme,
    programme_api,
    records,
    records_api,
    sign_in_pages,
)
from . import challenges as challenge_pages
from . import glossary as glossary_pages
from . import metrics as metrics_pages
from . import report as report_pages
from . import takeup as takeup_pages
from .cache import ResponseCache
from .charts import series_svg
from .figures import ILLUSTRATIVE, no_figure, percent_text
from .follow_records import FollowRecords
from .geo import LAYER_PATH, Layers
from .live import FollowStore, Snapshot, StoreWatch
from .nav import NAV, section_of
from .negotiate import JsonSuffix
from .security import SecurityHeaders
from .shared_answers import SharedAnswers
from .tiles import TILE_PATH, Tiles

HERE = Path(__file__).parent
log = logging.getLogger("observatory.web")
API_DESCRIPTION = """Broadband coverage for a city region at every geography, with provenance.

Every dashboard page has a JSON twin: add `.json` to its path (`/index.json` for the overview) or
send `Accept: application/json`. Figures derived from synthetic demo input carry
`synthetic: true`, and any answer holding them has `illustrative: true` and a `notice`.
Errors are `{"error": {"status", "type", "message", ...}}`; a bad parameter names the
`parameter` and its `allowed` values."""


def create_app(store_path: Path, workspace_dir: Path | None = None, check_every: float = 1.0,
               build_error: str | None = None, shared_answers: bool = False) -> FastAPI:
    """The app over the store at `store_path`. When a rebuild replaces that file the app notices
    (checking at most every `check_every` seconds) and serves the new store without a restart.
    `shared_answers`: one of several worker processes, which read each other's computed answers
    (shared_answers.py)."""
    watch = StoreWatch(Path(store_path), _snapshot, check_every,
                       prepare=partial(_prepare, workspace_dir=workspace_dir))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        watch.close()

    app = FastAPI(
        title="Digital Observatory API",
        version="1.0",
        description=API_DESCRIPTION,
        docs_url=None,  # served below from the vendored swagger-ui, never a CDN
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        lifespan=lifespan,
    )
    # Requests read the store and what is derived from it through their snapshot
    # (pages.snapshot_of), never from app.state, which would go stale after a rebuild.
    app.state.watch = watch
    app.state.workspace_dir = workspace_dir
    # the settings, read once and again only when their files change (app.Observatory)
    app.state.observatory = _observatory(workspace_dir)
    app.state.build_error = build_error  # the last build failed: pages say so above their content
    # A raster tile URL template ({z}/{x}/{y}) for a basemap, if an organisation has its own tile
    # server. Unset by default: the map draws boundaries on a plain background, offline.
    app.state.tile_url = os.environ.get("OBSERVATORY_TILE_URL", "")

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    auth.install(app, workspace_dir)  # sign-in, sessions, roles (records)
    app.include_router(sign_in_pages.router)  # /login and /logout
    for router in (records.router, records_api.router, admin.router, programme.router, programme_api.router,
                   metrics_pages.router, metrics_pages.api, inclusion.router, inclusion_api.router, glossary_pages.router,
                   challenge_pages.router, challenges_api.api, takeup_pages.router, takeup_pages.api):
        app.include_router(router)
    app.include_router(report_pages.router)
    app.include_router(changes.router)
    _docs(app)
    errors.install(app)

    # Outermost first: suffix routing, then the cache (which stores compressed bodies), then gzip.
    # Outermost of all: each request's store snapshot (the cache keys on its generation).
    app.add_middleware(GZipSkippingLayers, minimum_size=1000, compresslevel=6)
    app.add_middleware(ResponseCache, shared=SharedAnswers() if shared_answers else None)
    app.add_middleware(JsonSuffix)
    app.add_middleware(FollowStore, watch=watch)
    app.add_middleware(FollowRecords, watch=watch, observatory=app.state.observatory)
    app.add_middleware(SecurityHeaders)
    return app


def _observatory(workspace_dir: Path | None) -> Observatory | None:
    """The workspace's application object; None for a folder that holds no readable settings (a
    dashboard over a bare store: pages then show no targets, and records pages say why)."""
    if workspace_dir is None:
        return None
    try:
        return Observatory.open(workspace_dir)
    except ObservatoryError as exc:
        log.warning("serving without the workspace's settings: %s", exc)
        return None


class GZipSkippingLayers(GZipMiddleware):
    """Map layers and tiles are compressed once when built and sent with their own ETag and Vary
    (see geo.compressed_response); passing them through GZipMiddleware would add a second Vary."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith((LAYER_PATH, TILE_PATH)):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _snapshot(store: Store, identity: tuple[int, int] | None, generation: int) -> Snapshot:
    region = store.region()
    meta = store.meta()
    suppress_below = threshold_of(meta)
    layers = Layers(store, region)
    snap = Snapshot(
        store=store,
        identity=identity,
        generation=generation,
        available=catalogue.available(store),
        region=region,
        layers=layers,
        tiles=Tiles(layers),
        templates=_templates(meta, suppress_below),
        suppress_below=suppress_below,
    )
    if generation > 1:
        _warm(snap)
    return snap


# The region's map levels, whose layers and figures most pages ask for first.
WARM_LEVELS = ("lad", "ward", "msoa", "lsoa")


def _warm(snap: Snapshot) -> None:
    """A rebuilt store is warmed before it is swapped in (the old one keeps serving meanwhile):
    its map layers built and each indicator's latest figures read once at every level, so the
    first requests after a swap find the data in memory rather than all missing at once
    (measured: p95 of 3.7-5.5 s for ~12 s after a cold swap under 200 clients)."""
    started = time.monotonic()
    snap.store.keep_newest_figures([level for level in LEVELS if level not in ("postcode", "oa")])
    for a in snap.available:
        if a["level"] in ("postcode", "oa"):
            continue
        try:
            snap.store.figures(a["level"], a["indicator"], a["releases"][-1], within=snap.region
                               if a["level"] in WARM_LEVELS and snap.region else None)
        except ObservatoryError:
            continue
    for level in WARM_LEVELS:
        try:
            snap.layers.get(level)
        except ObservatoryError:
            continue
    log.info("warmed the new store in %.1f s", time.monotonic() - started)


def _prepare(snap: Snapshot, workspace_dir: Path | None = None) -> None:
    """Further, where a rebuilt store is opened in the background while the old one serves (the
    server is busy, or nobody waits longer than live.IDLE_WAIT): what area profiles read (the
    areas, their parents and children, the series of the map levels and the comparators above
    them) and the exclusion-risk model. Loading the model takes seconds, and profiles waiting for
    it after a swap held every thread of the pool (30 s stalls under 200 clients, issue 21)."""
    started = time.monotonic()
    snap.store.keep_for_profiles((*WARM_LEVELS, "group", "ca", "rgn", "nation", "uk"))
    snap.store.keep_newest_figures(["oa"])  # an LSOA profile ranks its output areas
    model = inclusion.model_for(inclusion.workspace_root(workspace_dir, snap.store), snap.store)
    if not isinstance(model, ObservatoryError):
        for level in model.levels:  # the index every profile shows, with its robustness to the weights
            model.compute(level, sensitivity=True)
    log.info("prepared the new store in %.1f s", time.monotonic() - started)


def _templates(meta: dict[str, str], suppress_below: int | None) -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    env = templates.env
    env.filters["pct"] = _pct
    env.filters["pp"] = _pp
    env.filters["lower_first"] = lower_first
    env.filters["upper_first"] = lambda text: text[:1].upper() + text[1:] if text else text
    env.filters["when"] = when_words
    env.filters["count"] = lambda v: "" if v is None else f"{v:,.0f}"
    env.globals["level_label"] = lambda lv: LEVEL_LABELS.get(lv, lv)
    env.globals["month_words"] = month_words
    env.globals["method_words"] = method_words
    env.globals["series_svg"] = series_svg
    env.globals["ILLUSTRATIVE"] = ILLUSTRATIVE
    env.globals["NAV"] = NAV
    env.globals["nav_section"] = section_of
    env.globals["term"] = glossary_pages.term  # {{ term("lsoa", "LSOA") }}: a link to /glossary#lsoa
    env.globals["term_links"] = glossary_pages.TermLinks  # {% set gl = term_links() %}{{ gl(text) }}
    env.filters["glossed"] = glossary_pages.glossed  # {{ text | glossed }}: each term linked once
    auth.template_globals(env)
    env.globals["no_figure"] = lambda row: no_figure(row, suppress_below)
    # A figure of a row with its words when it has no value: `shown(row, unit)`.
    env.globals["shown"] = lambda row, unit="%": (
        _pct(row["value"], unit) if row and row.get("value") is not None else no_figure(row, suppress_below)
    )
    env.globals["built"] = meta.get("built", "")
    env.globals["workspace_name"] = meta.get("workspace", "")
    return templates


def _pct(value: Any, unit: str = "%") -> str:
    if value is None:
        return "no figure"
    return percent_text(value, unit)


PROPER = ("England", "English", "Wales", "Welsh", "Scotland", "Scottish", "Northern Ireland", "Great Britain",
          "United Kingdom", "UK")


def lower_first(text: str) -> str:
    """A label inside a sentence: 'Ward' -> 'ward', but 'LSOA', 'England and Wales' and
    'Mbit/s' stay as they are (lower-casing a whole label gave 'mbit/s' and 'england')."""
    if not text or text[1:2].isupper() or text.startswith(PROPER):
        return text
    return text[:1].lower() + text[1:]


def when_words(stamp: Any) -> str:
    """'2026-11-28T14:52:53' -> '28 November 2026 at 14:52', '2026-11-28' -> '28 November 2026':
    a time as people write it."""
    try:
        moment = datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp or "")
    words = f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    # a date alone ('2026-12-03') has no time of day to give
    return words if len(str(stamp)) <= 10 else f"{words} at {moment:%H:%M}"


def _pp(change: Any) -> str:
    """A change in percentage points, with a word as well as a sign."""
    if change is None:
        return "no earlier release"
    v = change["change_pp"]
    if abs(v) < 0.05:
        return f"no change since {month_words(change['release'])}"
    word = "up" if v > 0 else "down"
    return f"{word} {abs(v):.1f} percentage points since {month_words(change['release'])}"


DOCS_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>API documentation - Digital Observatory</title>
<link rel="icon" href="/static/vendor/govuk/images/favicon.ico">
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
<link rel="stylesheet" href="/static/observatory.css">
</head>
<body>
<header class="obs-docs-header"><a href="/">Digital Observatory</a> &rsaquo; <a href="/api/v1">API</a> &rsaquo; documentation</header>
<main id="main-content"><div id="swagger-ui"></div></main>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


def _docs(app: FastAPI) -> None:
    @app.get("/api/v1/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        # The vendored Swagger UI, started from a static file (the CSP allows no inline script),
        # with a way back to the dashboard.
        return HTMLResponse(DOCS_PAGE)

    @app.get("/api", include_in_schema=False)
    @app.get("/api/v1", include_in_schema=False)
    def api_root(request: Request) -> HTMLResponse:
        return pages.render(
            request,
            "api.html",
            {
                "version": "v1",
                "docs": "/api/v1/docs",
                "openapi": "/api/v1/openapi.json",
                "endpoints": [
                    {"path": path, "method": method.upper(), "summary": op.get("summary", "")}
                    for path, ops in app.openapi()["paths"].items()
                    for method, op in ops.items()
                ],
            },
            title="API",
        )
