"""Shared fixtures: the bundled West Yorkshire workspace, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from observatory import build, workspace
from observatory.store import Store

REPO = Path(__file__).resolve().parents[1]
WORKSPACE = REPO / "examples" / "west-yorkshire"


@pytest.fixture(scope="session")
def built_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled workspace built into a temporary store (the repo's own build/ is left alone)."""
    out = tmp_path_factory.mktemp("store") / "observatory.duckdb"
    return build.run(workspace.load(WORKSPACE), out=out)


@pytest.fixture(scope="session")
def store(built_store_path: Path) -> Store:
    s = Store(built_store_path)
    yield s
    s.close()
