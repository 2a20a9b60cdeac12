"""The demo register (real OpenStreetMap sites, seeded illustrative histories) and the report's
programme section, on both engines."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from observatory.demo import programme_demo
from observatory.programme import models
from observatory.programme.status import Change, check_next
from observatory.report.sections import programme
from observatory.store import Store
from observatory.workspace import ProgrammeConfig

WORKSPACE = Path(__file__).resolve().parents[2] / "examples" / "west-yorkshire"


def test_the_demo_is_1400_real_sites_with_valid_illustrative_histories(records) -> None:
    with records.session() as s:
        counts = programme_demo.seed(s, WORKSPACE)
    assert counts["sites"] == 1400
    with records.session() as s:
        sites = models.list_sites(s)
    osm = pd.read_csv(WORKSPACE / programme_demo.SITES_FILE)
    named = set(zip(osm["name"], osm["lat"].round(6), strict=True))
    assert all((s["name"], s["lat"]) in named for s in sites)  # every site is a real OSM feature
    assert all(s["illustrative"] and all(c["illustrative"] for c in s["history"]) for s in sites)
    assert all("OpenStreetMap" in s["notes"] and "ODbL" in s["notes"] for s in sites)
    for s in sites:  # every history passes the status rules and ends by the demo's as-of date
        done: list[Change] = []
        for c in s["history"]:
            change = Change(c["status"], date.fromisoformat(c["date"]), c["reason"])
            check_next(done, change)
            done.append(change)
        assert done and done[0].status == "planned" and done[-1].on <= programme_demo.AS_OF
    # every town hall, hospital, clinic, GP surgery, library and community centre; schools fill the rest
    kinds = {s["kind"] for s in sites}
    assert kinds == {"town hall", "hospital", "clinic", "GP surgery", "library", "community centre", "school"}


def test_the_demo_is_the_same_every_time() -> None:
    frame = programme_demo.read_sites(WORKSPACE)
    first = programme_demo.choose(frame, random.Random(programme_demo.SEED))
    again = programme_demo.choose(frame, random.Random(programme_demo.SEED))
    assert first["osm"].tolist() == again["osm"].tolist()
    a, b = random.Random(5), random.Random(5)
    assert [programme_demo.history_for(a) for _ in range(50)] == [programme_demo.history_for(b) for _ in range(50)]


def test_the_report_section_from_the_register(records, records_url, sites, store_path, monkeypatch,
                                              tmp_path: Path) -> None:
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", records_url)
    with Store(store_path) as store:
        section = programme.gather(_context(tmp_path, store))
    assert section.omitted is None
    # as of the last change (2021-05-01): one lit, one withdrawn, two in the programme
    assert (section.data["lit"], section.data["withdrawn"], section.data["in_programme"]) == (1, 1, 2)
    assert section.data["year_ends"][-1]["month"] == "2021-05"


def test_a_workspace_without_a_register_has_no_programme_section(records, records_url, store_path, monkeypatch,
                                                                 tmp_path: Path) -> None:
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", records_url)
    with Store(store_path) as store:
        section = programme.gather(_context(tmp_path, store))
    assert "no Full Fibre programme register" in section.omitted


def _context(folder: Path, store: Store) -> SimpleNamespace:
    """A report context whose workspace has the default [programme] settings (the records database
    is the one OBSERVATORY_DATABASE_URL names)."""
    return SimpleNamespace(workspace=SimpleNamespace(root=folder, programme=ProgrammeConfig()), store=store, year=2025)
