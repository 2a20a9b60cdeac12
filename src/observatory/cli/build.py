"""`observatory build`: the store built from the workspace's files and records.

A module of its own, the one the command line loads alone when `build` is run from the shell
(cli/__init__.py ALONE): with nothing changed, the answer comes from the store's fingerprint and the
derived figures' list (observatory/derived.py) in under a second, so this module imports neither the
application object nor the read commands."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import pipeline
from ..derived import DERIVED
from ..store import Store, identity
from .common import WorkspaceArg, WorkspaceOpt, load_workspace, out, progress, reported


def register(app: typer.Typer) -> None:
    app.command()(build)


def build(workspace_arg: WorkspaceArg = None, workspace: WorkspaceOpt = None,
          force: Annotated[bool, typer.Option("--force", help="Build again even if nothing has changed.")] = False) -> None:
    """Build WORKSPACE/build/observatory.duckdb from the sources observatory.toml names.

    Nothing to do when the store was built from them as they are now."""
    with reported():
        ws = load_workspace(workspace, workspace_arg)
        before = identity(ws.store_path)
        if not force and pipeline.is_current(ws, DERIVED):
            path = ws.store_path  # asked before the application object is loaded: a second at most
        else:
            # deferred on purpose: the application object (SQLAlchemy, pandas, every capability)
            # is loaded only when there is something to build
            from ..app import Observatory

            bar, step = progress()
            with bar:
                path = Observatory(ws).build(step, force=force)
                step(None)
        with Store(path) as store:
            facts = store.sql("SELECT count(*) FROM facts")[1][0][0]
            n_rel = len(store.releases())
        done = "Built" if identity(path) != before else "Nothing has changed since the last build: kept"
        out.print(f"{done} {path} ({facts:,} figure{'s' if facts != 1 else ''} from {n_rel} "
                  f"release{'s' if n_rel != 1 else ''}).")
