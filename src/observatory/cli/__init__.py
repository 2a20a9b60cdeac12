"""The command line: `observatory COMMAND`. Each command is a thin view over one library call,
turning ObservatoryErrors into messages (exit code 2) and printing through one output writer.

    common    consoles, the -w/--workspace and --as options, reported(), progress lines
    output    the --format option and emit(): a Rich table, CSV or JSON, to stdout or a file
    the rest  one module per command group, each with register(app), listed in GROUP_MODULES below

Exit codes: 0 done, 2 a problem the message explains (bad input, bad configuration, unknown area).

The command groups are imported when the command line is first used, not when this package is:
all of them for `--help`, the tests and any command not listed in ALONE; only its own for a
command listed there, run from the shell (`observatory build` on a workspace that is already
built answers in a fraction of the time it takes to import every group).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

import typer

# Every command group, in the order `observatory --help` lists them.
GROUP_MODULES = ("build", "coverage", "serve", "records", "users", "actions", "access_register", "sites", "report",
                 "metrics", "inclusion", "challenges")
# Commands whose own group is all that running them from the shell imports.
ALONE = {"build": "build"}


class CommandLine(typer.Typer):
    """A Typer application that registers its command groups on first use (see the module's doc)."""

    def __init__(self, **kwargs: Any) -> None:
        self._commands: list = []
        self._loaded = False
        super().__init__(**kwargs)
        # a callback keeps COMMAND a command even when one group alone is loaded (Typer runs a
        # lone command as the whole program, which would read `build` as its workspace argument)
        self.callback()(_no_options)

    @property
    def registered_commands(self) -> list:  # read by Typer when it builds the command line
        if not self._loaded:
            self._load(GROUP_MODULES)
        return self._commands

    @registered_commands.setter
    def registered_commands(self, value: list) -> None:
        self._commands = value

    def _load(self, names: tuple[str, ...]) -> None:
        self._loaded = True
        for name in names:
            importlib.import_module(f"{__name__}.{name}").register(self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        command = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
        if command in ALONE and not self._loaded:
            self._load((ALONE[command],))
        return super().__call__(*args, **kwargs)


def _no_options() -> None:
    """Digital Observatory: coverage, inclusion and strategy figures for a city region."""


app = CommandLine(help="Digital Observatory: coverage, inclusion and strategy figures for a city region.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)


def __getattr__(name: str) -> tuple[ModuleType, ...]:
    if name == "GROUPS":  # the command group modules, imported
        return tuple(importlib.import_module(f"{__name__}.{g}") for g in GROUP_MODULES)
    raise AttributeError(name)


__all__ = ["GROUPS", "app"]
