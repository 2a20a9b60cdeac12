"""Visitors' reads of the records are kept in memory (so that many readers cost little), yet a
write is visible to the very next read: through the API, from another process on the same
database (as `observatory records` commands or another worker are), and never replayed to a
signed-in user."""

from __future__ import annotations

from observatory.demo.records_demo import seed
from observatory.records import actions
from observatory.records.db import open_records
from observatory.records.users import issue_token


def _texts(web, action_id: int) -> list[str]:
    r = web.get(f"/api/v1/actions/{action_id}")
    assert r.status_code == 200, r.text
    return [u["text"] for u in r.json()["updates"]]


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
    assert _texts(web, 2) == [*before, "written by another process"]

    # and through the API, read straight back
    r = web.post("/api/v1/actions/2/updates", json={"text": "through the API"},
                 headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    assert _texts(web, 2)[-1] == "through the API"


def test_a_write_to_one_action_leaves_the_others_answers_alone(web, people, records) -> None:
    with records.session() as s:
        seed(s)
    first = web.get("/api/v1/actions/1").json()
    with records.session() as s:
        actions.add_update(s, "editor1", 3, "only action 3 changes")
    assert web.get("/api/v1/actions/1").json() == first
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
        # used (the second worker must read the database, which fails here).
        with records.session() as s:
            actions.add_update(s, "editor1", 4, "not read by anyone yet")
        assert second.get("/api/v1/actions/4").status_code == 500
    finally:
        for c in (first, second):
            if getattr(c.app.state, "records", None) is not None:
                c.app.state.records.dispose()
