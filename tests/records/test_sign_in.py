"""Sign-in through the login form: cookies, CSRF, throttling that never shuts out an account's
owner, the same answer for every name, sessions that end, revocable tokens, a last admin kept."""

from __future__ import annotations

import asyncio
import threading
import warnings
from datetime import datetime

import pytest

from observatory.errors import ObservatoryError
from observatory.records import sign_in, users

from .conftest import PASSWORD
from .helpers import csrf_from
from .helpers import sign_in as sign_in_through_form


def _client(app, host: str):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(app, raise_server_exceptions=False, follow_redirects=False, client=(host, 50000))


def _try(client, username: str, password: str) -> str:
    token = csrf_from(client.get("/login").text)
    page = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    if page.status_code == 303:
        return "signed in"
    text = " ".join(page.text.split())
    if "Too many failed sign-ins" in text:
        return "wait"
    if "not right" in text:
        return "wrong"
    return text


def test_sign_in_sets_a_hardened_session_cookie(web, people) -> None:
    token = csrf_from(web.get("/login").text)
    response = web.post("/login", data={"username": "editor1", "password": "correct horse battery",
                                        "csrf_token": token, "next": "/actions"})
    assert response.status_code == 303 and response.headers["location"] == "/actions"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in the test; see the next test for HTTPS
    assert "signed in as <strong>editor1</strong>" in web.get("/login").text


def test_cookie_is_secure_over_https(app, people) -> None:
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        token = csrf_from(c.get("/login").text)
        response = c.post("/login", data={"username": "editor1", "password": "correct horse battery",
                                          "csrf_token": token})
        assert "; Secure" in response.headers["set-cookie"]


def test_login_without_the_csrf_token_is_refused(web, people) -> None:
    web.get("/login")
    response = web.post("/login", data={"username": "editor1", "password": "correct horse battery"})
    assert response.status_code == 403
    assert "security token" in response.text


def test_sign_out(web, people) -> None:
    token = sign_in_through_form(web, "viewer1")
    assert web.post("/logout", data={"csrf_token": token}).status_code == 303
    assert "Sign in</h1>" in web.get("/login").text


# --- throttling ------------------------------------------------------------------------------

def test_an_attacker_slows_only_themselves_and_never_locks_out_the_owner(app, people) -> None:
    with _client(app, "10.0.0.1") as owner, _client(app, "10.0.0.66") as attacker:
        # The owner has signed in from this browser before: it carries a known-device cookie.
        assert _try(owner, "admin1", PASSWORD) == "signed in"
        answers = [_try(attacker, "admin1", f"guess number {n}") for n in range(sign_in.CLIENT_FREE + 2)]
        # Five guesses are checked; the next must wait, and is refused unchecked.
        assert answers == ["wrong"] * sign_in.CLIENT_FREE + ["wait", "wait"]
        # Even the right password does not get the attacker in while they must wait.
        assert _try(attacker, "admin1", PASSWORD) == "wait"
        # The owner is not held back by the attacker's failures on their account.
        assert _try(owner, "admin1", PASSWORD) == "signed in"


def test_an_owner_behind_the_attackers_address_still_gets_in(app, people) -> None:
    # one office network or one proxy: every browser has the same address
    with _client(app, "10.0.0.1") as owner, _client(app, "10.0.0.1") as attacker:
        assert _try(owner, "admin1", PASSWORD) == "signed in"
        for n in range(sign_in.CLIENT_FREE + 1):
            _try(attacker, "admin1", f"guess number {n}")
        assert _try(attacker, "admin1", PASSWORD) == "wait"
        assert _try(owner, "admin1", PASSWORD) == "signed in"
        # a wrong password from the owner's browser counts against that browser alone
        assert _try(owner, "admin1", "a slip of the finger") == "wrong"


def test_a_name_that_does_not_exist_gets_the_same_answers_as_one_that_does(records, people) -> None:
    def answers(name: str) -> list[str]:
        out = []
        for n in range(sign_in.ACCOUNT_FREE + 1):  # each from another client: only the account counts
            try:
                sign_in.authenticate(records, name, "wrong password!", f"192.0.2.{n}")
                out.append("signed in")
            except sign_in.LoginRefused as refused:
                out.append("wait" if refused.wait else str(refused))
        return out

    real, unknown = answers("editor1"), answers("nobody-here")
    assert real == unknown == [sign_in.WRONG] * sign_in.ACCOUNT_FREE + ["wait"]


def test_attempts_sent_at_once_are_each_counted(records, people, monkeypatch) -> None:
    # Every attempt in the same instant: after the free ones, none may be checked.
    monkeypatch.setattr(sign_in, "now", lambda: datetime(2026, 1, 1, 9, 0, 0))
    attempts = 12
    barrier = threading.Barrier(attempts)
    answers: list[str] = []

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            sign_in.authenticate(records, "editor1", "wrong password!", f"198.51.100.{n}")
        except sign_in.LoginRefused as refused:
            answers.append("wait" if refused.wait else "checked")

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == ["checked"] * sign_in.ACCOUNT_FREE + ["wait"] * (attempts - sign_in.ACCOUNT_FREE)


