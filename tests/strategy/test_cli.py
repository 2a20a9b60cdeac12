"""`observatory metrics` as a user types it: listing with filters and formats, show, seed-demo, and
exit 2 with the file and key named (no traceback) for a bad metrics file or a bad option."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from observatory.cli import app

runner = CliRunner()


def run(ws: Path, *args: str, env: dict | None = None):
    return runner.invoke(app, [*args, "-w", str(ws)], env=env)


def test_a_bad_metrics_file_exits_2_naming_the_file_and_key(metrics_ws: Path):
    path = metrics_ws / "metrics.toml"
    path.write_text(path.read_text().replace('direction = "lower"', 'direction = "downwards"'))
    result = run(metrics_ws, "metrics")
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "metrics.toml: metric 'soc-minutes'.direction = 'downwards' is not known" in text
    assert "Traceback" not in text
    path.write_text("[framework\n")
    broken = run(metrics_ws, "metrics")
    assert broken.exit_code == 2 and "not valid TOML" in broken.output


def test_a_workspace_without_metrics_says_how_to_add_them(metrics_ws: Path):
    config = metrics_ws / "observatory.toml"
    config.write_text(config.read_text().replace('file = "metrics.toml"', "").replace("[metrics]", ""))
    result = run(metrics_ws, "metrics")
    assert result.exit_code == 2 and "defines no strategy metrics" in result.output


def test_listing_filters_and_formats(metrics_ws: Path, records, monkeypatch):
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", records.url)
    table = run(metrics_ws, "metrics")
    assert table.exit_code == 0, table.output
    assert "6 metrics" in table.output and "NO DATA" in table.output  # the status as a word
    rows = list(csv.DictReader(io.StringIO(run(metrics_ws, "metrics", "--format", "csv").output)))
    assert [r["id"] for r in rows] == ["gigabit-leeds", "missing-indicator", "residents", "soc-minutes", "scr-live",
                                       "sites-lit"]
    assert rows[1]["status"] == "no data" and rows[1]["rule"].startswith("No data: the store holds no indicator")
    data = json.loads(run(metrics_ws, "metrics", "--priority", "Digital Inclusion", "--format", "json").output)
    assert [m["id"] for m in data["metrics"]] == ["residents"]
    nodata = list(csv.DictReader(io.StringIO(run(metrics_ws, "metrics", "--status", "no data", "--format", "csv").output)))
    assert {r["status"] for r in nodata} == {"no data"}
    assert run(metrics_ws, "metrics", "--status", "purple").exit_code == 2
    wrong = run(metrics_ws, "metrics", "--priority", "Cyber")
    assert wrong.exit_code == 2 and "Priorities: System Flow" in " ".join(wrong.output.split())
    assert run(metrics_ws, "metrics", "--format", "xml").exit_code == 2


def test_show_gives_the_rule_and_values_and_an_unknown_id_exits_2(metrics_ws: Path, records, monkeypatch):
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", records.url)
    shown = run(metrics_ws, "metrics", "show", "gigabit-leeds")
    assert shown.exit_code == 0
    text = " ".join(shown.output.split())
    assert "Rule:" in text and "levels off as it nears 100%" in text and "2025-07" in text
    missing = run(metrics_ws, "metrics", "show", "gigabit-led")
    assert missing.exit_code == 2 and "Did you mean 'gigabit-leeds'?" in missing.output


def test_seed_demo_is_idempotent_with_if_empty(records, monkeypatch):
    from tests.conftest import WORKSPACE

    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", records.url)
    first = runner.invoke(app, ["metrics", "seed-demo", "--if-empty", "-w", str(WORKSPACE)])
    assert first.exit_code == 0 and "illustrative metric values" in first.output
    second = runner.invoke(app, ["metrics", "seed-demo", "--if-empty", "-w", str(WORKSPACE)])
    assert second.exit_code == 0 and "were not added" in " ".join(second.output.split())
    from observatory.strategy import models

    with records.session() as s:
        values = models.all_values(s)
    assert values and all(v["illustrative"] and "illustrative" in v["note"] for v in values)
