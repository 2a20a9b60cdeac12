"""`observatory serve`: build the workspace's store if it is missing or stale, then serve it."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import uvicorn

from ..pipeline import Progress, ensure_built
from ..store import store_path
from .app import create_app

log = logging.getLogger("observatory.web")

def serve(workspace_dir: Path, host: str = "127.0.0.1", port: int = 8000, progress: Progress | None = None,
          workers: int = 1, build_error: str | None = None) -> None:
    """Serve the dashboard; the store is (re)built first when its sources changed since it was built.
    With `workers` > 1, that many processes share the read-only store and the records database
    (use PostgreSQL for it then: OBSERVATORY_DATABASE_URL or [records] url).

    `build_error`: the last build failed (the CLI tried it) and the previous store is served;
    every page says so, and why."""
    workspace_dir = Path(workspace_dir)
    path = store_path(workspace_dir) if build_error else ensure_built(workspace_dir, progress)
    if build_error:
        log.warning("the last build failed, serving the previous store: %s", build_error)
        os.environ[BUILD_ERROR_ENV] = build_error
    check_records(workspace_dir)
    print(f"Digital Observatory: serving {workspace_dir} at http://{host}:{port}/  (Ctrl+C to stop)")
    print(f"  API docs: http://{host}:{port}/api/v1/docs")
    if workers > 1:
        os.environ[WORKSPACE_ENV] = str(workspace_dir.resolve())
        print(f"  {workers} worker processes")
        uvicorn.run("observatory.web.server:worker_app", factory=True, workers=workers, host=host, port=port,
                    log_level="warning", access_log=False)
        return
    app = create_app(path, workspace_dir, build_error=build_error)
    uvicorn.run(app, host=host, port=port, log_level="warning")


WORKSPACE_ENV = "OBSERVATORY_SERVE_WORKSPACE"
BUILD_ERROR_ENV = "OBSERVATORY_SERVE_BUILD_ERROR"


def worker_app():  # noqa: ANN201 - uvicorn's app factory, called once in each worker process
    workspace_dir = Path(os.environ[WORKSPACE_ENV])
    from .. import workspace as workspace_mod

    return create_app(workspace_mod.load(workspace_dir).store_path, workspace_dir,
                      build_error=os.environ.get(BUILD_ERROR_ENV), shared_answers=True)


def check_records(workspace_dir: Path) -> None:
    """Refuse to serve over a records database that is not at the newest migration (the message
    names `observatory records upgrade`). A workspace with no records database yet is served; its
    records pages say what to run."""
    from sqlalchemy.engine import make_url

    from ..records.db import database_url, open_records

    url = database_url(workspace_dir)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        print(f"  No records database yet: run `observatory records upgrade -w {workspace_dir}` for the "
              "board actions and Shared Care Record pages.")
        return
    open_records(url).dispose()