def test_backoff_doubles_up_to_its_ceiling() -> None:
    # free attempts wait nothing; then 1, 2, 4 ... seconds; never more than the ceiling
    assert [sign_in.backoff(n, 5, 120) for n in (0, 4, 5, 6, 7, 11, 12, 40)] == [0, 0, 1, 2, 4, 64, 120, 120]


def test_a_good_password_clears_the_count(records, people) -> None:
    for _ in range(sign_in.ACCOUNT_FREE - 1):
        with pytest.raises(sign_in.LoginRefused):
            sign_in.authenticate(records, "editor1", "wrong password!", "203.0.113.9")
    assert sign_in.authenticate(records, "editor1", PASSWORD, "203.0.113.9").username == "editor1"
    for _ in range(sign_in.ACCOUNT_FREE):
        with pytest.raises(sign_in.LoginRefused, match="not right"):
            sign_in.authenticate(records, "editor1", "wrong password!", "203.0.113.9")


def test_argon2_runs_off_the_event_loop(web, people, monkeypatch) -> None:
    seen: list[bool] = []
    real = sign_in.authenticate

    def spy(*args, **kwargs):
        try:
            asyncio.get_running_loop()
            seen.append(True)
        except RuntimeError:
            seen.append(False)  # no event loop in this thread: a worker thread
        return real(*args, **kwargs)

    monkeypatch.setattr(sign_in, "authenticate", spy)
    sign_in_through_form(web, "viewer1")
    assert seen == [False]


def test_a_nul_byte_in_the_name_is_just_a_wrong_name(web, people) -> None:
    assert _try(web, "editor1\x00", PASSWORD) == "wrong"


# --- passwords -------------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["Password123!", "qwertyuiop", "1234567890", "Summer2024!", "aaaaaaaaaaaa"])
def test_common_passwords_are_refused_with_a_reason(records, password: str) -> None:
    with pytest.raises(ObservatoryError, match="Choose another"), records.session() as s:
        users.add_user(s, "setup", "ann", password, "admin")


def test_a_password_holding_the_username_is_refused(records) -> None:
    with pytest.raises(ObservatoryError, match="contains the username"), records.session() as s:
        users.add_user(s, "setup", "annabel", "annabel-at-the-council", "admin")


# --- sessions end ----------------------------------------------------------------------------

def _copied_cookie_writes(app, cookie: str) -> bool:
    with _client(app, "10.0.0.9") as thief:
        thief.cookies.set("observatory_session", cookie)
        page = thief.get("/login")
        return "signed in as" in page.text


def test_a_copied_cookie_stops_working_at_sign_out(app, people) -> None:
    with _client(app, "10.0.0.1") as c:
        token = sign_in_through_form(c, "editor1")
        cookie = c.cookies.get("observatory_session")
        assert _copied_cookie_writes(app, cookie)
        c.post("/logout", data={"csrf_token": token})
    assert not _copied_cookie_writes(app, cookie)


@pytest.mark.parametrize("change", ["password", "disable"])
def test_a_new_password_or_disabling_ends_every_session(app, records, people, change: str) -> None:
    with _client(app, "10.0.0.1") as c:
        sign_in_through_form(c, "editor1")
        cookie = c.cookies.get("observatory_session")
    with records.session() as s:
        if change == "password":
            users.set_password(s, "admin1", "editor1", "a brand new passphrase")
        else:
            users.set_disabled(s, "admin1", "editor1")
    assert not _copied_cookie_writes(app, cookie)


# --- API tokens ------------------------------------------------------------------------------

def test_a_revoked_token_is_refused(web, records, people) -> None:
    with records.session() as s:
        number, token = users.new_token(s, "admin1", "editor1", "script")
    body = {"text": "From a script."}
    with records.session() as s:
        from datetime import date

        from observatory.records import actions

        meeting = actions.find_or_add_meeting(s, "setup", "Board", date(2025, 1, 15))
        actions.create_action(s, "setup", meeting, "Report back")
    bearer = {"authorization": f"Bearer {token}"}
    assert web.post("/api/v1/actions/1/updates", json=body, headers=bearer).status_code == 201
    with records.session() as s:
        users.revoke_token(s, "admin1", number)
        [listed] = users.list_tokens(s, "editor1")
    assert listed["revoked"] is True
    assert web.post("/api/v1/actions/1/updates", json=body, headers=bearer).status_code == 401


# --- the last admin ----------------------------------------------------------------------------

def test_the_last_admin_can_be_neither_demoted_nor_disabled(records, people) -> None:
    with pytest.raises(ObservatoryError, match="admin1 is the only administrator"), records.session() as s:
        users.set_role(s, "admin1", "admin1", "editor")
    with pytest.raises(ObservatoryError, match="admin1 is the only administrator"), records.session() as s:
        users.set_disabled(s, "admin1", "admin1")
    # With a second admin, the first may step down; then the second is the last.
    with records.session() as s:
        users.set_role(s, "admin1", "editor1", "admin")
    with records.session() as s:
        users.set_role(s, "admin1", "admin1", "editor")
    with pytest.raises(ObservatoryError, match="editor1 is the only administrator"), records.session() as s:
        users.set_disabled(s, "editor1", "editor1")
