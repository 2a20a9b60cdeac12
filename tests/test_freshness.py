"""Freshness said plainly (issue 20, item 2): the newest release is named as the newest *in this
observatory*, `check` and `sources` warn when a publisher's newest table here is older than its
cadence implies (Ofcom: a July snapshot around November, a January snapshot around May), and a
comparison across a gap says how far apart and which releases are missing. `today` is injected;
every expected month is worked out by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from observatory import check, workspace
from observatory.cli import app as cli
from observatory.report.coverage import coverage
from observatory.store import Store
from observatory.strategy.freshness import freshness, gap_words, months_apart

OFCOM = [{"release_id": f"ofcom-laua-{m}", "publisher": "Ofcom", "as_of": m, "synthetic": False}
         for m in ("2022-09", "2023-09", "2025-07")]
DEMO = [{"release_id": "demo-2026-01", "publisher": "Digital Observatory demo generator", "as_of": "2026-01",
         "synthetic": True}]


def test_a_july_table_is_due_around_november_and_a_january_table_around_may():
    # 30 November 2025: July 2025 + 4 months = November 2025, so July 2025 is the newest due
    assert not freshness(OFCOM, date(2025, 11, 30))[0]["stale"]
    # 30 April 2026: January 2026's table is due around May: not yet
    assert not freshness(OFCOM, date(2026, 4, 30))[0]["stale"]
    # 1 May 2026: January 2026's table is probably out
    row = freshness(OFCOM, date(2026, 5, 1))[0]
    assert row["stale"] and row["missing"] == ["2026-01"]
    # 7 December 2026: January and July 2026 (July + 4 = November 2026)
    row = freshness(OFCOM + DEMO, date(2026, 12, 7))[0]
    assert row["missing"] == ["2026-01", "2026-07"]
    assert row["words"].startswith("The newest Ofcom release in this observatory is July 2025.")
    assert "tables of January 2026 and July 2026 have probably been published" in row["words"]
    assert "no newer release has been published" not in row["words"]
    # a synthetic release is not a publisher's table
    assert [r["publisher"] for r in freshness(OFCOM + DEMO, date(2026, 12, 7))] == ["Ofcom"]


def test_a_gap_in_a_series_is_said():
    publishers = {r["release_id"]: r["publisher"] for r in OFCOM}
    # September 2023 to July 2025: 12 x 2 - 2 = 22 months; Ofcom's January and July tables from
    # 2024 on fall between them: January 2024, July 2024, January 2025
    assert months_apart("2023-09", "2025-07") == 22
    assert gap_words({"release": "2023-09"}, {"release": "2025-07", "release_id": "ofcom-laua-2025-07"},
                     publishers) == ("22 months apart: Ofcom's tables of January 2024, July 2024 and January 2025 "
                                     "are not in this observatory")
    assert gap_words({"release": "2024-07"}, {"release": "2025-07", "release_id": "ofcom-laua-2025-07"},
                     publishers) is None


def test_check_and_sources_warn_of_a_stale_publisher(built_workspace: Path, built_store_path: Path):
    ws = workspace.load(built_workspace)
    with Store(built_store_path) as store:
        report = check.run(store, ws, today=date(2026, 12, 7))
        newest_ofcom = max(r["as_of"] for r in store.releases() if r["publisher"] == "Ofcom" and not r["synthetic"])
    ofcom = next(r for r in report["freshness"] if r["publisher"] == "Ofcom")
    assert newest_ofcom == "2025-07" and ofcom["newest"] == "2025-07" and ofcom["stale"]
    assert ofcom["missing"] == ["2026-01", "2026-07"]
    # a warning, not a failure: the store is right about what it holds
    assert "freshness" in report
    for command in (["check"], ["sources"]):
        result = CliRunner().invoke(cli, [*command, "-w", str(built_workspace)])
        assert "The newest Ofcom release in this observatory is July 2025." in " ".join(result.output.split()), command


def test_the_report_names_the_newest_release_in_the_store_and_the_gap(built_workspace: Path, built_store_path: Path):
    ws = workspace.load(built_workspace)
    with Store(built_store_path) as store:
        c = coverage(store, 2026, ws.metrics, today=date(2026, 12, 7))
    text = " ".join(c["sentences"])
    assert "no newer release has been published" not in text
    sfbb = next(s for s in c["sentences"] if s.startswith("Superfast"))
    # July 2025 is the newest superfast release here, and was at the end of 2025; the one at least twelve
    # months before it is September 2023 (there is none from January 2024 to July 2024): 22 months
    assert "in July 2025, the newest release of it in this observatory (already the newest at the end of last year)" in sfbb
    assert ("in September 2023 (22 months apart: Ofcom's tables of January 2024, July 2024 and January 2025 are "
            "not in this observatory)") in sfbb
    assert any(f["publisher"] == "Ofcom" and f["stale"] for f in c["freshness"])
    assert "twelve months earlier" in c["change_words"]
