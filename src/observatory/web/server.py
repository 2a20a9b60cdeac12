"""`observatory serve`: build the workspace's store if it is missing or stale, then serve it.

The HTTP server is Granian (HTTP in Rust, the app in each worker's asyncio loop over ASGI), not
uvicorn: over the same app and 4 workers on 2 cores it answered 8,200-10,200 requests/s at p95
37-45 ms where uvicorn answered 6,500-8,150 at p95 46-63 ms (benchmarks/RESULTS.md, bench_api
--workers 4), because uvicorn's per-request work (its protocol, the scope, a task per request) is
Python.
The tests and benchmarks that run the app in a thread still use uvicorn, which can be run so.
"""

from __future__ import annotations

import errno
import logging
import os
import socket
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from .. import workspace as workspace_mod
from ..app import Observatory
from ..errors import ObservatoryError
from ..pipeline import Progress
from ..records.db import database_url, open_records
from .app import create_app

log = logging.getLogger("observatory.web")

def serve(workspace_dir: Path, host: str = "127.0.0.1", port: int = 8000, progress: Progress | None = None,
          workers: int = 1, build_error: str | None = None) -> None:
    """Serve the dashboard; the store is (re)built first when its sources changed since it was built.
    With `workers` > 1, that many processes share the read-only store and the records database
    (use PostgreSQL for it then: OBSERVATORY_DATABASE_URL or [records] url).

    `build_error`: the last build failed (the CLI tried it) and the previous store is served;
    every page says so, and why.

    A port another program already listens on is refused (ObservatoryError, before anything is
    built), and the port is held while this server runs, so a second `serve` cannot share it."""
    workspace_dir = Path(workspace_dir)
    guard = claim_port(host, port)
    try:
        _serve(workspace_dir, host, port, progress, workers, build_error)
    finally:
        guard.close()


def _serve(workspace_dir: Path, host: str, port: int, progress: Progress | None, workers: int,
           build_error: str | None) -> None:
    if build_error:
        log.warning("the last build failed, serving the previous store: %s", build_error)
    else:
        Observatory.open(workspace_dir).ensure_built(progress)
    check_records(workspace_dir)
    warning = workers_warning(database_url(workspace_dir), workers)
    if warning:
        log.warning("%s", warning)
        print(warning, file=sys.stderr)
    # one short line each, so an 80-column terminal does not wrap them
    print(f"Digital Observatory: serving {workspace_dir}")
    print(f"  Dashboard: http://{host}:{port}/  (Ctrl+C to stop)")
    print(f"  API docs:  http://{host}:{port}/api/v1/docs")
    if workers > 1:
        print(f"  {workers} worker processes")
    # Each worker process builds its own app (worker_app) from what the environment tells it.
    os.environ[WORKSPACE_ENV] = str(workspace_dir.resolve())
    os.environ[SHARED_ENV] = "1" if workers > 1 else ""
    os.environ[BUILD_ERROR_ENV] = build_error or ""
    run_granian(host, port, workers)


def claim_port(host: str, port: int) -> socket.socket:
    """Make sure no other program listens on host:port, and hold it for this server.

    Granian's workers each open the port with SO_REUSEPORT, and on Linux any other process of the
    same user that does so too is let in beside them: two dashboards on one address, each answering
    some of the requests. So first a socket without SO_REUSEPORT is bound there, which fails while
    anything listens on the port (SO_REUSEADDR only passes over closed connections still in
    TIME_WAIT); then a socket with SO_REUSEPORT alone is bound and kept (never listening, so it
    takes no requests): Granian's workers may join it, and every other program's bind, and this
    check in a second `serve`, fail for as long as it is held. The caller closes it when the server
    stops."""
    if not 0 < port < 65536:
        raise ObservatoryError(f"--port {port} is not a port number. Give a number from 1 to 65535, e.g. --port 8000.")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror:
        raise ObservatoryError(f"--host {host} is not an address of this machine. Give an address such as "
                               "127.0.0.1 (this machine only) or 0.0.0.0 (every network).") from None
    probe = socket.socket(family, kind, proto)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
    except OSError as exc:
        raise ObservatoryError(_refusal(host, port, exc)) from None
    finally:
        probe.close()
    guard = socket.socket(family, kind, proto)
    if not hasattr(socket, "SO_REUSEPORT"):
        return guard  # no port sharing to guard against (Windows)
    try:
        # SO_REUSEPORT only: with SO_REUSEADDR too, Linux would let any other socket with
        # SO_REUSEADDR bind beside it until one of them listens
        guard.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        guard.bind(address)
    except OSError:
        # closed connections of another program still waiting out TIME_WAIT on the port: nothing
        # listens there (the check above), so serve; the port is not held against a second server
        log.info("port %s:%s not held: closed connections are still waiting there", host, port)
    return guard


