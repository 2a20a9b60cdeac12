"""Web fixtures: a tiny store with known figures (fast, exact values) and, for the integration
tests, the bundled workspace built once per session by tests/conftest.py (`built_store_path`)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's note about httpx2; httpx is what we pin
    from fastapi.testclient import TestClient

from observatory.web.app import create_app

from .fixture_store import make_store


@pytest.fixture(scope="session")
def fixture_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("webstore") / "fixture.duckdb")


@pytest.fixture(scope="session")
def client(fixture_store_path: Path) -> TestClient:
    # raise_server_exceptions=False: the app's own 500 page is what a user would see.
    with TestClient(create_app(fixture_store_path), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def real_client(built_store_path: Path) -> TestClient:
    with TestClient(create_app(built_store_path), raise_server_exceptions=False) as c:
        yield c
