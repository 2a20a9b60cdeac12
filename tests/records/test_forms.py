"""Every records form follows the GOV.UK pattern (issue 23): invalid input shows the form again with
an error summary linking to the field, the field's own message in plain words and what was typed
kept; never "Something is not right" with a developer's message. Site status lists offer only the
statuses the site can move to; metric values are checked against the metric's unit and range."""

from __future__ import annotations

import re
import shutil
import warnings
from datetime import date
from pathlib import Path

import pytest

from observatory.programme import models as sites
from observatory.records import actions

from .helpers import sign_in

DEVELOPER = ("Something is not right", "Traceback", "ObservatoryError", "InputError", "YYYY-MM-DD", "'str'")


def _problem_page(response, status: int = 422) -> str:
    assert response.status_code == status, response.text[:500]
    html = response.text
    assert 'class="govuk-error-summary"' in html and "There is a problem" in html
    for word in DEVELOPER:
        assert word not in html, word
    return html


def _summary_links(html: str) -> list[str]:
    summary = html[html.index("govuk-error-summary__list"):]
    summary = summary[:summary.index("</ul>")]
    return re.findall(r'href="#([^"]+)"', summary)


@pytest.fixture
def action(records, people) -> int:
    with records.session() as s:
        meeting = actions.find_or_add_meeting(s, "setup", "Scrutiny Board", date(2026, 3, 4))
        return actions.create_action(s, "setup", meeting, "Report on gigabit coverage").id


def test_a_blank_update_is_shown_again_with_its_message(web, action) -> None:
    token = sign_in(web, "editor1")
    html = _problem_page(web.post(f"/actions/{action}/updates", data={"csrf_token": token, "text": "  ",
                                                                      "status": "done", "version": "1"}))
    assert _summary_links(html) == ["text"]
    assert 'id="text-error"' in html and "Enter the update: what happened, and when." in html
    assert '<option value="done" selected>' in html  # the chosen status is kept
    assert '<a class="govuk-back-link obs-noprint" href="/actions">' in html  # a way back


def test_a_new_action_with_bad_dates_keeps_everything_typed(web, action) -> None:
    token = sign_in(web, "editor1")
    form = {"csrf_token": token, "meeting_body": "Scrutiny Board", "meeting_date": "31/02/2026",
            "resolution": "Publish the gigabit map", "owner": "Chief Digital Officer", "due_date": "soon",
            "status": "open", "agenda_item": "Item 7"}
    html = _problem_page(web.post("/actions", data=form))
    assert _summary_links(html) == ["meeting_date", "due_date"]
    assert "The meeting date must be a real date, for example 31 March 2026 (you typed \u201c31/02/2026\u201d)." in html
    for typed in ("Publish the gigabit map", 'value="Chief Digital Officer"', 'value="Item 7"', 'value="soon"'):
        assert typed in html
    # a date as people write it is read
    ok = web.post("/actions", data={**form, "meeting_date": "4 March 2026", "due_date": "30/9/2026"})
    assert ok.status_code == 303


def test_a_control_character_is_refused_against_its_field(web, action) -> None:
    token = sign_in(web, "editor1")
    html = _problem_page(web.post(f"/actions/{action}", data={
        "csrf_token": token, "version": "1", "owner": "Chief\x07 Officer", "due_date": "", "status": "open",
        "agenda_item": "", "resolution": "Report"}))
    assert _summary_links(html) == ["owner"] and "The owner holds the control character U+0007" in html
    assert "<details class=\"govuk-details obs-noprint\" open>" in html  # the change form is open again


def test_a_register_entry_needs_its_organisation_and_date(web, people) -> None:
    token = sign_in(web, "editor1")
    html = _problem_page(web.post("/shared-care-record", data={
        "csrf_token": token, "organisation": "", "provider_type": "GP practice", "status": "live",
        "status_date": "", "parts": "GP record", "basis": "Direct care", "org_code": "B86001"}))
    assert _summary_links(html) == ["organisation", "status_date"]
    assert 'value="B86001"' in html and 'value="GP record"' in html


@pytest.fixture
def built(records) -> str:
    with records.session() as s:
        sites.add_site(s, "setup", "WY-GPS-0001", name="Lawson Road Health Centre", kind="GP surgery",
                       lat=53.8, lon=-1.55)
        for status, on in (("planned", date(2025, 1, 6)), ("surveyed", date(2025, 3, 3)),
                           ("build in progress", date(2025, 6, 2)), ("built", date(2025, 9, 1))):
            sites.set_status(s, "setup", "WY-GPS-0001", status, on)
    return "WY-GPS-0001"


