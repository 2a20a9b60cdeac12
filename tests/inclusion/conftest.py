"""Inclusion fixtures: the bundled workspace built once per session (tests/conftest.py), and the
index model over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from observatory import workspace
from observatory.inclusion.model import Model
from observatory.store import Store


@pytest.fixture(scope="session")
def inclusion_store(built_store_path: Path) -> Store:
    s = Store(built_store_path)
    yield s
    s.close()


@pytest.fixture(scope="session")
def model(built_workspace: Path, inclusion_store: Store) -> Model:
    return Model.load(workspace.load(built_workspace), inclusion_store)
