"""The oversight page answers the board's two questions in a line each, with the same counts as
the records themselves, and its section is marked on the records pages."""

from __future__ import annotations

import re
from datetime import date

from observatory.demo.records_demo import seed


def test_oversight_counts_what_the_records_hold(web, people, records) -> None:
    with records.session() as s:
        seed(s)
    acts = web.get("/api/v1/actions").json()["actions"]
    entries = web.get("/api/v1/shared-care-record").json()
    today = date.today().isoformat()
    # by hand, from each action's own fields: overdue = not done and past its due date
    overdue = sum(1 for a in acts if a["status"] != "done" and a["due_date"] and a["due_date"] < today)
    done = sum(1 for a in acts if a["status"] == "done")
    providers = [e for g in entries["groups"] for e in g["providers"]]
    live = sum(1 for e in providers if e["status"] == "live")

    page = web.get("/oversight")
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert re.search(rf"{len(acts)} <a [^>]*>resolutions</a>: <strong>{done} done</strong>", text)
    assert f"<strong>{overdue} overdue</strong>" in text
    assert f"{live} providers can access records now" in text
    assert "Illustrative records" in text  # the demo's records are labelled as such


def test_records_pages_sit_under_oversight(web, people, records) -> None:
    with records.session() as s:
        seed(s)
    for path in ("/actions", "/actions/1", "/shared-care-record"):
        html = web.get(path).text
        assert '<a class="govuk-service-navigation__link" href="/oversight" aria-current="true">' in html, path
