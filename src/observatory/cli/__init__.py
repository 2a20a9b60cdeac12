"""The command line: `observatory COMMAND`. Each command is a thin view over one library call,
turning ObservatoryErrors into messages (exit code 2) and printing through one output writer.

    common    consoles, the -w/--workspace and --as options, reported(), progress lines
    output    the --format option and emit(): a Rich table, CSV or JSON, to stdout or a file
    the rest  one module per command group, each with register(app), listed in GROUPS below

Exit codes: 0 done, 2 a problem the message explains (bad input, bad configuration, unknown area).
"""

from __future__ import annotations

import typer

from . import (
    access_register,
    actions,
    challenges,
    coverage,
    inclusion,
    metrics,
    records,
    report,
    serve,
    sites,
    users,
)

app = typer.Typer(help="Digital Observatory: coverage, inclusion and strategy figures for a city region.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

# Every command group, in the order `observatory --help` lists them.
GROUPS = (coverage, serve, records, users, actions, access_register, sites, report, metrics, inclusion, challenges)

for group in GROUPS:
    group.register(app)

__all__ = ["GROUPS", "app"]
