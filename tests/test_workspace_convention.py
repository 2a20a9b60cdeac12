"""One workspace convention, as in git: -w, else observatory.toml here or in a parent folder, else
the bundled demo (said on stderr); and clear messages for what a workspace gets wrong."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from typer.testing import CliRunner

from observatory.cli import app
from observatory.indicators.trends import trend

from .conftest import copy_workspace


@contextmanager
def cwd(path: Path):
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_a_workspace_is_found_from_a_subfolder(built_workspace: Path):
    sub = built_workspace / "notes" / "2026"
    sub.mkdir(parents=True, exist_ok=True)
    with cwd(sub):
        result = run("sources", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "bundled demo" not in result.stderr
    assert '"ofcom-laua-2025-07"' in result.stdout


def test_no_workspace_anywhere_uses_the_demo_and_says_so(tmp_path: Path):
    with cwd(tmp_path):
        result = run("figures", "--level", "ca", "--indicator", "gigabit", "--area", "E47000003", "--format", "json")
    # one line, first; then the command goes on with the demo (which may not be built yet on a
    # fresh machine: then it says so in a line of its own, exit 2, no traceback)
    first, *rest = result.stderr.splitlines()
    assert first.startswith("No observatory.toml here or in a parent folder: using the bundled demo")
    assert result.stderr.count("No observatory.toml") == 1 and "Traceback" not in result.output
    assert result.exit_code == 0 or (result.exit_code == 2 and rest and rest[0].startswith("Error: No store at"))


def test_w_wins_and_positional_is_a_synonym_where_it_was(built_workspace: Path, tmp_path: Path):
    with cwd(tmp_path):
        by_option = run("headline", "-w", str(built_workspace))
        by_argument = run("headline", str(built_workspace))
    assert by_option.exit_code == by_argument.exit_code == 0
    assert by_option.stdout == by_argument.stdout and by_option.stderr == ""
    for command in ("build", "headline", "serve", "figures", "sources", "check", "sql", "report"):
        assert "--workspace" in run(command, "--help").stdout, command


@pytest.mark.slow
def test_missing_as_of_names_the_file_key_and_fix(tmp_path: Path):
    root = copy_workspace(tmp_path / "ws", {'as_of = "2025-07"\npublished = "2025-11"\npublisher = "Ofcom"\ntitle = "Connected Nations 2025: fixed broadband':
                                            'published = "2025-11"\npublisher = "Ofcom"\ntitle = "Connected Nations 2025: fixed broadband'})
    result = run("build", "-w", str(root))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "key 'ofcom-laua-2025-07'): as_of is missing" in result.stderr
    assert 'as_of = "2025-07"' in result.stderr


@pytest.mark.slow
def test_a_region_code_that_is_no_region_is_refused(tmp_path: Path):
    root = copy_workspace(tmp_path / "ws", {'region_code = "E47000003"': 'region_code = "E99999999"'})
    result = run("build", "-w", str(root))
    assert result.exit_code == 2
    assert "region_code = 'E99999999' is not a combined authority, region, grouping or nation" in result.stderr


@pytest.mark.slow
def test_districts_that_disagree_with_the_lookup_are_named(tmp_path: Path):
    root = copy_workspace(tmp_path / "ws", {'"E08000036"]': '"E08000036", "E08000037"]'})
    result = run("build", "-w", str(root))
    assert result.exit_code == 2 and "not in it: E08000037" in result.stderr


@pytest.mark.parametrize("now, before, shown", [(97.7549, 94.5, "+3.3"), (97.75, 94.5, "+3.2"), (90.0, 90.04, "-0.0")])
def test_a_change_is_rounded_once_from_unrounded_values(now, before, shown):
    # 97.7549 - 94.5 = 3.2549: one rounding gives 3.3 (rounding to 3.25 first would give 3.2)
    t = trend([{"release": "2025-01", "value": before, "method": "published", "synthetic": False},
               {"release": "2026-01", "value": now, "method": "published", "synthetic": False}])
    assert f"{t['previous']['change_pp']:+.1f}" == shown
