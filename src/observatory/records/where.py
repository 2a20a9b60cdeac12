"""Whether a workspace has a records database, answered without loading SQLAlchemy: a build asks
it every time (the programme's reach figures depend on the register), and a workspace without
records should not pay a second of start-up for the database library."""

from __future__ import annotations

import os
from pathlib import Path

from ..workspace import Workspace

ENV_URL = "OBSERVATORY_DATABASE_URL"
SQLITE_NAME = "records.sqlite"


def workspace_sqlite(ws: Workspace) -> Path | None:
    """The workspace's own SQLite file when that is its records database (no URL given), else None."""
    if os.environ.get(ENV_URL) or ws.records.url:
        return None
    return ws.root / SQLITE_NAME


def configured(ws: Workspace) -> bool:
    """Whether the workspace has a records database to open: a URL given (environment or
    observatory.toml), or the SQLite file already in its folder. Opening one never creates it."""
    sqlite = workspace_sqlite(ws)
    return sqlite is None or sqlite.exists()
