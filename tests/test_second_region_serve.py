"""Two dashboards never share a port: `serve` refuses one that another program listens on, with one
message and exit code 2, before building anything; and `hubs` with nothing to show says why."""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner

from observatory import workspace
from observatory.cli import app
from observatory.errors import ObservatoryError
from observatory.web import server

from . import corpus
from .conftest import copy_workspace

runner = CliRunner()


def _listener(reuse_port: bool) -> socket.socket:
    """Another program listening on a free port of this machine (with SO_REUSEPORT, as Granian's
    workers open theirs, or without, as most servers do)."""
    s = socket.socket()
    if reuse_port:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s


@pytest.fixture
def no_server(monkeypatch):
    """Fail, rather than start a real server, if serve got past the port check."""
    def started(*args):
        raise AssertionError(f"the server was started on a port in use: {args}")
    monkeypatch.setattr(server, "run_granian", started)


@pytest.mark.slow
@pytest.mark.parametrize("reuse_port", [False, True], ids=["plain listener", "SO_REUSEPORT listener"])
@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="SO_REUSEPORT is a Unix socket option")
def test_serve_refuses_a_port_in_use_before_building(tmp_path, no_server, reuse_port):
    ws = corpus.make_workspace(tmp_path / "ws")
    with _listener(reuse_port) as other:
        port = other.getsockname()[1]
        result = runner.invoke(app, ["serve", str(ws), "--port", str(port)])
    assert result.exit_code == 2, result.output
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "--port" in result.stderr
    assert "Traceback" not in result.output
    assert result.stderr.count("Error:") == 1
    assert not workspace.load(ws).store_path.exists()  # refused first, not after a build


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="SO_REUSEPORT is a Unix socket option")
def test_a_served_port_is_held_against_every_other_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    guard = server.claim_port("127.0.0.1", port)
    try:
        with pytest.raises(ObservatoryError, match="already in use"):
            server.claim_port("127.0.0.1", port)  # a second `serve`
        with socket.socket() as plain, pytest.raises(OSError):
            plain.bind(("127.0.0.1", port))  # any other server
    finally:
        guard.close()
    server.claim_port("127.0.0.1", port).close()  # free again once the server stops


@pytest.mark.slow
def test_serve_refuses_a_port_that_is_not_one(tmp_path, no_server):
    ws = corpus.make_workspace(tmp_path / "ws")
    result = runner.invoke(app, ["serve", str(ws), "--port", "70000"])
    assert result.exit_code == 2 and "1 to 65535" in result.stderr and "Traceback" not in result.output


@pytest.mark.slow
def test_hubs_with_none_says_why_and_exits_non_zero(tmp_path, built_workspace):
    ws = copy_workspace(tmp_path / "ws", {'sites = "data/sites/wy_osm_public_sites_2023.csv"\n': ""})
    (ws / "build").symlink_to(built_workspace / "build")
    for fmt in ("table", "json"):
        result = runner.invoke(app, ["hubs", "-w", str(ws), "--format", fmt])
        assert result.exit_code == 1, result.output
        assert "None" not in result.output
        assert "No support hubs" in result.stderr and "sites" in result.stderr
