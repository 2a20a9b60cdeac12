"""A client that must wait before its next sign-in attempt is refused cheaply (issue 21): 429 with
Retry-After, before the form is read, the database asked, a password checked or a page drawn; the
same answer whatever name is tried. And the visitor's sign-in form, kept between visitors, still
carries each session's own security token."""

from __future__ import annotations

import re
import warnings

import pytest

from observatory.records import sign_in
from observatory.web import sign_in_pages

from .conftest import PASSWORD
from .helpers import csrf_from


@pytest.fixture(autouse=True)
def _no_pause(monkeypatch) -> None:
    monkeypatch.setattr(sign_in_pages, "REFUSAL_PAUSE", 0.0)  # the pause is a timer: not what is tested


def _client(app, host: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(app, raise_server_exceptions=False, follow_redirects=False, client=(host, 50000))


def _attempt(client, username: str, password: str):
    token = csrf_from(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def _throttle(client, username: str = "admin1") -> None:
    for n in range(sign_in.CLIENT_FREE):
        assert "not right" in _attempt(client, username, f"guess {n}").text


def test_a_client_that_must_wait_is_told_429_with_retry_after(app, people) -> None:
    with _client(app, "10.1.0.1") as attacker:
        _throttle(attacker)
        refused = _attempt(attacker, "admin1", "one more guess")
        assert refused.status_code == 429
        wait = int(refused.headers["retry-after"])
        assert wait >= 1
        assert f"wait {wait} seconds" in " ".join(refused.text.split())
        assert refused.headers["cache-control"] == "no-store"


def test_the_refusal_checks_no_password_and_asks_no_database(app, people, monkeypatch) -> None:
    with _client(app, "10.1.0.2") as attacker:
        _throttle(attacker)
        _attempt(attacker, "admin1", "counted by the database")  # the database's own refusal, remembered

        def must_not_run(*_args, **_kwargs):
            raise AssertionError("a refused attempt reached the database or a password check")

        monkeypatch.setattr(sign_in, "authenticate", must_not_run)
        monkeypatch.setattr(sign_in, "_reserve", must_not_run)
        monkeypatch.setattr(sign_in_pages, "render", must_not_run)
        assert _attempt(attacker, "admin1", PASSWORD).status_code == 429
        # without even a form: the client's own count applies whatever it sends
        assert attacker.post("/login", data={}).status_code == 429


def test_the_refusal_is_the_same_for_a_real_name_and_an_unknown_one(app, people) -> None:
    def refusal(host: str, name: str) -> str:
        with _client(app, host) as c:
            _throttle(c, name)
            page = _attempt(c, name, "and again")
            assert page.status_code == 429
            return re.sub(r"\d+", "N", page.text)

    assert refusal("10.1.0.3", "admin1") == refusal("10.1.0.4", "nobody-at-all")


def test_the_owners_known_browser_is_not_refused_for_the_attackers_count(app, people) -> None:
    with _client(app, "10.1.0.5") as owner, _client(app, "10.1.0.5") as attacker:
        assert _attempt(owner, "admin1", PASSWORD).status_code == 303
        _throttle(attacker)
        assert _attempt(attacker, "admin1", PASSWORD).status_code == 429
        assert _attempt(owner, "admin1", PASSWORD).status_code == 303


def test_a_good_sign_in_clears_what_the_process_remembered(records, people) -> None:
    for n in range(sign_in.ACCOUNT_FREE + 1):
        with pytest.raises(sign_in.LoginRefused):
            sign_in.authenticate(records, "editor1", f"wrong {n}", "192.0.2.50")
    keys = sign_in.counted_against("editor1", "192.0.2.50")
    assert sign_in.recent_waits(records).wait(keys) > 0
    sign_in.recent_waits(records).forget(keys)  # as if the wait had run out
    with records.session() as s:
        s.query(sign_in.Throttle).delete()
    assert sign_in.authenticate(records, "editor1", PASSWORD, "192.0.2.50").username == "editor1"
    assert sign_in.recent_waits(records).wait(keys) == 0


def test_the_kept_form_carries_each_visitors_own_token(app, people) -> None:
    with _client(app, "10.1.0.6") as one, _client(app, "10.1.0.7") as two:
        first, second = one.get("/login?next=/actions/2"), two.get("/login?next=/actions/2")
        a, b = csrf_from(first.text), csrf_from(second.text)
        assert a != b
        assert first.text.replace(a, "TOKEN") == second.text.replace(b, "TOKEN")
        assert 'name="next" value="/actions/2"' in first.text
        # each token is the one its session holds: the sign-in goes through
        response = one.post("/login", data={"username": "editor1", "password": PASSWORD, "csrf_token": a,
                                            "next": "/actions/2"})
        assert response.status_code == 303 and response.headers["location"] == "/actions/2"
        assert two.post("/login", data={"username": "editor1", "password": PASSWORD,
                                        "csrf_token": a}).status_code == 403
