"""Strategy fixtures: the records fixtures (both engines: SQLite and a throwaway PostgreSQL), and a
small workspace of hand-written metrics over the tiny fixture store (tests/web/fixture_store.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import copy_workspace
from tests.records.conftest import app, people, pg_cluster, records, records_url, store_path, web  # noqa: F401

METRICS = """
[framework]
label = "Test lists"
priorities = ["System Flow", "Security Operations Centre"]
cross_cutting = ["Digital Infrastructure", "Digital Inclusion"]
life_stages = ["Start well", "Live well", "Age well"]

[[target]]
indicator = "gigabit"
value = 99
date = "2030-12-31"
tolerance = 1
label = "99% gigabit-capable by 2030"

[[metric]]
id = "gigabit-leeds"
title = "Gigabit coverage"
priority = "Digital Infrastructure"
life_stage = "Live well"
unit = "%"
direction = "higher"
source = { kind = "store", indicator = "gigabit", area = "E08000035" }

[[metric]]
id = "missing-indicator"
title = "An indicator the store does not hold"
priority = "Digital Infrastructure"
life_stage = "Live well"
unit = "%"
direction = "higher"
target = { value = 50, date = "2030-12-31" }
source = { kind = "store", indicator = "fixed_wireless", area = "E08000035" }

[[metric]]
id = "residents"
title = "Residents supported"
priority = "Digital Inclusion"
life_stage = "Age well"
unit = "residents"
direction = "higher"
baseline = { value = 100, date = "2024-01-01" }
target = { value = 1000, date = "2030-12-31" }
tolerance = 50
source = { kind = "entered" }

[[metric]]
id = "soc-minutes"
title = "Minutes to respond"
priority = "Security Operations Centre"
life_stage = "Live well"
unit = "minutes"
direction = "lower"
target = { value = 30, date = "2030-12-31" }
source = { kind = "entered" }

[[metric]]
id = "scr-live"
title = "Providers live"
priority = "System Flow"
life_stage = "Age well"
unit = "providers"
direction = "higher"
target = { value = 20, date = "2030-12-31" }
source = { kind = "records", figure = "scr_providers_live" }

[[metric]]
id = "sites-lit"
title = "Sites lit"
priority = "Digital Infrastructure"
life_stage = "Live well"
unit = "sites"
direction = "higher"
source = { kind = "records", figure = "programme_sites_lit" }
"""


@pytest.fixture
def metrics_ws(tmp_path: Path, store_path: Path) -> Path:  # noqa: F811
    """A workspace (the bundled data, symlinked) with the metrics above and the fixture store."""
    root = copy_workspace(tmp_path / "ws")
    (root / "metrics.toml").write_text(METRICS, encoding="utf-8")
    (root / "build").mkdir()
    shutil.copy(store_path, root / "build" / "observatory.duckdb")
    return root
