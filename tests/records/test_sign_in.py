"""Sign-in through the login form: cookies, CSRF, slowdown and lockout."""

from __future__ import annotations

from observatory.records import users

from .helpers import csrf_from, sign_in


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


def test_wrong_password_then_lockout(web, people, monkeypatch) -> None:
    delays: list[float] = []

    async def no_wait(seconds: float) -> None:
        delays.append(seconds)

    monkeypatch.setattr("observatory.web.auth.asyncio.sleep", no_wait)
    token = csrf_from(web.get("/login").text)
    for _ in range(users.LOCK_AFTER):
        page = web.post("/login", data={"username": "editor1", "password": "wrong password!",
                                        "csrf_token": token})
        assert page.status_code == 200 and "not signed in" in page.text
    assert "locked" in page.text
    # From the third failure on, each answer waits longer: 1 s, 2 s, then 4 s as the account locks.
    assert delays == [1.0, 2.0, 4.0]
    # Even the right password is refused while locked.
    page = web.post("/login", data={"username": "editor1", "password": "correct horse battery",
                                    "csrf_token": token})
    assert "locked" in page.text


def test_sign_out(web, people) -> None:
    token = sign_in(web, "viewer1")
    assert web.post("/logout", data={"csrf_token": token}).status_code == 303
    assert "Sign in</h1>" in web.get("/login").text