def test_a_built_site_is_offered_only_lit_or_withdrawn(web, people, built) -> None:
    sign_in(web, "editor1")
    html = web.get(f"/programme/sites/{built}").text
    offered = re.findall(r'<option value="([^"]+)"', html[html.index('id="new-status"'):].split("</select>")[0])
    assert offered == ["lit", "withdrawn"]


def test_a_withdrawal_without_a_reason_keeps_the_form(web, people, built) -> None:
    token = sign_in(web, "editor1")
    # version 5: written at 1, raised by each of its four statuses
    html = _problem_page(web.post(f"/programme/sites/{built}/status", data={
        "csrf_token": token, "version": "5", "status": "withdrawn", "date": "2025-10-01", "reason": ""}))
    assert _summary_links(html) == ["reason"]
    assert "A withdrawn site needs a reason" in html and 'value="2025-10-01"' in html
    backwards = _problem_page(web.post(f"/programme/sites/{built}/status", data={
        "csrf_token": token, "version": "5", "status": "lit", "date": "2025-08-01", "reason": ""}))
    assert _summary_links(backwards) == ["date"] and "before the previous change (built on 1 September 2025)" in backwards


METRICS = """
[framework]
label = "Test lists"
priorities = ["System Flow"]
cross_cutting = ["Digital Inclusion"]
life_stages = ["Live well"]

[[metric]]
id = "online-share"
title = "Residents confident online"
priority = "Digital Inclusion"
life_stage = "Live well"
unit = "%"
direction = "higher"
target = { value = 90, date = "2030-12-31" }
source = { kind = "entered" }

[[metric]]
id = "residents"
title = "Residents supported"
priority = "Digital Inclusion"
life_stage = "Live well"
unit = "residents"
direction = "higher"
target = { value = 1000, date = "2030-12-31" }
source = { kind = "entered" }
"""


@pytest.fixture
def metrics_client(records, people, store_path: Path, tmp_path: Path):
    from tests.conftest import copy_workspace

    root = copy_workspace(tmp_path / "ws")
    (root / "metrics.toml").write_text(METRICS, encoding="utf-8")
    (root / "build").mkdir()
    shutil.copy(store_path, root / "build" / "observatory.duckdb")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from observatory.web.app import create_app

    application = create_app(root / "build" / "observatory.duckdb", root)
    application.state.records_url = records.url
    with TestClient(application, raise_server_exceptions=False, follow_redirects=False) as c:
        yield c
    if getattr(application.state, "records", None) is not None:
        application.state.records.dispose()


@pytest.mark.parametrize(("metric", "typed", "words"), [
    ("online-share", "150", "150% is not a percentage from 0 to 100"),
    ("online-share", "66,5%", "has a comma that is not a thousands separator"),
    ("online-share", "abc", "is not a number"),
    ("online-share", "", "Enter the value"),
    ("residents", "12.5", "is not a whole number"),
    ("residents", "-3", "below zero"),
])
def test_a_value_outside_the_metrics_unit_is_refused_with_the_typing_kept(metrics_client, metric, typed,
                                                                           words) -> None:
    token = sign_in(metrics_client, "editor1")
    html = _problem_page(metrics_client.post(f"/metrics/{metric}/values", data={
        "csrf_token": token, "value": typed, "date": "2026-03-31", "note": "quarterly survey", "version": "0"}))
    assert _summary_links(html) == ["value"] and words in html
    assert 'value="quarterly survey"' in html and 'value="2026-03-31"' in html


def test_a_good_value_is_kept_and_the_api_refuses_a_percentage_over_100(metrics_client, records) -> None:
    token = sign_in(metrics_client, "editor1")
    ok = metrics_client.post("/metrics/online-share/values", data={
        "csrf_token": token, "value": "66.5", "date": "2026-03-31", "note": "", "version": "0"})
    assert ok.status_code == 303
    api = metrics_client.post("/api/v1/metrics/online-share/values", json={"value": 150, "date": "2026-03-31"},
                              headers={"x-csrf-token": token})
    assert api.status_code == 400 and "not a percentage from 0 to 100" in api.json()["error"]["message"]
    # a second editor's form made before the first value: refused for the same date, naming it
    stale = metrics_client.post("/metrics/online-share/values", data={
        "csrf_token": token, "value": "70", "date": "2026-03-31", "note": "", "version": "0"})
    assert stale.status_code == 409 and "the value for 31 March 2026 (now 66.5)" in stale.text
    page = metrics_client.get("/metrics/online-share").text
    # the history in a sentence, never "create created"
    assert "entered 66.5 for 31 March 2026 on" in page and "create created" not in page
