"""`observatory serve`: build the workspace's store if it is missing or stale, then serve it."""

from __future__ import annotations

from pathlib import Path

import uvicorn

from ..store import store_path
from .app import create_app


def is_stale(workspace_dir: Path) -> bool:
    """True when the store is missing or older than any file of the workspace's sources."""
    store = store_path(workspace_dir)
    if not store.exists():
        return True
    built = store.stat().st_mtime
    sources = [workspace_dir / "observatory.toml", *(workspace_dir / "data").rglob("*")]
    return any(p.is_file() and p.stat().st_mtime > built for p in sources)


def serve(workspace_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    workspace_dir = Path(workspace_dir)
    path = store_path(workspace_dir)
    if is_stale(workspace_dir):
        from ..build import ensure_built  # the build pipeline is only needed when rebuilding

        path = ensure_built(workspace_dir)
    app = create_app(path, workspace_dir)
    print(f"Digital Observatory: serving {workspace_dir} at http://{host}:{port}/  (Ctrl+C to stop)")
    print(f"  API docs: http://{host}:{port}/api/v1/docs")
    uvicorn.run(app, host=host, port=port, log_level="warning")
