"""What every command module shares: the consoles, the workspace and acting-user options, error
reporting, progress lines, and opening a workspace's store or records database."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from .. import workspace as workspace_mod
from ..errors import ObservatoryError

if TYPE_CHECKING:  # imported where a command opens them: `observatory build` with nothing to do needs neither
    from ..app import Observatory
    from ..records.db import Records
    from ..store import Store


class _Console(Console):
    """Prose wrapped at the terminal's width where there is one (a terminal, or COLUMNS given, as
    `COLUMNS=80 observatory ... > file` does); to a pipe or file with no width given, each message
    stays one line, whole for grep and logs, rather than cut at the 80 columns Rich would guess."""

    @property  # type: ignore[override]
    def soft_wrap(self) -> bool:
        return not (self.is_terminal or os.environ.get("COLUMNS", "").isdigit())

    @soft_wrap.setter
    def soft_wrap(self, value: bool) -> None:  # set by Console.__init__; the width decides instead
        pass


out = _Console()
err = _Console(stderr=True)

WORKSPACE_HELP = (
    "Workspace folder. Default: the folder holding observatory.toml here or in a parent folder "
    "(as git finds .git); only where there is none, the bundled West Yorkshire demo (said on stderr)."
)
WorkspaceArg = Annotated[Path | None, typer.Argument(help="Workspace folder (the same as -w).", show_default=False)]
WorkspaceOpt = Annotated[Path | None, typer.Option("--workspace", "-w", help=WORKSPACE_HELP, show_default=False)]
AsUser = Annotated[str | None, typer.Option("--as", help="Acting user (default: $OBSERVATORY_USER).")]
CsvIn = Annotated[Path, typer.Argument(help="CSV file, in the columns export writes.")]


@contextmanager
def reported() -> Iterator[None]:
    """Every ObservatoryError becomes its message on stderr and exit code 2, never a traceback."""
    try:
        yield
    except ObservatoryError as exc:
        # wrapped at the terminal's width (_Console; soft_wrap=True here would never wrap it)
        err.print(f"[bold red]Error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(exc.exit_code) from None


def load_workspace(*given: Path | None) -> workspace_mod.Workspace:
    """The workspace a command works on: the first folder given (-w or the positional synonym),
    else the one found from the current folder up, else the bundled demo, which is said on stderr
    so nobody mistakes the demo's figures for their own."""
    ws = workspace_mod.load(next((g for g in given if g is not None), None))
    if ws.chosen == "bundled":
        err.print(f"No observatory.toml here or in a parent folder: using the bundled demo workspace "
                  f"({ws.root}). Give -w FOLDER for your own.", highlight=False)
    return ws


def open_store(*workspace: Path | None) -> Store:
    """The store of the workspace given (or found, or the demo's), as the application object opens
    it: its figures derived from the records brought up to date first (app.Observatory)."""
    return store_of(load_workspace(*workspace))


def store_of(ws: workspace_mod.Workspace) -> Store:
    """The workspace's store, through its application object (closed by the caller)."""
    # deferred: start-up of `observatory build` (cli/build.py) skips the application object
    from ..app import Observatory

    return Observatory(ws).store


def open_observatory(*workspace: Path | None) -> Observatory:
    """The observatory of the workspace given (or found, or the demo's), as every view opens it."""
    # deferred: start-up of `observatory build` (cli/build.py) skips the application object
    from ..app import Observatory

    return Observatory(load_workspace(*workspace))


def open_records_of(workspace: Path | None) -> Records:
    """The records database of the workspace -w names (or the one found, or the demo's)."""
    # deferred: SQLAlchemy and Alembic are loaded for the records commands only
    from ..records.db import open_records

    return open_records(load_workspace(workspace))


def parse_date(value: str | None, option: str) -> date | None:
    """A YYYY-MM-DD date given to `option`, or None if it was not given."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ObservatoryError(f"{option} '{value}' is not a date. Write it as YYYY-MM-DD, e.g. 2025-03-31.") from None


def progress() -> tuple[Progress, Callable[[str | None], None]]:
    """One progress line per build step: a spinner while it runs, its time when done."""
    bar = Progress(SpinnerColumn(finished_text="[green]done[/]"), TextColumn("{task.description}"),
                   BarColumn(bar_width=20), TimeElapsedColumn(), console=err)
    current: list[TaskID] = []

    def step(name: str | None) -> None:
        if current:
            bar.update(current[-1], completed=1)
            bar.stop_task(current[-1])
        if name is not None:
            current.append(bar.add_task(name, total=1))

    return bar, step
