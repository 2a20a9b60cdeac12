"""Editors move a challenge through the workflow (web form and API), an outcome is refused before
it was sent, overdue items are flagged, the retention job erases personal data and audits it, and
the export matches the records (personal data only for an admin who asks)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

from observatory.challenges import models, retention
from observatory.records import audit
from observatory.workspace.challenges import DEFAULT_EVIDENCE, ChallengesConfig
from tests.records.helpers import csrf_from, sign_in

from .conftest import EMAIL_OF, PNG, send


def _step(web, token: str, status: str, **extra):
    return web.post("/challenges/manage/1/status", data={"status": status, "csrf_token": token, **extra})


def test_an_editor_moves_a_challenge_through_the_workflow_and_an_outcome_needs_it_sent(web, people, records) -> None:
    assert send(web).status_code == 303
    token = sign_in(web, people["viewer"])
    assert _step(web, token, "checked").status_code == 403
    sign_in(web, people["editor"])
    page = web.get("/challenges/manage/1")
    token = csrf_from(page.text)
    refused = _step(web, token, "conceded")
    assert refused.status_code == 400 and "only be recorded after the challenge was sent" in refused.text
    assert _step(web, token, "checked").status_code == 303
    refused = _step(web, token, "upheld")
    assert refused.status_code == 400 and "it is checked" in refused.text
    assert _step(web, token, "sent", sent_to="operator").status_code == 303
    # the API too: an editor's session with its CSRF header
    made = web.post("/api/v1/challenges/1/status", json={"status": "conceded", "note": "Operator corrected the map."},
                    headers={"x-csrf-token": token})
    assert made.status_code == 201, made.text
    one = web.get("/api/v1/challenges/1").json()
    assert [s["status"] for s in one["steps"]] == ["received", "checked", "sent", "conceded"]
    assert one["outcome"] == "conceded" and one["sent_to"] == "operator" and one["days_to_answer"] == 0
    assert one["steps"][-1]["author"] == people["editor"]
    again = web.post("/api/v1/challenges/1/status", json={"status": "overturned"}, headers={"x-csrf-token": token})
    assert again.status_code == 400 and "closed" in again.json()["error"]["message"]


def test_overdue_challenges_are_flagged_from_the_workspace_due_dates(records) -> None:
    cfg = ChallengesConfig(check_days=10, operator_days=60)
    today = date(2026, 6, 30)
    place = {"postcode": "LS1 1AA"}
    with records.session() as s:
        a = models.add(s, "t", place=place, code="speed-not-available", claimed="full fibre", found="x",
                       received_on=date(2026, 6, 25))
        b = models.add(s, "t", place=place, code="speed-not-available", claimed="full fibre", found="x",
                       received_on=date(2026, 3, 1))
        models.set_status(s, "t", b.id, "checked", date(2026, 3, 3), today=today)
        # sent to the operator on 4 March: its answer was due 60 days later, on 3 May
        models.set_status(s, "t", b.id, "sent", date(2026, 3, 4), sent_to="operator", today=today)
        ids = (a.id, b.id)
    with records.session() as s:
        rows = {r["id"]: r for r in models.list_challenges(s, cfg, today)}
        overdue = models.list_challenges(s, cfg, today, overdue=True)
    assert rows[ids[0]]["due_on"] == "2026-07-05" and not rows[ids[0]]["overdue"]
    assert rows[ids[1]]["due_on"] == "2026-05-03" and rows[ids[1]]["overdue"]
    assert [r["id"] for r in overdue] == [ids[1]]


def test_the_retention_job_erases_personal_data_and_audits_it(web, people, records, evidence_root) -> None:
    assert send(web, file=("shot.png", PNG)).status_code == 303
    assert send(web).status_code == 303
    cfg = ChallengesConfig(retention_days=365)
    folder = evidence_root / DEFAULT_EVIDENCE
    assert len(list(folder.iterdir())) == 1
    # nothing is due before the period has passed
    assert retention.erase(records, "admin1", cfg, evidence_root)["erased"] == 0
    later = date.today() + timedelta(days=366)
    listed = retention.erase(records, "admin1", cfg, evidence_root, today=later, dry_run=True)
    assert listed["challenges"] == [1, 2] and listed["erased"] == 0
    done = retention.erase(records, "admin1", cfg, evidence_root, today=later)
    assert done["erased"] == 2 and done["files_removed"] == 1 and list(folder.iterdir()) == []
    with records.session() as s:
        c = models.get_challenge(s, 1, cfg, personal=True)
        trail = audit.history(s, "challenge", 1)
    assert (c["contact_name"], c["contact_email"], c["contact_phone"], c["evidence_text"]) == ("", "", "", "")
    assert c["erased"] and not c["has_evidence_file"]
    assert c["postcode"] == "LS1 1AA" and c["type"] == "technology-not-available"  # the counts still add up
    erased = trail[-1]
    assert erased["action"] == "erase" and erased["actor"] == "admin1"
    assert set(erased["before"]["fields_holding_data"]) >= {"contact_email", "evidence_text", "evidence_file"}
    assert erased["after"]["retention_days"] == 365
    assert EMAIL_OF not in json.dumps(trail)
    # erasing again finds nothing
    assert retention.erase(records, "admin1", cfg, evidence_root, today=later)["erased"] == 0


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_matches_the_records_and_personal_data_needs_an_admin(web, people, records) -> None:
    assert send(web).status_code == 303
    assert send(web, postcode="LS11AA", type="excess-charge", found="=HYPERLINK(\"http://x\")").status_code == 303
    sign_in(web, people["editor"])
    rows = _csv(web.get("/challenges/export").text)
    api = {c["reference"]: c for c in web.get("/api/v1/challenges").json()["challenges"]}
    assert [r["reference"] for r in rows] == ["CH-00001", "CH-00002"]
    for r in rows:
        c = api[r["reference"]]
        assert (r["postcode"], r["type"], r["status"], r["oa_code"], r["district_code"]) == \
            (c["postcode"], c["type"], c["status"], c["oa_code"], c["district_code"])
        assert r["published_gigabit"] == "70.0" and r["fcc_code"] in ("3", "5")
    assert rows[1]["found"] == "'=HYPERLINK(\"http://x\")"  # a spreadsheet runs no cell
    assert "contact_email" not in rows[0]
    refused = web.get("/challenges/export", params={"personal": "yes"})
    assert refused.status_code == 400 and "admin only" in refused.text
    geo = web.get("/api/v1/challenges/export", params={"format": "geojson"}).json()
    assert len(geo["features"]) == 2 and geo["features"][0]["geometry"]["coordinates"] == [-1.55, 53.79]
    sign_in(web, people["admin"])
    full = _csv(web.get("/challenges/export", params={"personal": "yes"}).text)
    assert full[0]["contact_email"] == EMAIL_OF


def test_an_import_adds_reports_checked_first(records, store_path, tmp_path) -> None:
    from observatory.challenges import transfer
    from observatory.errors import BadCells
    from observatory.store import Store

    good = tmp_path / "paper.csv"
    good.write_text("postcode,type,claimed,found,received_on,contact_email\n"
                    "LS1 1AA,order-refused,full fibre,Refused by phone,2026-01-05,bob@example.com\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("postcode,type,claimed,found\nLS1 1AA,order-refused,full fibre,ok\nZZ9 9ZZ,nope,full fibre,x\n",
                   encoding="utf-8")
    with Store(store_path) as store:
        with records.session() as s:
            try:
                transfer.import_csv(s, "editor1", bad, store, 5120)
            except BadCells as exc:
                message = str(exc)
            else:
                raise AssertionError("the bad file was imported")
        assert "row 3" in message and "ZZ9 9ZZ" in message
        with records.session() as s:
            assert models.count(s) == 0  # nothing written when one row is wrong
            assert transfer.import_csv(s, "editor1", good, store, 5120) == {"added": 1, "skipped": 0}
        with records.session() as s:
            c = models.get_challenge(s, 1, ChallengesConfig(), personal=True)
            exported = transfer.export_csv(models.list_challenges(s, ChallengesConfig()))
        assert c["received_on"] == "2026-01-05" and c["contact_email"] == "bob@example.com"
        again = tmp_path / "again.csv"
        again.write_text(exported, encoding="utf-8")
        with records.session() as s:
            assert transfer.import_csv(s, "editor1", again, store, 5120) == {"added": 0, "skipped": 1}
