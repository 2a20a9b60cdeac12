"""`observatory serve`: build the workspace's store if it is missing or stale, then serve it."""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn

from ..pipeline import Progress, ensure_built
from ..store import store_path
from .app import create_app

log = logging.getLogger("observatory.web")


def serve(workspace_dir: Path, host: str = "127.0.0.1", port: int = 8000, progress: Progress | None = None,
          build_error: str | None = None) -> None:
    """Serve the dashboard; the store is (re)built first when its sources changed since it was built.

    `build_error`: the last build failed (the CLI tried it) and the previous store is served;
    every page says so, and why."""
    workspace_dir = Path(workspace_dir)
    path = store_path(workspace_dir) if build_error else ensure_built(workspace_dir, progress)
    app = create_app(path, workspace_dir, build_error=build_error)
    if build_error:
        log.warning("the last build failed, serving the previous store: %s", build_error)
    print(f"Digital Observatory: serving {workspace_dir} at http://{host}:{port}/  (Ctrl+C to stop)")
    print(f"  API docs: http://{host}:{port}/api/v1/docs")
    uvicorn.run(app, host=host, port=port, log_level="warning")
