"""A busy records database answers in words instead of hanging (issue 21's benchmark: an editor
waited 30 s): a change that waits on another's lock gives up after the lock timeout with 503
"busy", a request finding every pooled connection busy is told the same, and who is asking is
looked up off the event loop, so a slow database never stalls a worker's other requests."""

from __future__ import annotations

import asyncio
import threading
import warnings
from datetime import date

import pytest
from sqlalchemy import create_engine, select, text

from observatory.errors import StoreError
from observatory.records import actions, engine, users
from observatory.records.db import Records
from observatory.web import auth


@pytest.fixture
def quick_locks(monkeypatch) -> None:
    monkeypatch.setattr(engine, "LOCK_WAIT_MS", 300)  # before `records` makes its engine


@pytest.fixture
def action(records, people) -> int:
    with records.session() as s:
        meeting = actions.find_or_add_meeting(s, "setup", "Scrutiny Board", date(2026, 3, 4))
        return actions.create_action(s, "setup", meeting, "Report on gigabit coverage").id


@pytest.fixture
def bearer(records, people) -> dict[str, str]:
    with records.session() as s:
        _, token = users.new_token(s, "admin1", "editor1", "test")
    return {"authorization": f"Bearer {token}"}


def _web(app):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(app, raise_server_exceptions=False, follow_redirects=False)


def test_a_change_waiting_on_a_locked_row_is_answered_busy(quick_locks, records, app, action, bearer,
                                                          records_url) -> None:
    if not records_url.startswith("postgresql"):
        pytest.skip("SQLite writers queue on its one write lock (busy_timeout), not on row locks")
    holder = create_engine(records.engine.url)
    with holder.connect() as other, _web(app) as web:
        other.execute(text("SELECT id FROM actions WHERE id = :id FOR UPDATE"), {"id": action})
        etag = web.get(f"/api/v1/actions/{action}").headers["etag"]
        answer = web.patch(f"/api/v1/actions/{action}", json={"owner": "Someone"},
                           headers={**bearer, "if-match": etag})
        other.rollback()
        assert answer.status_code == 503
        assert "busy" in answer.json()["error"]["message"] and "Nothing was changed" in answer.json()["error"]["message"]
        # the lock gone, the same change goes through
        assert web.patch(f"/api/v1/actions/{action}", json={"owner": "Someone"},
                         headers={**bearer, "if-match": etag}).status_code == 200
    holder.dispose()


def test_every_connection_busy_is_said_in_words(records, records_url) -> None:
    if not records_url.startswith("postgresql"):
        pytest.skip("SQLite opens a connection per use: there is no pool to run out of")
    tiny = Records(records.url, create_engine(records.engine.url, pool_size=1, max_overflow=0, pool_timeout=0.2))
    try:
        with tiny.session() as held:
            held.execute(select(1))
            with pytest.raises(StoreError, match="busy"), tiny.session() as second:
                second.execute(select(1))
    finally:
        tiny.dispose()


def test_the_pool_has_a_connection_for_every_thread_that_may_need_one() -> None:
    # Starlette's thread pool (anyio's default limiter) and sign-in's Argon2 threads
    from anyio import to_thread

    async def threads() -> float:
        return to_thread.current_default_thread_limiter().total_tokens

    assert engine.PG_POOL_MOST >= asyncio.run(threads()) + 1


def test_who_is_asking_is_looked_up_off_the_event_loop(records, app, action, bearer, monkeypatch) -> None:
    where: list[str] = []
    real = auth.current_user

    def spy(request):
        try:
            asyncio.get_running_loop()
            where.append("event loop")
        except RuntimeError:
            where.append(threading.current_thread().name)
        return real(request)

    monkeypatch.setattr(auth, "current_user", spy)
    with _web(app) as web:
        answer = web.post(f"/api/v1/actions/{action}/updates", json={"text": "Met the supplier."}, headers=bearer)
    assert answer.status_code == 201
    assert where and "event loop" not in where
