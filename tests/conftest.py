"""Shared fixtures: the bundled West Yorkshire workspace, built once per test session (once per
worker under pytest-xdist), and the markers that let `make check` leave the slow tests out.

Every build in a test run shares one build cache (OBSERVATORY_BUILD_CACHE, a temporary folder made
by the process that starts the run and inherited by the xdist workers): a copy of the bundled
workspace, or one with a changed setting, reads its boundaries, placements and unchanged sources
from it instead of computing them again. Entries are keyed by content (pipeline/cache.py), so a
test that changes a file or a setting misses exactly what depends on it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from observatory import pipeline, workspace
from observatory.store import Store

REPO = Path(__file__).resolve().parents[1]
WORKSPACE = REPO / "examples" / "west-yorkshire"


# A test that uses one of these fixtures waits for a build of the bundled workspace (or a browser):
# it is marked slow (browser) wherever it lives, so `make check` can leave it out.
SLOW_FIXTURES = frozenset({
    "built_workspace", "built_store_path", "store", "strict_store", "real_client", "seeded_workspace",
    "report", "pdf_text", "inclusion_store", "model",
})
BROWSER_FIXTURES = frozenset({"browser", "page"})
CACHE_ENV = "OBSERVATORY_BUILD_CACHE"

# The command line wraps its messages where a width is given (COLUMNS, as a terminal has) and keeps
# each on one line otherwise (cli/common.py). pytest-xdist's workers inherit COLUMNS=80 from the
# controller; without this, a test under `make test` would read wrapped messages that the same
# test run alone reads whole. A test that wants a width passes COLUMNS to the command it runs.
os.environ.pop("COLUMNS", None)

# No timing assertions: Hypothesis's per-example deadline (200 ms) fails property tests on a busy
# machine or beside other xdist workers, whatever the code does.
settings.register_profile("observatory", deadline=None)
settings.load_profile("observatory")


def pytest_configure(config: pytest.Config) -> None:
    if CACHE_ENV not in os.environ:  # set by the controller before xdist starts its workers
        folder = tempfile.mkdtemp(prefix="observatory-test-build-cache-")
        os.environ[CACHE_ENV] = folder
        config.stash[_CACHE_KEY] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_CACHE_KEY, None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(CACHE_ENV, None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & SLOW_FIXTURES and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)
        if used & BROWSER_FIXTURES and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)


_CACHE_KEY = pytest.StashKey[str]()


@pytest.fixture
def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Passwords hashed with argon2-cffi's CHEAPEST profile ("only for testing purposes", its
    documentation says) instead of RFC 9106's parameters (about 0.2 s of CPU for each hash and each
    check). Every hash is still Argon2id and every check a real verify; only the cost differs, and
    the stored hash carries its own parameters, so a check reads whichever a hash was made with."""
    from argon2 import PasswordHasher, profiles

    from observatory.records import sign_in, users

    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    monkeypatch.setattr(users, "_hasher", cheap)
    monkeypatch.setattr(sign_in, "_hasher", cheap)
    monkeypatch.setattr(sign_in, "_stand_in", None)  # the unknown user's stand-in, made again cheaply


def copy_workspace(root: Path, replace: dict[str, str] | None = None) -> Path:
    """A workspace folder sharing the bundled data (symlinked) with its own observatory.toml."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "data").symlink_to(WORKSPACE / "data")
    # named by [metrics] file; a copy, so a test may rewrite it without touching the bundled one
    (root / "metrics.toml").write_text((WORKSPACE / "metrics.toml").read_text(encoding="utf-8"), encoding="utf-8")
    text = (WORKSPACE / "observatory.toml").read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    (root / "observatory.toml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def built_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled workspace, built (the repo's own build/ folder is left alone)."""
    root = copy_workspace(tmp_path_factory.mktemp("ws") / "west-yorkshire")
    pipeline.run(workspace.load(root))
    return root


@pytest.fixture(scope="session")
def built_store_path(built_workspace: Path) -> Path:
    return workspace.load(built_workspace).store_path


@pytest.fixture(scope="session")
def store(built_store_path: Path) -> Store:
    s = Store(built_store_path)
    yield s
    s.close()


@pytest.fixture(scope="session")
def seeded_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled workspace built and seeded as `make demo` does (see the Makefile's
    records target): the annual update's tests and the plain-words check of every page share it."""
    from typer.testing import CliRunner

    from observatory.cli import app

    root = copy_workspace(tmp_path_factory.mktemp("seeded") / "west-yorkshire")
    pipeline.run(workspace.load(root))
    runner = CliRunner()
    for args in (["records", "upgrade"], ["records", "seed-demo", "--if-empty"], ["sites", "seed-demo", "--if-empty"],
                 ["metrics", "seed-demo", "--if-empty"]):
        result = runner.invoke(app, [*args, "-w", str(root)])
        assert result.exit_code == 0, (args, result.output)
    return root


@pytest.fixture(scope="session")
def strict_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The bundled workspace with a suppression threshold high enough to hide many output areas."""
    root = copy_workspace(tmp_path_factory.mktemp("strict") / "ws", {"suppress_below = 5": "suppress_below = 120"})
    s = Store(pipeline.run(workspace.load(root)))
    yield s
    s.close()
