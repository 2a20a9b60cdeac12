"""No write without a role: every route that is not a plain read, listed from the app itself, is
refused to a visitor and to a viewer. A new write route is covered the moment it is added, and a
route outside the list below fails the test until someone says how to call it."""

from __future__ import annotations

import pytest

from .helpers import sign_in

# Routes any visitor may POST to: signing in and out, and the public coverage-challenge form (all
# still check the CSRF token).
OPEN = {("POST", "/login"), ("POST", "/logout"), ("POST", "/challenges/report")}
# Example path parameters, so each route can be called.
EXAMPLE = {"action_id": "1", "entry_id": "1", "username": "editor1", "site_id": "WY-SCH-0001",
           "metric_id": "residents", "challenge_id": "1"}


def all_routes(app) -> list:
    """Every route, including those of included routers (FastAPI wraps them since 0.1xx)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def write_routes(app) -> list[tuple[str, str]]:
    found = []
    for route in all_routes(app):
        methods = getattr(route, "methods", None)
        if not methods:  # mounts (static files) only read
            continue
        for method in sorted(set(methods) - {"GET", "HEAD", "OPTIONS"}):
            if (method, route.path) not in OPEN:
                found.append((method, route.path))
    return found


def _call(client, method: str, path: str, headers: dict | None = None):
    url = path.format(**EXAMPLE)
    return client.request(method, url, data={"text": "x", "csrf_token": "none"}, headers=headers or {})


def test_the_app_has_write_routes_to_check(app) -> None:
    routes = write_routes(app)
    # The records routes at least; others (programme, metrics) add theirs and are checked too.
    assert ("POST", "/actions/{action_id}/updates") in routes
    assert ("PATCH", "/api/v1/shared-care-record/{entry_id}") in routes
    for _, path in routes:
        params = [p[1:-1].split(":")[0] for p in path.split("/") if p.startswith("{")]
        assert all(p in EXAMPLE for p in params), f"{path}: add an example for its parameter to EXAMPLE"


def test_visitors_cannot_write_anywhere(web, app, people) -> None:
    for method, path in write_routes(app):
        for headers in ({}, {"accept": "application/json"}):
            r = _call(web, method, path, headers)
            refused = r.status_code in (401, 403) or (r.status_code == 303 and r.headers["location"].startswith("/login"))
            assert refused, f"{method} {path} answered {r.status_code} to a visitor"


def test_viewers_cannot_write_anywhere(web, app, people) -> None:
    token = sign_in(web, "viewer1")
    for method, path in write_routes(app):
        r = web.request(method, path.format(**EXAMPLE), data={"text": "x", "csrf_token": token})
        assert r.status_code == 403, f"{method} {path} answered {r.status_code} to a viewer"


def test_an_editor_without_the_csrf_token_is_refused(web, people, records) -> None:
    from observatory.demo.records_demo import seed

    with records.session() as s:
        seed(s)
    sign_in(web, "editor1")
    r = web.post("/actions/1/updates", data={"text": "Done at last."})
    assert r.status_code == 403 and "security token" in r.text
    r = web.post("/actions/1/updates", data={"text": "Done at last.", "csrf_token": "forged"})
    assert r.status_code == 403


def test_an_editor_with_the_token_adds_an_update_that_the_history_shows(web, people, records) -> None:
    from observatory.demo.records_demo import seed

    with records.session() as s:
        seed(s)
    token = sign_in(web, "editor1")
    r = web.post("/actions/3/updates", data={"text": "Annual update booked for March.", "status": "in progress",
                                             "csrf_token": token})
    assert r.status_code == 303
    page = web.get("/actions/3.json").json()
    assert page["status"] == "in progress"
    assert page["updates"][-1]["author"] == "editor1"
    assert page["history"][-1]["actor"] == "editor1" and page["history"][-1]["action"] == "update"


@pytest.mark.parametrize("needs", ["editor"])
def test_api_token_writes_without_a_cookie(web, people, records, needs) -> None:
    from observatory.demo.records_demo import seed
    from observatory.records.users import issue_token

    with records.session() as s:
        seed(s)
        editor_token = issue_token(s, "admin1", "editor1", "test")
        viewer_token = issue_token(s, "admin1", "viewer1", "test")
    body = {"text": "Providers shared their coverage files."}
    r = web.post("/api/v1/actions/5/updates", json=body, headers={"authorization": f"Bearer {viewer_token}"})
    assert r.status_code == 403
    r = web.post("/api/v1/actions/5/updates", json=body, headers={"authorization": f"Bearer {editor_token}"})
    assert r.status_code == 201 and r.json()["author"] == "editor1"
    r = web.post("/api/v1/actions/5/updates", json=body, headers={"authorization": "Bearer obs_not-a-token"})
    assert r.status_code == 401


def test_the_admin_page_and_audit_export_need_an_admin(web, people) -> None:
    for path in ("/admin", "/admin/audit/export?format=csv", "/admin/audit/export?format=json"):
        assert web.get(path).status_code == 303  # to the login page
    sign_in(web, "editor1")
    for path in ("/admin", "/admin/audit/export?format=csv"):
        assert web.get(path).status_code == 403


def test_a_workspace_can_require_sign_in_to_read(web, app, people) -> None:
    assert web.get("/actions").status_code == 200  # public by default
    app.state.records_require_login = True  # as `[records] require_login = true` sets it
    for path in ("/actions", "/shared-care-record"):
        r = web.get(path)
        assert r.status_code == 303 and r.headers["location"] == f"/login?next={path}"
    assert web.get("/api/v1/actions").status_code == 401
    sign_in(web, "viewer1")
    assert web.get("/actions").status_code == 200
