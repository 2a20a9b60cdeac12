"""The records as editors and auditors read them: the audit trail in sentences with dates and times
in words (no Python True/False, no "create created"), the programme's site list a page at a time
with search and a district filter, and a records database that is missing or read-only answered
with a page that says so (never a 500, never recreated empty)."""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime
from pathlib import Path

import pytest

from observatory.programme import models as sites
from observatory.records import actions, register, users, words
from observatory.records.audit import history
from observatory.records.db import open_records

from .helpers import sign_in


def test_a_site_status_change_reads_as_a_sentence(records, people) -> None:
    with records.session() as s:
        users.get_user(s, "editor1").display_name = "Ada Lovelace"
        sites.add_site(s, "setup", "WY-GPS-0001", name="Lawson Road Health Centre", kind="GP surgery", lat=53.8,
                       lon=-1.55)
        sites.set_status(s, "editor1", "WY-GPS-0001", "planned", date(2026, 1, 5))
        sites.edit_site(s, "editor1", "WY-GPS-0001", illustrative=True)
    with records.session() as s:
        rows = history(s, "programme_site", "WY-GPS-0001")
        names = users.display_names(s)
    rows[1]["at"] = "2026-12-07T10:42:10"  # a known moment for the sentence
    rows[1]["before"] = {"status": "built"}
    rows[1]["after"] = {**rows[1]["after"], "status": "lit", "date": "2026-12-07"}
    said = [r["said"] for r in words.sentences(rows, names, "Lawson Road Health Centre")]
    assert said[1] == "Ada Lovelace changed Lawson Road Health Centre from built to lit on 7 December 2026 at 10:42."
    assert said[0].startswith("the set-up script added Lawson Road Health Centre on ")
    assert said[2].startswith("Ada Lovelace changed the illustrative marking from no to yes of Lawson Road")
    assert not any("True" in s or "False" in s for s in said)


def test_record_pages_give_the_trail_in_sentences_with_times(web, records, people) -> None:
    with records.session() as s:
        meeting = actions.find_or_add_meeting(s, "setup", "Scrutiny Board", date(2026, 3, 4))
        a = actions.create_action(s, "editor1", meeting, "Report on coverage", owner="CDO", due_date=date(2026, 9, 30))
        actions.edit_action(s, "editor1", a.id, status="in progress", owner="Head of Digital")
        entry = register.add_entry(s, "editor1", organisation="Leeds GP Practice", provider_type="GP practice",
                                   status="planned", status_date=date(2026, 1, 5))
        register.edit_entry(s, "editor1", entry.id, status="live")
        action_id, entry_id = a.id, entry.id
    page = web.get(f"/actions/{action_id}").text
    trail = page[page.index('id="history-list"'):]
    today = datetime.utcnow()
    moment = f"{today.day} {today:%B} {today.year} at "
    assert (f"editor1 changed the owner from CDO to Head of Digital and the status from open to in progress of "
            f"action {action_id} on {moment}") in trail
    assert "4 March 2026" in page and "30 September 2026" in page  # meeting and due dates in words
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", page.split('id="history-list"')[0].split("<form")[0]
                         .split("</head>")[1])
    entry_page = web.get(f"/shared-care-record/{entry_id}").text
    assert ("changed the status from planned to live of the entry for Leeds GP Practice on " + moment) in entry_page
    sign_in(web, "admin1")
    admin = web.get("/admin").text
    assert "set-up script added the user viewer1 (viewer) on" in admin and "True" not in admin


@pytest.fixture
def register_of_1400(records) -> None:
    with records.session() as s:
        for i in range(1, 1401):
            district = "E08000035" if i % 2 else "E08000032"
            sites.add_site(s, "setup", f"WY-SCH-{i:04d}", name=f"School number {i}", kind="school", lat=53.8,
                           lon=-1.55, postcode=f"LS{i % 30} 1AA", district_code=district)


