"""Where values come from: a source that cannot give any (an indicator the store does not hold,
no programme register, no records database) gives status "no data" with the reason, never an error."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from observatory import workspace
from observatory.store import Store
from observatory.strategy.board import open_board
from observatory.strategy.sources import from_store, running_total


def test_a_missing_source_indicator_gives_no_data_with_the_reason(metrics_ws: Path, monkeypatch):
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", f"sqlite:///{metrics_ws / 'none.sqlite'}")  # none yet
    board = open_board(workspace.load(metrics_ws))
    rows = {r["id"]: r for r in board.rows(date(2026, 1, 1))}
    missing = rows["missing-indicator"]
    assert missing["status"] == "no data"
    assert "the store holds no indicator 'fixed_wireless'" in missing["rule"]
    # the records figures and entered values say why they have none, and no empty database is left
    assert rows["residents"]["status"] == "no data" and "run `observatory records upgrade`" in rows["residents"]["rule"]
    assert not (metrics_ws / "none.sqlite").exists()
    # Leeds gigabit from the fixture store: 75%, 80%, 85% (2024-07, 2025-01, 2025-07)
    leeds = rows["gigabit-leeds"]
    assert [v["value"] for v in leeds["values"]] == [75.0, 80.0, 85.0] and leeds["display_title"].endswith("Leeds")
    assert leeds["status"] in ("green", "amber", "red")


def test_an_unmigrated_records_database_is_said(metrics_ws: Path, records_url: str, monkeypatch):
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", records_url)  # created, never migrated
    board = open_board(workspace.load(metrics_ws))
    scr = board.one("scr-live", date(2026, 1, 1))
    # SQLite: no file yet; PostgreSQL: a database without the tables. Both name the command that fixes it.
    assert scr["status"] == "no data" and "observatory records upgrade" in scr["rule"]


def test_an_unknown_area_gives_no_data(store_path: Path):
    with Store(store_path) as store:
        s = from_store(store, "gigabit", "E08000099")
    assert s.points == [] and "the store holds no area 'E08000099'" in s.reason


def test_no_store_gives_no_data():
    assert "run `observatory build`" in from_store(None, "gigabit", "E08000035").reason


def test_a_running_total_counts_by_date_and_holds_flat_to_today():
    s = running_total([date(2024, 3, 1), date(2024, 1, 1), date(2024, 3, 1)], "register", False, "none",
                      today=date(2025, 1, 1))
    # two on 1 March make one point: 1 on 1 January, 3 on 1 March, and still 3 today
    assert s.points == [(date(2024, 1, 1), 1.0), (date(2024, 3, 1), 3.0), (date(2025, 1, 1), 3.0)]
    assert running_total([], "register", False, "nothing live yet.").reason == "nothing live yet."


@pytest.mark.parametrize("figure", ["scr_providers_live", "actions_done"])
def test_records_figures_from_the_demo_records(records, figure: str):
    from observatory.demo.records_demo import seed
    from observatory.strategy.sources import RECORD_FIGURES

    with records.session() as s:
        seed(s)
    with records.session() as s:
        got = RECORD_FIGURES[figure](s, None)
    # the demo register has 11 entries live; the demo board marked 3 of its 6 resolutions done
    assert got.points[-1][1] == {"scr_providers_live": 11.0, "actions_done": 3.0}[figure]
    assert got.illustrative
