"""Entering a value needs a role and is audited, on both engines (SQLite and PostgreSQL): through
the library, the CLI (`metrics set`, `metrics import`), the web form (CSRF) and the API."""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from observatory.cli import app as cli_app
from observatory.records.audit import entries
from observatory.strategy import models

runner = CliRunner()


def _audit(records) -> list[dict]:
    with records.session() as s:
        return [e for e in entries(s, limit=None) if e["entity"] == models.ENTITY]


def test_a_value_is_audited_and_a_correction_replaces_it_keeping_both(records):
    with records.session() as s:
        models.add_value(s, "ann", "residents", 120, date(2025, 1, 1), "first count")
    with records.session() as s:
        models.add_value(s, "bob", "residents", 125, date(2025, 1, 1), "corrected")
    with records.session() as s:
        held = models.values_for(s, "residents")
    assert [(v["value"], v["author"]) for v in held] == [(125.0, "bob")]
    log = _audit(records)
    assert [(e["actor"], e["action"], e["after"]["value"]) for e in reversed(log)] == [("ann", "create", 120.0),
                                                                                      ("bob", "create", 125.0)]


def test_a_value_in_the_future_is_refused(records):
    from observatory.errors import ObservatoryError

    with records.session() as s, pytest.raises(ObservatoryError, match="is in the future"):
        models.add_value(s, "ann", "residents", 1, date(2999, 1, 1))
    assert _audit(records) == []


@pytest.fixture
def cli(records, metrics_ws: Path, monkeypatch):
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", records.url)
    monkeypatch.delenv("OBSERVATORY_USER", raising=False)

    def run(*args: str):
        return runner.invoke(cli_app, [*args, "-w", str(metrics_ws)])

    return run


def test_metrics_set_needs_an_editor_and_is_audited(cli, people, records):
    anon = cli("metrics", "set", "residents", "300", "--date", "2025-06-30")
    assert anon.exit_code == 2 and "needs a user with the editor role" in anon.output
    viewer = cli("metrics", "set", "residents", "300", "--date", "2025-06-30", "--as", "viewer1")
    assert viewer.exit_code == 2 and "has the viewer role; this change needs editor" in " ".join(viewer.output.split())
    assert _audit(records) == []
    ok = cli("metrics", "set", "residents", "300", "--date", "2025-06-30", "--as", "editor1")
    assert ok.exit_code == 0, ok.output
    log = _audit(records)
    assert len(log) == 1 and log[0]["actor"] == "editor1" and log[0]["after"]["value"] == 300.0
    # a metric fed by the store takes no entered values
    store_fed = cli("metrics", "set", "gigabit-leeds", "90", "--date", "2025-06-30", "--as", "editor1")
    assert store_fed.exit_code == 2 and "takes its values from the store" in " ".join(store_fed.output.split())


def test_import_checks_every_row_first_and_names_the_bad_one(cli, people, records, tmp_path: Path):
    bad = tmp_path / "values.csv"
    bad.write_text("metric_id,date,value,note\nresidents,2025-03-31,250,ok\nresidents,2025-06-31,300,\n")
    result = cli("metrics", "import", str(bad), "--as", "editor1")
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert 'values.csv, row 3, column "date": "2025-06-31" is not a date.' in text and "Traceback" not in text
    assert _audit(records) == []  # nothing half-written: row 2 was good but was not added
    bad.write_text("metric_id,date,value\nscr-live,2025-03-31,5\n")
    result = cli("metrics", "import", str(bad), "--as", "editor1")
    assert result.exit_code == 2 and 'row 2, column "metric_id"' in " ".join(result.output.split())
    bad.write_text("metric_id,date,value\nresidents,2025-03-31,lots\n")
    result = cli("metrics", "import", str(bad), "--as", "editor1")
    assert result.exit_code == 2 and '"lots" is not a number' in result.output

    good = tmp_path / "good.csv"
    good.write_text("metric_id,date,value,note\nresidents,2025-03-31,250,count\nsoc-minutes,2025-03-31,55,\n")
    assert cli("metrics", "import", str(good), "--as", "editor1").exit_code == 0
    assert len(_audit(records)) == 2
    # an export imports again without adding anything
    out = tmp_path / "out.csv"
    assert cli("metrics", "export", str(out)).exit_code == 0
    again = cli("metrics", "import", str(out), "--as", "editor1")
    assert again.exit_code == 0 and "0 values added, 2 already held" in again.output
    assert len(_audit(records)) == 2


