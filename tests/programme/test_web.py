"""The programme's pages and API over the fixture store and a records database (both engines):
they render with their tables, and only an editor can record a status (web form and API)."""

from __future__ import annotations

from datetime import date

from tests.records.helpers import csrf_from, sign_in


def test_the_programme_page_answers_with_progress_map_and_reach(web, sites) -> None:
    page = web.get("/programme")
    assert page.status_code == 200
    # as of the register's last change (2021-05-01), one of the two sites still in the programme is lit;
    # served over a bare store there are no settings, so no target (test_no_target.py has both cases)
    assert "<strong>1 of the 2 sites</strong>" in page.text and "No target has been set" in page.text
    for part in ('id="progress-table"', 'id="by-kind"', 'id="by-district"', 'id="status-table"',
                 'id="reach-wards"', 'class="obs-chart"'):
        assert part in page.text
    data = web.get("/programme", headers={"accept": "application/json"}).json()
    assert data["progress"]["lit"] == 1 and data["progress"]["withdrawn"] == 1
    assert data["status_counts"]["surveyed"] == 1 and data["progress"]["illustrative"] is False
    # the register is real here, but the fixture's output-area premises counts are synthetic
    assert data["reach"]["illustrative"] is True and data["illustrative"] is True


def test_the_scenario_form_works_without_javascript(web, sites) -> None:
    form = web.get("/programme/scenario")
    assert form.status_code == 200 and 'method="get"' in form.text
    result = web.get("/programme/scenario", params={"what": "ids", "ids": "WY-LIB-0001", "distance": "300"})
    assert result.status_code == 200 and 'id="scenario-wards"' in result.text
    assert "Lighting 1 more site" in result.text
    bad = web.get("/programme/scenario", params={"what": "ids", "ids": "WY-NOPE-0001"})
    assert bad.status_code == 400 and "WY-NOPE-0001" in bad.text


def test_the_site_page_shows_its_history(web, sites) -> None:
    page = web.get("/programme/sites/WY-GPS-0001")
    assert page.status_code == 200
    assert "Building closed, sold" in page.text and 'id="status-history-table"' in page.text
    assert web.get("/programme/sites/WY-XXX-0001").status_code == 404


def test_the_api_lists_sites_progress_and_reach(web, sites) -> None:
    listed = web.get("/api/v1/sites", params={"status": "lit"}).json()
    assert [s["id"] for s in listed["sites"]] == ["WY-SCH-0001"]
    one = web.get("/api/v1/sites/WY-SCH-0001").json()
    assert [c["status"] for c in one["history"]] == ["planned", "surveyed", "lit"]
    assert web.get("/api/v1/programme/progress").json()["in_programme"] == 2
    reach = web.get("/api/v1/programme/reach", params={"scenario": "all planned", "level": "region"}).json()
    assert [r["level"] for r in reach["rows"]] == ["region"] and "change" in reach["rows"][0]
    assert web.get("/api/v1/programme/reach", params={"distance": "-5"}).status_code == 400


def _post_status(web, token: str, status: str = "built"):
    return web.post("/programme/sites/WY-LIB-0001/status",
                    data={"status": status, "date": "2021-06-01", "reason": "", "csrf_token": token})


def test_an_editor_can_record_a_status_and_a_viewer_cannot(web, people, sites) -> None:
    assert _post_status(web, "none").status_code in (303, 401, 403)  # a visitor: sent to sign in
    token = sign_in(web, people["viewer"])
    assert _post_status(web, token).status_code == 403
    page = web.get("/programme/sites/WY-LIB-0001")
    assert 'action="/programme/sites/WY-LIB-0001/status"' not in page.text  # no form for a viewer
    token = sign_in(web, people["editor"])
    page = web.get("/programme/sites/WY-LIB-0001")
    assert 'action="/programme/sites/WY-LIB-0001/status"' in page.text
    done = _post_status(web, csrf_from(page.text))
    assert done.status_code == 303
    site = web.get("/api/v1/sites/WY-LIB-0001").json()
    assert site["status"] == "built" and site["history"][-1]["author"] == people["editor"]
    # the rules hold on the web too: planned cannot follow built (the form is shown again, 422)
    assert _post_status(web, token, "planned").status_code == 422


def test_the_api_status_change_needs_an_editor(web, people, sites) -> None:
    body = {"status": "build in progress", "date": "2021-02-01"}
    token = sign_in(web, people["viewer"])
    assert web.post("/api/v1/sites/WY-LIB-0001/status", json=body, headers={"x-csrf-token": token}).status_code == 403
    token = sign_in(web, people["editor"])
    made = web.post("/api/v1/sites/WY-LIB-0001/status", json=body, headers={"x-csrf-token": token})
    assert made.status_code == 201 and made.json()["status"] == "build in progress"
    withdrawn = web.post("/api/v1/sites/WY-LIB-0001/status", json={"status": "withdrawn", "date": "2021-03-01"},
                         headers={"x-csrf-token": token})
    assert withdrawn.status_code == 400 and "reason" in withdrawn.json()["error"]["message"]


def test_an_illustrative_register_is_labelled_on_the_page_and_in_the_api(web, records) -> None:
    from observatory.programme import models

    with records.session() as s:
        models.add_site(s, "demo-seed", "WY-SCH-0001", name="A school", kind="school", lat=53.8, lon=-1.55,
                        easting=429700.0, northing=433900.0, illustrative=True)
        models.set_status(s, "demo-seed", "WY-SCH-0001", "planned", date(2020, 1, 1), illustrative=True)
    assert "Illustrative register" in web.get("/programme").text
    api = web.get("/api/v1/sites").json()
    assert api["illustrative"] is True and "made up" in api["notice"]
