"""`serve()`: builds a missing or stale store before serving, and serves a current one as is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from observatory import workspace as workspace_mod
from observatory.web import server

from .. import corpus


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return corpus.make_workspace(tmp_path / "ws")


def _serve(monkeypatch, ws: Path) -> list[dict]:
    served: list[dict] = []
    monkeypatch.setattr(server.uvicorn, "run", lambda app, **kw: served.append(kw))
    server.serve(ws, port=8123)
    assert served == [{"host": "127.0.0.1", "port": 8123, "log_level": "warning"}]
    return served


def test_missing_store_is_built_first(monkeypatch, ws, capsys):
    store = workspace_mod.load(ws).store_path
    assert not store.exists()
    _serve(monkeypatch, ws)
    assert store.exists()
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out


def test_current_store_is_served_without_building(monkeypatch, ws):
    _serve(monkeypatch, ws)
    store = workspace_mod.load(ws).store_path
    before = store.stat().st_mtime_ns
    _serve(monkeypatch, ws)
    assert store.stat().st_mtime_ns == before


def test_store_older_than_a_source_is_rebuilt(monkeypatch, ws):
    _serve(monkeypatch, ws)
    store = workspace_mod.load(ws).store_path
    before = store.stat().st_mtime_ns
    source = ws / corpus.LAUA
    later = source.stat().st_mtime + 100
    os.utime(source, (later, later))
    _serve(monkeypatch, ws)
    assert store.stat().st_mtime_ns != before
