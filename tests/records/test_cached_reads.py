"""Visitors' reads of the records are kept in memory (so that many readers cost little), yet a
write shows: to a signed-in user at once, to visitors as soon as the answer has been read again
(the first visitor after a write may get the previous answer, marked as being refreshed, while
it is), whether the write came through the API or from another process on the same database (as
`observatory records` commands or another worker are); and nothing is replayed to a signed-in
user."""

from __future__ import annotations

import time

from observatory.demo.records_demo import seed
from observatory.records import actions
from observatory.records.db import open_records
from observatory.records.users import issue_token


def _texts(web, action_id: int, headers: dict | None = None) -> list[str]:
    r = web.get(f"/api/v1/actions/{action_id}", headers=headers or {})
    assert r.status_code == 200, r.text
    return [u["text"] for u in r.json()["updates"]]


def _once_refreshed(web, action_id: int) -> list[str]:
    """A visitor's read after a write: the previous answer is allowed only while it says it is
    being refreshed, and the refresh must land (polled for up to 10 s: the refresh is one
    database read in the background)."""
    for _ in range(200):
        r = web.get(f"/api/v1/actions/{action_id}")
        assert r.status_code == 200, r.text
        if r.headers.get("x-observatory-records") != "refreshing":
            return [u["text"] for u in r.json()["updates"]]
        time.sleep(0.05)
    raise AssertionError("the visitor's answer was never refreshed after the write")


def test_a_visitors_read_is_cached_but_a_write_shows_at_once(web, people, records) -> None:
    with records.session() as s:
        seed(s)
        token = issue_token(s, "admin1", "editor1", "test")
    before = _texts(web, 2)
    r = web.get("/api/v1/actions/2")
    assert r.headers["cache-control"] == "no-cache"  # kept by the server, revalidated by browsers

    # a second process on the same database (a CLI command, another worker) adds an update
    other = open_records(records.url)
    try:
        with other.session() as s:
            actions.add_update(s, "editor1", 2, "written by another process")
    finally:
        other.dispose()
    assert _once_refreshed(web, 2) == [*before, "written by another process"]

    # and through the API: the writer (signed in) reads it straight back, visitors once refreshed
    signed_in = {"authorization": f"Bearer {token}"}
    r = web.post("/api/v1/actions/2/updates", json={"text": "through the API"}, headers=signed_in)
    assert r.status_code == 201, r.text
    assert _texts(web, 2, signed_in)[-1] == "through the API"
    assert _once_refreshed(web, 2)[-1] == "through the API"


def test_a_write_to_one_action_leaves_the_others_answers_alone(web, people, records) -> None:
    with records.session() as s:
        seed(s)
    first = web.get("/api/v1/actions/1").json()
    with records.session() as s:
        actions.add_update(s, "editor1", 3, "only action 3 changes")
    again = web.get("/api/v1/actions/1")
    assert again.json() == first and "x-observatory-records" not in again.headers  # still current
    assert _texts(web, 3)[-1] == "only action 3 changes"


def test_signed_in_answers_are_never_kept_or_replayed(web, people, records) -> None:
    with records.session() as s:
        seed(s)
        token = issue_token(s, "admin1", "viewer1", "test")
    web.get("/api/v1/actions/1")  # a visitor's answer is now kept
    r = web.get("/api/v1/actions/1", headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"


def test_after_a_write_one_worker_reads_the_database_and_the_others_take_its_answer(
        records, people, store_path, tmp_path, monkeypatch) -> None:
    """Workers of `serve --workers N` share a visitor's records answer read at the current
    versions; a worker whose database has gone still answers from another's read, but only with
    the answer that holds the latest write."""
    import warnings

    from observatory.web import records_api, shared_answers
    from observatory.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    monkeypatch.setattr(shared_answers, "root", lambda: tmp_path / "answers")
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", records.url)
    with records.session() as s:
        seed(s)
    first = TestClient(create_app(store_path, shared_answers=True), raise_server_exceptions=False)
    second = TestClient(create_app(store_path, shared_answers=True), raise_server_exceptions=False)
    try:
        before = _texts(second, 4)  # the second worker keeps action 4 as it was
        with records.session() as s:
            actions.add_update(s, "editor1", 4, "a write after the second worker's read")
        assert _texts(first, 4) == [*before, "a write after the second worker's read"]

        # The second worker can no longer read actions itself, yet answers with the write.
        def broken(*_args, **_kwargs):
            raise RuntimeError("the second worker read the database itself")

        monkeypatch.setattr(records_api.actions, "get_action", broken)
        assert _texts(second, 4) == [*before, "a write after the second worker's read"]

        # A further write that no worker has read yet: the shared answer is old, so it is not
        # used; the second worker gives its visitor its previous answer, marked as refreshing,
        # and cannot refresh it (its database reads fail here), so it never claims to be current.
        import subprocess
        import sys

        another_process = (
            "import sys\n"
            "from observatory.records import actions\n"
            "from observatory.records.db import open_records\n"
            "records = open_records(sys.argv[1])\n"
            "with records.session() as s:\n"
            "    actions.add_update(s, 'editor1', 4, 'not read by anyone yet')\n"
            "records.dispose()\n")
        subprocess.run([sys.executable, "-c", another_process, records.url], check=True)
        r = second.get("/api/v1/actions/4")
        assert r.headers.get("x-observatory-records") == "refreshing"
        assert "not read by anyone yet" not in [u["text"] for u in r.json()["updates"]]
    finally:
        for c in (first, second):
            if getattr(c.app.state, "records", None) is not None:
                c.app.state.records.dispose()
