"""The demo's illustrative challenges over the bundled workspace as built, and the annual update's
section: labelled illustrative, hotspots in postcodes where the published figures show 100%
gigabit, refused outside the demo workspace, and the section's counts (by type and outcome, the
time to answer) the same as the dashboard's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from observatory import workspace
from observatory.cli import app
from observatory.records.db import ENV_URL
from observatory.records.migrate import upgrade
from tests.conftest import copy_workspace

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture
def demo_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'records.sqlite'}"
    upgrade(url)
    monkeypatch.setenv(ENV_URL, url)  # the built workspace's own folder is left alone
    return url


def test_the_demo_seeds_a_labelled_set_and_the_report_counts_it(built_workspace: Path, demo_records: str) -> None:
    from observatory.challenges import models, public
    from observatory.records.db import open_records
    from observatory.report.sections import Context, challenges
    from observatory.store import Store

    seeded = runner.invoke(app, ["challenges", "seed-demo", "-w", str(built_workspace)])
    assert seeded.exit_code == 0, seeded.output
    again = runner.invoke(app, ["challenges", "seed-demo", "-w", str(built_workspace), "--if-empty"])
    assert again.exit_code == 0 and "not added" in again.output
    ws = workspace.load(built_workspace)
    records = open_records(demo_records)
    with records.session() as s:
        rows = models.list_challenges(s, ws.challenges)
    records.dispose()
    assert len(rows) >= 12 * 3 + 45 and all(r["illustrative"] for r in rows)
    assert all("illustrative" in r["found"] for r in rows)
    with Store(ws.store_path) as store:
        summary = public.summary(rows, ws.challenges.public_min_count, store)
        section = challenges.gather(Context(store, ws, date.today().year))
    # the twelve hotspots: every postcode shown has 3 or more reports and 100% published gigabit
    shown = summary["areas"]["postcode"]
    assert len(shown) == 12 and all(a["count"] >= 3 and a["published_gigabit"] == 100.0 for a in shown)
    total = sum(a["count"] for a in shown)
    assert summary["headline_postcodes"].startswith(f"{total:,} reports in 12 postcodes")
    assert section.omitted is None and section.illustrative
    c = section.data["challenges"]
    assert c["total"] == len(rows) and c["by_type"] == summary["by_type"] and c["by_outcome"] == summary["by_outcome"]
    assert sum(t["count"] or 0 for t in c["by_status"]) <= len(rows)
    assert c["median_days_to_answer"] is not None
    take = section.data["takeup"]["districts"]
    assert [r["takeup"] for r in take["rows"]] == [32, 27, 41, 46, 54]  # Ofcom's table, in the workspace's order
    # the annual update's words, drawn by the report's own templates
    from observatory.report.render import environment

    html = environment().get_template("sections/challenges.html").render(s=section)
    assert f"reported {len(rows):,} premises" in html and "Reports by what went wrong" in html
    assert "Calderdale" in html and "27%" in html and "support is the gap" in html
    assert "resident1@example.invalid" not in html  # the report is public: no personal data


def test_the_demo_is_refused_outside_the_demo_workspace(tmp_path: Path, demo_records: str) -> None:
    other = copy_workspace(tmp_path / "other", {'region_code = "E47000003"': 'region_code = "E47000001"'})
    refused = runner.invoke(app, ["challenges", "seed-demo", "-w", str(other)])
    assert refused.exit_code == 2 and "nothing was added" in refused.output
