"""Shared fixtures: the bundled West Yorkshire workspace, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from observatory import pipeline, workspace
from observatory.store import Store

REPO = Path(__file__).resolve().parents[1]
WORKSPACE = REPO / "examples" / "west-yorkshire"


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
def strict_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The bundled workspace with a suppression threshold high enough to hide many output areas."""
    root = copy_workspace(tmp_path_factory.mktemp("strict") / "ws", {"suppress_below = 5": "suppress_below = 120"})
    s = Store(pipeline.run(workspace.load(root)))
    yield s
    s.close()
