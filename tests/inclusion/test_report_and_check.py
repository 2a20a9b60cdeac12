"""The report's inclusion section and the crosswalk line of `observatory check`."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from observatory import workspace
from observatory.cli import app
from observatory.report.render import environment
from observatory.report.sections import Context, optional_sections

pytestmark = pytest.mark.slow


def test_report_section_lists_the_top_priority_wards(built_workspace, inclusion_store):
    ctx = Context(inclusion_store, workspace.load(built_workspace), 2025)
    section = next(s for s in optional_sections(ctx) if s.id == "inclusion")
    assert section.omitted is None and section.illustrative
    d = section.data
    assert len(d["areas"]) == 10 and d["areas_total"] == 124
    assert [a["tier"] for a in d["areas"]] == sorted(a["tier"] for a in d["areas"])
    assert d["hub_count"] == 423 and d["cautions"] and "illustrative" in d["illustrative_note"]
    assert all("confidence_text" in a for a in d["areas"])
    # the paper says what the list rests on, the same figures as the page and the API
    assert d["rests_on"]["text"].startswith(f"{d['rests_on']['leave_without_illustrative']} of the {d['high_risk']} "
                                            "high-risk wards would leave the list without the illustrative inputs")
    assert all(a["reason"].startswith(("High risk", "Lower risk")) for a in d["areas"])
    html = environment().get_template("sections/inclusion.html").render(s=section)
    assert d["rests_on"]["text"] in html and "alternative weightings" in html and d["areas"][0]["reason"] in html
    assert "Without the illustrative inputs it leaves the list" in html


def test_check_reports_the_lsoa_crosswalk(built_workspace):
    r = CliRunner().invoke(app, ["check", "-w", str(built_workspace), "--format", "json"])
    assert r.exit_code in (0, 1), r.output
    cw = json.loads(r.stdout)["crosswalk"]
    assert (cw["unchanged"], cw["split_2011"], cw["merged_2011"], cw["lsoa21"]) == (1367, 17, 4, 1404)
    assert cw["oa_placed"] == 7131
    r = CliRunner().invoke(app, ["check", "-w", str(built_workspace)])
    assert "1,367 are unchanged" in r.stdout.replace("\n", " ")
