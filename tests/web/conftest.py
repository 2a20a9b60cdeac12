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
from tests.conftest import copy_workspace

from .fixture_store import SUPPRESS_HEADINGLEY, make_store, make_variant, suppress_below


@pytest.fixture(scope="session")
def fixture_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_store(tmp_path_factory.mktemp("webstore") / "fixture.duckdb")


@pytest.fixture(scope="session")
def client(fixture_store_path: Path) -> TestClient:
    # raise_server_exceptions=False: the app's own 500 page is what a user would see.
    with TestClient(create_app(fixture_store_path), raise_server_exceptions=False) as c:
        yield c


# The strategy's one coverage target in these tests: superfast broadband, 90% (set in the metrics
# file, as a council sets it; gigabit has none, so none is shown for it).
TARGETS = """
[framework]
priorities = ["Digital Infrastructure"]
life_stages = ["Live well"]

[[target]]
indicator = "sfbb"
value = 90
date = "2030-12"
tolerance = 0.5
label = "Superfast broadband for 90% of premises by 2030"
"""


@pytest.fixture(scope="session")
def targets_client(fixture_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """The fixture store served with a workspace whose metrics file sets a superfast target."""
    root = copy_workspace(tmp_path_factory.mktemp("targets") / "ws")
    (root / "metrics.toml").write_text(TARGETS, encoding="utf-8")
    with TestClient(create_app(fixture_store_path, root), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def real_client(built_store_path: Path, built_workspace: Path) -> TestClient:
    # served as `observatory serve` serves it: over the workspace (its settings and targets)
    with TestClient(create_app(built_store_path, built_workspace), raise_server_exceptions=False) as c:
        yield c


# Three wards tie at the top for superfast broadband, as hundreds of output areas do at 100%.
TIE_AT_THE_TOP = (
    "UPDATE facts SET numerator = denominator, value = 100.0 WHERE level = 'ward' AND indicator = 'sfbb' "
    "AND area_code IN ('E05001421', 'E05001346', 'E05001347')"
)


@pytest.fixture(scope="session")
def suppressed_client(fixture_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """The fixture store as a build with suppress_below = 10 leaves it: Headingley's gigabit
    figure withheld, and three wards at 100% superfast."""
    path = make_variant(
        fixture_store_path,
        tmp_path_factory.mktemp("suppressed") / "store.duckdb",
        SUPPRESS_HEADINGLEY,
        suppress_below(10),
        TIE_AT_THE_TOP,
    )
    with TestClient(create_app(path), raise_server_exceptions=False) as c:
        yield c