def _refusal(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (f"Port {port} on {host} is already in use: another program (perhaps another dashboard) is "
                f"listening there. Stop it, or serve on another port, e.g. --port {free_port(host, port)}.")
    if exc.errno == errno.EACCES:
        return (f"Port {port} on {host} needs administrator rights. Use a port from 1024 up, e.g. --port 8000.")
    if exc.errno == errno.EADDRNOTAVAIL:
        return (f"{host} is not an address of this machine. Give an address such as 127.0.0.1 (this machine "
                "only) or 0.0.0.0 (every network).")
    return f"Cannot listen on {host}:{port} ({exc.strerror or exc}). Choose another --host or --port."


def free_port(host: str, after: int) -> int:
    """The first port above `after` that nothing holds on `host` just now (bound and let go, as
    claim_port tests one), so the port a refusal suggests is one that would be accepted."""
    family, kind, proto, _, address = socket.getaddrinfo(host, after, type=socket.SOCK_STREAM,
                                                         flags=socket.AI_PASSIVE)[0]
    for port in [*range(after + 1, min(after + 100, 65535) + 1), 0]:  # 0: any port the system picks
        with socket.socket(family, kind, proto) as probe:
            try:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind((address[0], port, *address[2:]))
            except OSError:
                continue
            return probe.getsockname()[1]
    return 8000


WORKSPACE_ENV = "OBSERVATORY_SERVE_WORKSPACE"
BUILD_ERROR_ENV = "OBSERVATORY_SERVE_BUILD_ERROR"
SHARED_ENV = "OBSERVATORY_SERVE_SHARED"


def run_granian(host: str, port: int, workers: int) -> None:
    from granian import Granian

    Granian(
        "observatory.web.server:worker_app",
        factory=True,
        address=host,
        port=port,
        interface="asgi",
        workers=workers,
        loop="uvloop" if sys.platform != "win32" else "auto",
        websockets=False,  # the dashboard has none
        log_level="warning",
        respawn_failed_workers=True,  # a worker that dies is replaced, not left missing
    ).serve()


def worker_app():  # noqa: ANN201 - Granian's app factory, called once in each worker process
    workspace_dir = Path(os.environ[WORKSPACE_ENV])
    from granian.utils.proxies import wrap_asgi_with_proxy_headers

    _log_to_stderr()

    app = create_app(workspace_mod.load(workspace_dir).store_path, workspace_dir,
                     build_error=os.environ.get(BUILD_ERROR_ENV) or None,
                     shared_answers=bool(os.environ.get(SHARED_ENV)))
    app.state.watch.serve_in_worker()
    # Behind a reverse proxy that ends TLS, the request came over HTTPS if the proxy says so
    # (X-Forwarded-Proto, with X-Forwarded-For), which is what makes the session cookie Secure
    # (auth.py). Trusted from this machine only, or the addresses in FORWARDED_ALLOW_IPS: the same
    # default as uvicorn's, which served the dashboard before.
    return wrap_asgi_with_proxy_headers(app, os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"))


def _log_to_stderr() -> None:
    """The dashboard's own messages (a rebuilt store swapped in, how long it took to prepare) on
    the server's standard error, with the time and the worker's process id, for whoever runs it."""
    logger = logging.getLogger("observatory")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s worker %(process)d: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def workers_warning(records_url: str, workers: int) -> str | None:
    """What to say when several worker processes would share a SQLite records database: each
    transaction there, even a read, takes the database's one write lock (records/engine.py, so
    that two writers queue rather than fail), so the workers wait on one another for every records
    page, sign-in and edit. Served anyway (the store's pages do not touch the records), with the
    reason and the fix."""
    if workers <= 1 or make_url(records_url).get_backend_name() != "sqlite":
        return None
    return (f"Warning: {workers} worker processes share a SQLite records database. Every read of the records "
            "takes SQLite's one write lock, so the workers queue behind each other on records pages, sign-in "
            "and edits (the coverage pages are not affected). For a shared server put the records in PostgreSQL "
            "([records] url in observatory.toml, or OBSERVATORY_DATABASE_URL), or serve with --workers 1.")


def check_records(workspace_dir: Path) -> None:
    """Refuse to serve over a records database that is not at the newest migration (the message
    names `observatory records upgrade`). A workspace with no records database yet is served; its
    records pages say what to run."""
    url = database_url(workspace_dir)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
        print(f"  No records database yet: run `observatory records upgrade -w {workspace_dir}` for the "
              "board actions and Shared Care Record pages.")
        return
    open_records(url).dispose()
