"""What every command module shares: the consoles, the workspace option, error reporting and
progress lines. Feature packages (records, inclusion, programme, strategy, report) define their
commands in their own `commands.py` over these, and `cli.py` registers them."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from . import workspace as workspace_mod
from .errors import ObservatoryError
from .store import Store

out = Console()
err = Console(stderr=True)

WORKSPACE_HELP = (
    "Workspace folder. Default: the folder holding observatory.toml here or in a parent folder "
    "(as git finds .git); only where there is none, the bundled West Yorkshire demo (said on stderr)."
)
WorkspaceArg = Annotated[Path | None, typer.Argument(help="Workspace folder (the same as -w).", show_default=False)]
WorkspaceOpt = Annotated[Path | None, typer.Option("--workspace", "-w", help=WORKSPACE_HELP, show_default=False)]


@contextmanager
def reported() -> Iterator[None]:
    """Every ObservatoryError becomes its message on stderr and exit code 2, never a traceback."""
    try:
        yield
    except ObservatoryError as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None


def write_output(text: str, file: Path | None) -> None:
    """An export: to standard output, or to `file` written whole (a .part file renamed into place,
    so an interrupted export never leaves half a file under the real name)."""
    if file is None:
        sys.stdout.write(text)
        return
    tmp = file.with_name(file.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(file)
    out.print(f"Wrote {escape(str(file))}.", highlight=False)


def check_format(format: str, allowed: tuple[str, ...]) -> None:
    if format not in allowed:
        raise ObservatoryError(f"--format '{format}' is not known. Use {', '.join(allowed[:-1])} or {allowed[-1]}.")


def load_workspace(*given: Path | None) -> workspace_mod.Workspace:
    """The workspace a command works on: the first folder given (-w or the positional synonym),
    else the one found from the current folder up, else the bundled demo, which is said on stderr
    so nobody mistakes the demo's figures for their own."""
    ws = workspace_mod.load(next((g for g in given if g is not None), None))
    if ws.chosen == "bundled":
        err.print(f"No observatory.toml here or in a parent folder: using the bundled demo workspace "
                  f"({ws.root}). Give -w FOLDER for your own.", highlight=False, soft_wrap=True)
    return ws


def open_store(*workspace: Path | None) -> Store:
    return Store(load_workspace(*workspace).store_path)


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
