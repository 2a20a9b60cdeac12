"""Two editors changing one record never lose an edit silently (issue 21): every editable record
carries a version; a form made from an older version is refused, shown again with the other
editor's change and the typing kept; the API gives the version as an ETag, honours If-Match and
answers 412. On both engines (SQLite and the throwaway PostgreSQL cluster)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from observatory.programme import models as sites
from observatory.records import actions, register, users
from observatory.records.versions import StaleRecord

from .helpers import csrf_from, sign_in


@pytest.fixture
def action(records, people) -> int:
    with records.session() as s:
        users.get_user(s, "editor1").display_name = "Ada Lovelace"
        meeting = actions.find_or_add_meeting(s, "setup", "Scrutiny Board", date(2026, 3, 4))
        return actions.create_action(s, "setup", meeting, "Report on gigabit coverage", owner="Chief Digital Officer",
                                     due_date=date(2026, 9, 30)).id


def _version(html: str, action: str) -> str:
    form = html[html.index(f'action="{action}"'):]
    return re.search(r'name="version" value="(\d+)"', form).group(1)


def test_a_change_from_an_older_version_is_refused_naming_who_changed_it(records, action) -> None:
    with records.session() as s:
        assert actions.get_action(s, action)["version"] == 1
        actions.edit_action(s, "editor1", action, seen=1, status="in progress")
    with records.session() as s:
        assert actions.get_action(s, action)["version"] == 2
    with pytest.raises(StaleRecord, match="Ada Lovelace|editor1") as refused, records.session() as s:
        actions.edit_action(s, "admin1", action, seen=1, owner="Someone else")
    assert refused.value.current == 2
    with records.session() as s:
        now = actions.get_action(s, action)
    # the first editor's change stands; the stale one wrote nothing
    assert (now["status"], now["owner"], now["version"]) == ("in progress", "Chief Digital Officer", 2)


def test_a_stale_form_is_shown_again_with_the_other_change_and_the_typing_kept(web, records, action) -> None:
    token = sign_in(web, "editor1")
    page = web.get(f"/actions/{action}").text
    seen = _version(page, f"/actions/{action}")
    # meanwhile another editor moves the action to done
    with records.session() as s:
        actions.edit_action(s, "admin1", action, seen=int(seen), status="done")
    stale = web.post(f"/actions/{action}", data={
        "csrf_token": token, "version": seen, "owner": "Head of Digital Inclusion", "due_date": "2026-09-30",
        "status": "open", "agenda_item": "", "resolution": "Report on gigabit coverage"})
    assert stale.status_code == 409
    assert "There is a problem" in stale.text and "Someone else changed action" in stale.text
    assert 'value="Head of Digital Inclusion"' in stale.text  # the typing is kept
    assert re.search(r'id="state">\s*done', stale.text)  # the other editor's change is shown
    assert _version(stale.text, f"/actions/{action}") == "2"  # the form now edits the record as it is
    with records.session() as s:
        now = actions.get_action(s, action)
    assert (now["status"], now["owner"]) == ("done", "Chief Digital Officer")  # neither edit lost
    # saved again from the version shown, it goes through
    again = web.post(f"/actions/{action}", data={
        "csrf_token": token, "version": "2", "owner": "Head of Digital Inclusion", "due_date": "2026-09-30",
        "status": "done", "agenda_item": "", "resolution": "Report on gigabit coverage"})
    assert again.status_code == 303


def test_an_update_that_moves_a_changed_status_is_refused_but_text_alone_is_added(web, records, action) -> None:
    token = sign_in(web, "editor1")
    with records.session() as s:
        actions.edit_action(s, "admin1", action, status="done")
    moved = web.post(f"/actions/{action}/updates", data={"csrf_token": token, "version": "1",
                                                         "text": "Reopened after the audit", "status": "open"})
    assert moved.status_code == 409 and "Reopened after the audit" in moved.text
    note = web.post(f"/actions/{action}/updates", data={"csrf_token": token, "version": "1",
                                                        "text": "Minutes circulated", "status": ""})
    assert note.status_code == 303
    with records.session() as s:
        now = actions.get_action(s, action)
    assert now["status"] == "done" and [u["text"] for u in now["updates"]] == ["Minutes circulated"]


def test_the_api_gives_an_etag_and_answers_412_to_a_stale_if_match(web, records, action) -> None:
    token = sign_in(web, "editor1")
    got = web.get(f"/api/v1/actions/{action}")
    assert got.headers["etag"] == '"1"' and got.json()["version"] == 1
    headers = {"x-csrf-token": token, "if-match": got.headers["etag"]}
    first = web.patch(f"/api/v1/actions/{action}", json={"status": "in progress"}, headers=headers)
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    second = web.patch(f"/api/v1/actions/{action}", json={"status": "open"}, headers=headers)
    assert second.status_code == 412
    error = second.json()["error"]
    assert error["current"]["status"] == "in progress" and error["version"] == 2
    with records.session() as s:
        assert actions.get_action(s, action)["status"] == "in progress"
    # no If-Match: the client asked for no check (as before)
    assert web.patch(f"/api/v1/actions/{action}", json={"owner": "CDO"}, headers={"x-csrf-token": token}).status_code == 200


def test_register_entries_sites_and_users_carry_versions_too(web, records, people) -> None:
    with records.session() as s:
        entry = register.add_entry(s, "setup", organisation="Leeds GP Practice", provider_type="GP practice",
                                   status="planned", status_date=date(2026, 1, 5)).id
        sites.add_site(s, "setup", "WY-SCH-0001", name="Park School", kind="school", lat=53.8, lon=-1.55)
        sites.set_status(s, "setup", "WY-SCH-0001", "planned", date(2025, 1, 1))
    token = sign_in(web, "editor1")
    # the register
    with records.session() as s:
        register.edit_entry(s, "admin1", entry, seen=1, status="onboarding")
    form = {"csrf_token": token, "version": "1", "organisation": "Leeds GP Practice", "provider_type": "GP practice",
            "status": "live", "status_date": "2026-02-01", "parts": "", "basis": "", "org_code": "B86001"}
    stale = web.post(f"/shared-care-record/{entry}", data=form)
    assert stale.status_code == 409 and 'value="B86001"' in stale.text
    assert web.patch(f"/api/v1/shared-care-record/{entry}", json={"status": "live"},
                     headers={"x-csrf-token": token, "if-match": '"1"'}).status_code == 412
    # a site's status
    assert web.get("/api/v1/sites/WY-SCH-0001").headers["etag"] == '"2"'  # created, then planned
    with records.session() as s:
        sites.set_status(s, "admin1", "WY-SCH-0001", "surveyed", date(2025, 2, 1))
    api = web.post("/api/v1/sites/WY-SCH-0001/status", json={"status": "built", "date": "2025-03-01"},
                   headers={"x-csrf-token": token, "if-match": '"2"'})
    assert api.status_code == 412 and api.json()["error"]["current"]["status"] == "surveyed"
    page = web.post("/programme/sites/WY-SCH-0001/status", data={"csrf_token": token, "version": "2",
                                                                "status": "built", "date": "2025-03-01"})
    assert page.status_code == 409 and "Park School" in page.text
    with records.session() as s:
        assert sites.get_site(s, "WY-SCH-0001")["status"] == "surveyed"
    # a user's role, from the admin page
    admin = sign_in(web, "admin1")
    with records.session() as s:
        users.set_role(s, "admin1", "viewer1", "editor")
    refused = web.post("/admin/users/viewer1/role", data={"csrf_token": admin, "version": "1", "role": "admin"})
    assert refused.status_code == 409 and "Someone else changed the user viewer1" in refused.text
    with records.session() as s:
        assert users.get_user(s, "viewer1").role == "editor"
    page = web.get("/admin").text
    assert csrf_from(page)
