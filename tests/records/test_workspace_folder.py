"""The dashboard, given a workspace folder, finds that workspace's records database (not one in
whatever folder the server was started from)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from typer.testing import CliRunner

from observatory import workspace
from observatory.cli import app
from observatory.records.db import database_url


def test_the_dashboard_reads_the_records_of_the_workspace_it_serves(built_workspace: Path, tmp_path: Path):
    assert database_url(built_workspace) == f"sqlite:///{(built_workspace / 'records.sqlite').resolve()}"
    result = CliRunner().invoke(app, ["records", "upgrade", "-w", str(built_workspace)])
    assert result.exit_code == 0, result.output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from observatory.web.app import create_app

    old = Path.cwd()
    os.chdir(tmp_path)  # started from another folder, as a service manager might
    try:
        relative = Path(os.path.relpath(built_workspace, tmp_path))
        with TestClient(create_app(workspace.load(relative).store_path, relative)) as c:
            assert c.get("/actions").status_code == 200
    finally:
        os.chdir(old)
    assert not (tmp_path / "records.sqlite").exists()
