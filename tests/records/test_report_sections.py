"""The annual report's records sections read the same records as the dashboard."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from observatory.demo.records_demo import RESOLUTIONS, seed
from observatory.report.sections import actions, care_record


def test_sections_from_the_demo_records(records, records_url: str, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", records_url)
    ctx = SimpleNamespace(workspace=tmp_path, store=None, year=2025)
    assert actions.gather(ctx).omitted  # empty database: left out, with its sentence
    with records.session() as s:
        seed(s)
    section = actions.gather(ctx)
    assert section.omitted is None and section.illustrative
    # By hand from the demo table: the statuses it gives, three of them done.
    done = sum(1 for r in RESOLUTIONS if r[4] == "done")
    assert section.data["total"] == len(RESOLUTIONS) == 6 and section.data["by_state"]["done"] == done == 3
    care = care_record.gather(ctx)
    assert care.data["question"] == "Which providers can access patient health records?"
    assert sum(care.data["counts"].values()) == 15


def test_a_workspace_without_a_records_database_is_left_out(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OBSERVATORY_DATABASE_URL", raising=False)
    ctx = SimpleNamespace(workspace=tmp_path, store=None, year=2025)
    # the board is told plainly; no command or setting in front of a councillor
    assert actions.gather(ctx).omitted == "No records are kept in this observatory yet."
    assert not (tmp_path / "records.sqlite").exists()  # reading never creates one
