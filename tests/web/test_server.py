"""`serve()`: builds a missing or stale store before serving, and serves a current one as is."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from observatory import workspace as workspace_mod
from observatory.web import server

from .. import corpus

pytestmark = pytest.mark.slow


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return corpus.make_workspace(tmp_path / "ws")


def _serve(monkeypatch, ws: Path) -> list[tuple]:
    served: list[tuple] = []
    monkeypatch.setattr(server, "run_granian", lambda *args: served.append(args))
    server.serve(ws, port=8123)
    assert served == [("127.0.0.1", 8123, 1)]
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_worker_processes_serve_pages_the_api_and_files_and_refuse_writes(ws: Path) -> None:
    """`observatory serve --workers 2` as a user runs it: the real server, over HTTP."""
    port = _free_port()
    cli = Path(sys.executable).with_name("observatory")
    proc = subprocess.Popen([str(cli), "serve", str(ws), "--port", str(port), "--workers", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the server did not start: {proc.stdout.read()}") from None
                time.sleep(0.3)

        with urllib.request.urlopen(base + "/") as page:
            assert page.status == 200
            assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
            assert page.headers["X-Content-Type-Options"] == "nosniff"
            assert "<html" in page.read().decode()
        head = urllib.request.urlopen(urllib.request.Request(base + "/", method="HEAD"))
        assert head.status == 200 and head.read() == b""
        area = urllib.request.Request(base + "/api/v1/areas/E08000035", headers={"Accept": "application/json"})
        with urllib.request.urlopen(area) as answer:
            assert json.load(answer)["area"]["name"] == "Leeds"
        with urllib.request.urlopen(base + "/static/observatory.css") as css:
            assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/api/v1/areas/E99999999")
        assert missing.value.code == 404
        write = urllib.request.Request(base + "/api/v1/actions/1/updates", data=b'{"text": "x"}', method="POST",
                                       headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(write)
        assert refused.value.code in (401, 403)
        # Behind a reverse proxy on this machine that ends TLS, the session cookie is Secure.
        with urllib.request.urlopen(base + "/login") as plain:
            assert "secure" not in plain.headers["Set-Cookie"].lower()
        proxied = urllib.request.Request(base + "/login", headers={"X-Forwarded-Proto": "https",
                                                                   "X-Forwarded-For": "203.0.113.9"})
        with urllib.request.urlopen(proxied) as tls:
            assert "; secure" in tls.headers["Set-Cookie"].lower()
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl+C
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError("the server did not stop on Ctrl+C") from None
