"""The report's "Metrics by priority" section: metrics by priority with status, trajectory words,
sparkline and the matrix; a broken metrics file leaves the section out with the reason."""

from __future__ import annotations

from pathlib import Path

from observatory import workspace
from observatory.report.sections import Context, metrics
from observatory.store import Store


def test_the_section_groups_metrics_by_priority(metrics_ws: Path, records, monkeypatch):
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", records.url)
    ws = workspace.load(metrics_ws)
    with Store(ws.store_path) as store:
        s = metrics.gather(Context(store, ws, 2025))
    assert s.omitted is None and s.id == "metrics"
    groups = {g["priority"]: g for g in s.data["groups"]}
    leeds = groups["Digital Infrastructure"]["metrics"][0]
    assert leeds["id"] == "gigabit-leeds" and '<svg class="spark"' in str(leeds["sparkline"]) and leeds["words"]
    assert s.data["counts"]["no data"] >= 2  # the missing indicator and the programme's sites lit
    assert [r["priority"] for r in s.data["matrix"]["rows"]] == ["System Flow", "Security Operations Centre",
                                                                  "Digital Infrastructure", "Digital Inclusion"]
    assert s.data["forecasts"]


def test_a_broken_metrics_file_leaves_the_section_out_with_the_reason(metrics_ws: Path):
    (metrics_ws / "metrics.toml").write_text("[framework]\npriorities = []\n")
    ws = workspace.load(metrics_ws)
    with Store(ws.store_path) as store:
        s = metrics.gather(Context(store, ws, 2025))
    assert s.omitted.startswith("The strategy metrics could not be read:") and "priorities is empty" in s.omitted
