"""`observatory report`: the annual update, HTML and PDF, with a progress line per step."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..report import write_report
from .common import WorkspaceArg, WorkspaceOpt, err, load_workspace, out, progress, reported


def register(app: typer.Typer) -> None:
    app.command()(report)


def report(
    workspace_arg: WorkspaceArg = None,
    year: Annotated[int | None, typer.Option("--year", help="Report year (default: the newest release's year).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder to write (default: WORKSPACE/build/report).")] = None,
    format: Annotated[str, typer.Option("--format", help="html, pdf or html,pdf.")] = "html,pdf",
    workspace: WorkspaceOpt = None,
) -> None:
    """Write the annual update: DIR/index.html (self-contained) and DIR/annual-update-YYYY.pdf."""
    with reported():
        ws = load_workspace(workspace, workspace_arg)
        formats = tuple(f.strip() for f in format.split(",") if f.strip())
        bar, step = progress()
        with bar:
            written = write_report(ws, year, out_dir, formats, step)
        if written.html:
            out.print(f"Wrote {written.html}")
        if written.pdf:
            pages = f", {written.pages} pages" if written.pages else ""
            out.print(f"Wrote {written.pdf} ({written.pdf.stat().st_size / 1000:,.0f} KB{pages})")
        if written.html is None and written.pdf is None:
            err.print("Nothing written.")
