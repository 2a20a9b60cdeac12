"""What every command module shares: the consoles, the workspace option, error reporting and
progress lines. Feature packages (records, inclusion, programme, strategy, report) define their
commands in their own `commands.py` over these, and `cli.py` registers them."""

from __future__ import annotations

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

WorkspaceArg = Annotated[Path | None, typer.Argument(help="Workspace folder (default: the bundled West Yorkshire one).")]
WorkspaceOpt = Annotated[Path | None, typer.Option("--workspace", "-w", help="Workspace folder (default: bundled West Yorkshire).")]


@contextmanager
def reported() -> Iterator[None]:
    """Every ObservatoryError becomes its message on stderr and exit code 2, never a traceback."""
    try:
        yield
    except ObservatoryError as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(exc.exit_code) from None


def check_format(format: str, allowed: tuple[str, ...]) -> None:
    if format not in allowed:
        raise ObservatoryError(f"--format '{format}' is not known. Use {', '.join(allowed[:-1])} or {allowed[-1]}.")


def open_store(workspace: Path | None) -> Store:
    ws = workspace_mod.load(workspace)
    return Store(ws.store_path)


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