def test_the_site_list_is_paged_searchable_and_filtered_by_district(web, register_of_1400) -> None:
    first = web.get("/programme/sites")
    assert first.status_code == 200 and len(first.content) < 300_000
    assert "Sites 1 to 100 of 1,400." in first.text and first.text.count('href="/programme/sites/WY-') == 100
    last = web.get("/programme/sites", params={"page": 14}).text
    assert "Sites 1,301 to 1,400 of 1,400." in last
    found = web.get("/programme/sites", params={"q": "number 1400"}).text
    assert "Sites 1 to 1 of 1 that match (of 1,400 in the register)." in found and "School number 1400" in found
    district = web.get("/programme/sites", params={"district": "E08000032"},
                       headers={"accept": "application/json"}).json()
    assert district["count"] == 700 and len(district["sites"]) == 100
    assert {s["district_code"] for s in district["sites"]} == {"E08000032"}
    assert web.get("/programme/sites", params={"page": 15}).status_code == 400


def _client(app):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(app, raise_server_exceptions=False, follow_redirects=False)


def test_a_dashboard_without_records_says_none_are_kept_yet_and_never_creates_them(store_path: Path,
                                                                                   tmp_path: Path) -> None:
    """A council that has not started its records: not a fault to restore, and nothing is made."""
    from observatory.web.app import create_app

    gone = tmp_path / "records.sqlite"
    app = create_app(store_path)
    app.state.records_url = f"sqlite:///{gone}"
    with _client(app) as c:
        for path in ("/actions", "/shared-care-record", "/programme/sites"):
            page = c.get(path)
            assert page.status_code == 404 and "No records are kept in this dashboard yet" in page.text, path
            assert "<h1" in page.text and "No records yet" in page.text.split("<h1", 1)[1].split("</h1>")[0], path
            assert "restore" not in page.text and "missing" not in page.text, path
        api = c.get("/api/v1/actions")
        assert api.status_code == 404 and "No records are kept" in api.json()["error"]["message"]
    assert not gone.exists()


def test_a_records_database_removed_while_serving_is_not_recreated(records, people, store_path: Path) -> None:
    from observatory.web.app import create_app

    if records.dialect != "sqlite":
        pytest.skip("a file that disappears is SQLite's case")
    app = create_app(store_path)
    app.state.records_url = records.url
    path = Path(records.url.removeprefix("sqlite:///"))
    with _client(app) as c:
        sign_in(c, "editor1")  # a signed-in editor's pages read the records for the user too
        assert c.get("/actions").status_code == 200
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            p.unlink(missing_ok=True)
        page = c.get("/actions")
        assert page.status_code == 503 and "missing" in page.text
    assert not path.exists()
    if getattr(app.state, "records", None) is not None:
        app.state.records.dispose()


def test_a_read_only_records_database_is_read_and_a_change_is_refused_in_words(records, people,
                                                                           store_path: Path) -> None:
    from observatory.web.app import create_app

    if records.dialect != "sqlite":
        pytest.skip("a read-only file is SQLite's case (PostgreSQL's role rights: tests/records/test_roles.py)")
    with records.session() as s:
        meeting = actions.find_or_add_meeting(s, "setup", "Scrutiny Board", date(2026, 3, 4))
        actions.create_action(s, "setup", meeting, "Report on coverage")
    path = Path(records.url.removeprefix("sqlite:///"))
    app = create_app(store_path)
    app.state.records_url = records.url
    with _client(app) as c:
        token = sign_in(c, "editor1")
        # now the database is read-only (as a file the server may not write is): SQLite's own
        # read-only mode, which holds for root too
        app.state.records.dispose()
        app.state.records = open_records(f"sqlite:///file:{path}?mode=ro&uri=true")
        before = path.stat().st_mtime_ns
        assert c.get("/actions").status_code == 200  # reading still works
        made = c.post("/actions", data={"csrf_token": token, "meeting_body": "Board", "meeting_date": "2026-03-04",
                                        "resolution": "Report", "status": "open"})
        assert made.status_code == 503 and "read-only" in made.text and "Nothing was changed" in made.text
        assert path.stat().st_mtime_ns == before
    app.state.records.dispose()


def test_serving_several_workers_over_sqlite_says_why_not(records_url: str) -> None:
    from observatory.web.server import workers_warning

    said = workers_warning(records_url, 4)
    if records_url.startswith("sqlite"):
        assert "4 worker processes share a SQLite records database" in said
        assert "takes SQLite's one write lock" in said and "PostgreSQL" in said and "--workers 1" in said
    else:
        assert said is None  # PostgreSQL is what several workers should share
    assert workers_warning(records_url, 1) is None
