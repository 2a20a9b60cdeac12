"""`observatory serve`: build the workspace's store if it is missing or stale, then serve it."""

from __future__ import annotations

from pathlib import Path

import uvicorn

from ..pipeline import Progress, ensure_built
from .app import create_app


def serve(workspace_dir: Path, host: str = "127.0.0.1", port: int = 8000, progress: Progress | None = None) -> None:
    """Serve the dashboard; the store is (re)built first when its sources changed since it was built."""
    workspace_dir = Path(workspace_dir)
    path = ensure_built(workspace_dir, progress)
    app = create_app(path, workspace_dir)
    print(f"Digital Observatory: serving {workspace_dir} at http://{host}:{port}/  (Ctrl+C to stop)")
    print(f"  API docs: http://{host}:{port}/api/v1/docs")
    uvicorn.run(app, host=host, port=port, log_level="warning")
