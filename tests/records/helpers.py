"""Signing in through the real login form, as a browser would."""

from __future__ import annotations

import re

from .conftest import PASSWORD

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def sign_in(client, username: str, password: str = PASSWORD) -> str:
    """Sign in; return the session's CSRF token for later forms."""
    token = csrf_from(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": token, "next": "/actions"})
    assert response.status_code == 303, response.text
    return csrf_from(client.get("/login").text)