@pytest.fixture
def client(records, metrics_ws: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from observatory.web.app import create_app

    application = create_app(metrics_ws / "build" / "observatory.duckdb", metrics_ws)
    application.state.records_url = records.url
    with TestClient(application, raise_server_exceptions=False, follow_redirects=False) as c:
        yield c
    if getattr(application.state, "records", None) is not None:
        application.state.records.dispose()


def test_the_web_form_needs_an_editor_and_its_csrf_token_and_is_audited(client, people, records):
    from tests.records.helpers import sign_in

    form = {"value": "410", "date": "2025-09-30", "note": "quarterly return"}
    visitor = client.post("/metrics/residents/values", data=form)
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/login")
    sign_in(client, "viewer1")
    viewer_token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/metrics/residents/values", data={**form, "csrf_token": viewer_token}).status_code == 403
    client.post("/logout", data={"csrf_token": viewer_token})
    token = sign_in(client, "editor1")
    assert client.post("/metrics/residents/values", data=form).status_code == 403  # no CSRF token
    assert _audit(records) == []
    done = client.post("/metrics/residents/values", data={**form, "csrf_token": token})
    assert done.status_code == 303 and done.headers["location"] == "/metrics/residents#values"
    log = _audit(records)
    assert len(log) == 1 and log[0]["actor"] == "editor1" and log[0]["after"]["note"] == "quarterly return"
    page = client.get("/metrics/residents")
    assert page.status_code == 200 and "quarterly return" in page.text and 'id="enter"' in page.text


def test_the_api_takes_a_value_with_an_editors_token(client, people, records):
    from observatory.records.users import issue_token

    with records.session() as s:
        editor, viewer = issue_token(s, "admin1", "editor1"), issue_token(s, "admin1", "viewer1")
    body = {"value": 44, "date": "2025-12-31", "note": "SOC report"}
    assert client.post("/api/v1/metrics/soc-minutes/values", json=body).status_code == 401
    assert client.post("/api/v1/metrics/soc-minutes/values", json=body,
                       headers={"Authorization": f"Bearer {viewer}"}).status_code == 403
    made = client.post("/api/v1/metrics/soc-minutes/values", json=body, headers={"Authorization": f"Bearer {editor}"})
    assert made.status_code == 201 and made.json()["author"] == "editor1"
    got = client.get("/api/v1/metrics/soc-minutes").json()
    # one value, 44 minutes, target 30 by 2030: amber, no trend yet
    assert got["status"] == "amber" and got["latest"] == 44.0 and "one value only" in got["rule"]
    assert len(_audit(records)) == 1


@pytest.mark.parametrize("suffix", [".json", ".zip"])
def test_entered_values_survive_a_records_export_and_import(records, records_url: str, tmp_path: Path, suffix: str,
                                                            request: pytest.FixtureRequest):
    from observatory.records.db import open_records
    from observatory.records.migrate import upgrade
    from observatory.records.transfer import export, import_

    with records.session() as s:
        models.add_value(s, "ann", "residents", 120.5, date(2025, 1, 1), "first count", illustrative=True)
    file = tmp_path / f"records{suffix}"
    export(records, file)
    if records_url.startswith("sqlite"):
        target = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    else:
        target = request.getfixturevalue("pg_cluster").create_database(f"copy_{tmp_path.name[-20:]}".lower())
    upgrade(target)
    copy = open_records(target)
    try:
        import_(copy, file)
        with copy.session() as s:
            got = models.values_for(s, "residents")
    finally:
        copy.dispose()
    # a ZIP carries every cell as text: the value comes back a number all the same
    assert [(v["value"], v["date"], v["illustrative"]) for v in got] == [(120.5, "2025-01-01", True)]


def test_a_new_value_shows_to_the_editor_at_once_and_to_visitors_once_refreshed(client, people, records):
    """At once for the editor (signed in); for a visitor, once the kept answer has been read
    again: until then it is the previous answer, marked as being refreshed (web/cache.py)."""
    import time

    from observatory.records.users import issue_token

    with records.session() as s:
        editor = issue_token(s, "admin1", "editor1")
    before = client.get("/api/v1/metrics/residents").json()
    assert before["status"] == "no data"
    body = {"value": 500, "date": "2025-06-30"}
    assert client.post("/api/v1/metrics/residents/values", json=body,
                       headers={"Authorization": f"Bearer {editor}"}).status_code == 201
    signed_in = client.get("/api/v1/metrics/residents", headers={"Authorization": f"Bearer {editor}"}).json()
    assert signed_in["latest"] == 500.0
    for _ in range(200):
        r = client.get("/api/v1/metrics/residents")
        if r.headers.get("x-observatory-records") != "refreshing":
            break
        assert r.json()["status"] == "no data"  # the previous answer, and said to be so
        time.sleep(0.05)
    after = r.json()
    assert after["latest"] == 500.0 and after["status"] == "amber"  # one value: no trend yet


def test_the_values_csv_round_trip_keeps_full_precision_and_history(records, metrics_ws: Path, tmp_path: Path):
    """An export imported again adds nothing: every digit kept (1,234,567.891, not 1,234,570), and a
    superseded value stays superseded instead of coming back as a new value."""
    from observatory import workspace
    from observatory.errors import InputError
    from observatory.strategy.values_csv import export_csv, import_csv

    config = workspace.load(metrics_ws).metrics
    with records.session() as s:
        models.add_value(s, "ann", "residents", 18262, date(2025, 3, 31))
        models.add_value(s, "bob", "residents", 18500, date(2025, 3, 31), "corrected count")
        models.add_value(s, "ann", "residents", 1234567.891, date(2025, 6, 30))
    with records.session() as s:
        text = export_csv(s)
    assert "1234567.891" in text and "18262" in text and "18500" in text
    path = tmp_path / "values.csv"
    path.write_text(text, encoding="utf-8")
    with records.session() as s:
        outcome = import_csv(s, "carol", path, config)
        current = {v["date"]: v["value"] for v in models.values_for(s, "residents")}
    assert outcome == {"added": 0, "unchanged": 3}
    assert current == {"2025-03-31": 18500.0, "2025-06-30": 1234567.891}
    # a decimal comma is refused with its row and column, never read as fifteen
    path.write_text("metric_id,date,value\nresidents,2025-09-30,\"1,5\"\n", encoding="utf-8")
    with records.session() as s, pytest.raises(InputError) as refused:
        import_csv(s, "carol", path, config)
    assert "row 2" in str(refused.value) and "value" in str(refused.value)
