"""`observatory serve`: the dashboard, after building the store if it is missing or out of date."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from ..app import Observatory
from ..errors import ObservatoryError
from .common import WorkspaceArg, WorkspaceOpt, err, load_workspace, progress, reported


def register(app: typer.Typer) -> None:
    app.command()(serve)


def serve(workspace_arg: WorkspaceArg = None,
          workspace: WorkspaceOpt = None,
          host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
          workers: Annotated[int, typer.Option(help="Worker processes (use a PostgreSQL records database for more than 1).")] = 1) -> None:
    """Serve the dashboard (builds the store first if it is missing or older than its sources)."""
    with reported():
        # Deferred on purpose: the web app (FastAPI, Granian, every route and template) would
        # otherwise load at the start of every other command.
        from ..web import server

        ws = load_workspace(workspace, workspace_arg)
        # a port in use is refused before a build, not after it (run_server holds the port itself)
        server.claim_port(host, port).close()
        build_error = None
        observatory = Observatory(ws)
        if not observatory.is_current():
            bar, step = progress()
            try:
                with bar:
                    observatory.ensure_built(step)
                    step(None)
            except ObservatoryError as exc:
                if not ws.store_path.exists():
                    raise
                # a valid older store keeps the dashboard up; the page and the log say why it is old
                build_error = str(exc)
                err.print(f"[bold yellow]The build failed; serving the previous store.[/] {escape(build_error)}")
        server.serve(ws.root, host=host, port=port, workers=workers, build_error=build_error)
