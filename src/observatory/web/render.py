"""Showing a view's dictionary: as HTML through a template, or as the page's JSON twin, from the
store snapshot the request reads. Every page family renders through here."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from ..app import Observatory
from ..store import Store
from ..workspace import Workspace
from ..workspace.metrics import MetricsConfig
from . import params
from .figures import ILLUSTRATIVE
from .live import SNAPSHOT, Snapshot
from .negotiate import json_url, wants_json


def marked(data: dict[str, Any]) -> dict[str, Any]:
    """Anything with illustrative figures says so in words, in the JSON as on the page."""
    if data.get("illustrative"):
        data.setdefault("notice", ILLUSTRATIVE)  # a page family may word its own (records do)
    return data


def render(request: Request, template: str, data: dict[str, Any], **context: Any) -> Response:
    data = marked(data)
    if wants_json(request):
        return JSONResponse(data)
    return snapshot_of(request).templates.TemplateResponse(
        request, template, {"view": data, "json_url": json_url(request), **context}
    )


def snapshot_of(request: Request) -> Snapshot:
    """The store (and what is derived from it) this request reads, for its whole life: a rebuild
    swapping in a new store never changes it halfway through a request."""
    snap = request.scope.get(SNAPSHOT)
    return snap if snap is not None else request.app.state.watch.current


def store_of(request: Request) -> Store:
    return snapshot_of(request).store


def check_indicator(request: Request, indicator: str, level: str | None = None) -> str:
    """An indicator the store holds (at the level, when one is given)."""
    offered = snapshot_of(request).available
    ids = sorted({a["indicator"] for a in offered if level is None or a["level"] == level})
    return params.choice("indicator", indicator, ids)


def observatory_of(request: Request) -> Observatory | None:
    """The application object the dashboard was started over; None when it was started over a
    bare store (no workspace: no settings, no records, no targets)."""
    return getattr(request.app.state, "observatory", None)


def workspace_of(request: Request) -> Workspace | None:
    obs = observatory_of(request)
    return obs.workspace if obs is not None else None


def settings_version(request: Request) -> int | None:
    """Which reading of the workspace's settings is current (it changes when observatory.toml or
    the metrics file is edited): for answers kept per store that also read the settings."""
    obs = observatory_of(request)
    if obs is None:
        return None
    obs.workspace  # noqa: B018 - reads the settings again if they were edited
    return obs.settings_generation


def targets_of(request: Request) -> MetricsConfig | None:
    """The strategy's coverage targets and metrics (None without a workspace or metrics file)."""
    obs = observatory_of(request)
    return obs.metrics if obs is not None else None
