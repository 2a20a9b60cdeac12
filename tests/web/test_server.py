"""`serve()`: builds a missing or stale store before serving, and serves a current one as is."""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import pytest

from observatory.web import server

from .fixture_store import make_store


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "observatory.toml").write_text("# test\n")
    (tmp_path / "data" / "coverage.csv").write_text("x\n")
    return tmp_path


def _serve(monkeypatch, workspace: Path) -> list[Path]:
    built: list[Path] = []
    served: list[object] = []

    def ensure_built(ws):
        built.append(ws)
        server.store_path(ws).parent.mkdir(exist_ok=True)
        return make_store(server.store_path(ws))

    fake_build = types.ModuleType("observatory.build")
    fake_build.ensure_built = ensure_built
    monkeypatch.setitem(sys.modules, "observatory.build", fake_build)
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **kw: served.append((app, kw)))
    server.serve(workspace, port=8123)
    assert served and served[0][1]["port"] == 8123 and served[0][1]["host"] == "127.0.0.1"
    return built


def test_missing_store_is_built_first(monkeypatch, workspace, capsys):
    assert server.is_stale(workspace)
    assert _serve(monkeypatch, workspace) == [workspace]
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out


def test_current_store_is_served_without_building(monkeypatch, workspace):
    path = server.store_path(workspace)
    path.parent.mkdir()
    make_store(path)
    assert not server.is_stale(workspace)
    assert _serve(monkeypatch, workspace) == []


def test_store_older_than_a_source_is_rebuilt(monkeypatch, workspace):
    path = server.store_path(workspace)
    path.parent.mkdir()
    make_store(path)
    old = path.stat().st_mtime - 100
    os.utime(path, (old, old))
    assert server.is_stale(workspace)
    assert _serve(monkeypatch, workspace) == [workspace]
