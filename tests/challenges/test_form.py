"""The public form as a resident uses it: no sign-in, a reference at the end; editors then see the
report with its contact details and the public never does; over-limit reports, oversized or
executable files, bad postcodes and bots are refused with a message and nothing is stored; a
refused form keeps what was typed."""

from __future__ import annotations

from pathlib import Path

from observatory.workspace.challenges import DEFAULT_EVIDENCE
from tests.records.helpers import sign_in

from .conftest import GOOD, PNG, send, stored

EMAIL = GOOD["contact_email"]


def _files(root: Path) -> list[Path]:
    folder = root / DEFAULT_EVIDENCE
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_report_made_without_signing_in_reaches_editors_but_never_the_public(web, people, records,
                                                                               evidence_root) -> None:
    done = send(web, file=("screenshot.png", PNG))
    assert done.status_code == 303 and done.headers["location"] == "/challenges/report/done?ref=CH-00001"
    assert "CH-00001" in web.get(done.headers["location"]).text
    # the file is kept under the workspace, not under the web root, readable by its owner only
    [kept] = _files(evidence_root)
    assert kept.read_bytes() == PNG and kept.stat().st_mode & 0o077 == 0
    assert "observatory/web" not in str(kept)

    # the public: counts only (one report is below the threshold of 3), never the contact details
    for path in ("/challenges", "/challenges.json", "/api/v1/challenges/summary",
                 "/api/v1/challenges/areas/E05001420?level=ward"):
        page = web.get(path)
        assert page.status_code == 200, path
        assert EMAIL not in page.text and "Ann Example" not in page.text and "screenshot kept" not in page.text
    assert web.get("/api/v1/challenges/summary").json()["total"] is None  # fewer than 3
    assert "fewer than 3" in web.get("/challenges").text
    for path in ("/challenges/manage", "/challenges/manage/1", "/api/v1/challenges/1", "/challenges/export",
                 "/challenges/manage/1/evidence"):
        assert web.get(path).status_code in (303, 401), path  # a visitor is sent to sign in

    # a viewer may not read them either
    sign_in(web, people["viewer"])
    assert web.get("/challenges/manage/1").status_code == 403
    assert web.get("/api/v1/challenges/1").status_code == 403

    # an editor sees the report, its contact details and its evidence
    sign_in(web, people["editor"])
    listed = web.get("/challenges/manage")
    assert listed.status_code == 200 and "CH-00001" in listed.text and "LS1 1AA" in listed.text
    one = web.get("/challenges/manage/1")
    assert EMAIL in one.text and "0113 496 0000" in one.text and "screenshot kept" in one.text
    api = web.get("/api/v1/challenges/1").json()
    assert api["contact_email"] == EMAIL and api["postcode"] == "LS1 1AA" and api["status"] == "received"
    # placed by the postcode list: its output area, ward and district, and the published figure (70%)
    assert (api["oa_code"], api["ward_code"], api["district_code"]) == ("E000500000", "E05001420", "E08000035")
    assert api["published_gigabit"] == 70.0
    download = web.get("/challenges/manage/1/evidence")
    assert download.status_code == 200 and download.content == PNG
    assert download.headers["content-disposition"].startswith("attachment")
    # the editors' list in the API carries no personal data
    assert EMAIL not in web.get("/api/v1/challenges").text


def test_the_audit_log_records_a_report_without_its_personal_data(web, people, records) -> None:
    from observatory.records import audit

    assert send(web).status_code == 303
    with records.session() as s:
        [entry] = audit.history(s, "challenge", 1)
    assert entry["actor"] == "public form" and entry["after"]["contact_given"] is True
    assert EMAIL not in str(entry) and "Ann Example" not in str(entry)


def test_over_the_limit_a_client_is_refused_and_nothing_is_stored(web, records) -> None:
    for _ in range(5):  # the default limit: 5 reports an hour per client
        assert send(web).status_code == 303
    refused = send(web, found="A sixth report.")
    assert refused.status_code == 429
    assert "the most the form takes" in refused.text
    assert "A sixth report." in refused.text  # what was typed is kept
    assert stored(records) == 5


def test_bad_postcodes_are_refused_with_a_message_keeping_the_input(web, records) -> None:
    for postcode, says in (("not a postcode", "is not a postcode"), ("BD1 1ZZ", "BD1 1ZZ is not in this observatory"),
                           ("", "Enter the postcode")):
        page = send(web, postcode=postcode, found="Only 12 Mbit/s offered.")
        assert page.status_code == 400, postcode
        assert says in page.text and 'class="govuk-error-summary"' in page.text
        assert "Only 12 Mbit/s offered." in page.text and 'value="ann@example.com"' in page.text
    assert stored(records) == 0


def test_oversized_and_executable_files_are_refused_and_nothing_is_stored(web, records, evidence_root) -> None:
    cases = [
        ("big.png", PNG + b"\x00" * (5 * 1024 * 1024), "the largest accepted is 5.0 MB"),
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100, "a program, script"),
        ("photo.png", b"MZ\x90\x00" + b"\x00" * 100, "a program, script"),  # renamed: the content decides
        ("run.sh", b"#!/bin/sh\nrm -rf /\n", "a program, script"),
        ("page.txt", b"<html><script>alert(1)</script></html>", "web page or a script"),
        ("form.pdf", b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>", "scripts"),
        ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>", "is not a PDF"),
        ("notes.docx", b"PK\x03\x04" + b"\x00" * 50, "a program, script, archive or office file"),
        ("photo.jpg", PNG, "Rename it to end .png"),
    ]
    for name, data, says in cases:
        page = send(web, file=(name, data))
        assert page.status_code == 400, name
        assert says in page.text, name
        assert "The operator&#39;s checker says" in page.text or "The operator's checker says" in page.text
    assert stored(records) == 0 and _files(evidence_root) == []
    # a plain text file and a clean PDF are fine
    assert send(web, file=("notes.txt", "Called on 3 March: “no fibre here”.".encode())).status_code == 303
    assert send(web, file=("letter.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF")).status_code == 303
    assert stored(records) == 2 and len(_files(evidence_root)) == 2


def test_a_body_over_the_limit_is_refused_before_it_is_read(web, records) -> None:
    from .conftest import form_token

    token = form_token(web)
    big = web.post("/challenges/report", data={"csrf_token": token}, headers={"content-length": str(60 * 1024 * 1024)},
                   content=b"")
    assert big.status_code == 413 and "the largest accepted" in big.text
    assert stored(records) == 0


def test_the_honeypot_thanks_a_bot_and_stores_nothing(web, records) -> None:
    sent = send(web, website="http://spam.example")
    assert sent.status_code == 303 and "ref=" not in sent.headers["location"]
    assert stored(records) == 0


def test_the_form_needs_its_security_token_and_consent(web, records) -> None:
    assert send(web, token="forged").status_code == 403
    page = send(web, consent=None)
    assert page.status_code == 400 and "Tick the box to agree to the privacy notice" in page.text
    page = send(web, type="made-up", contact_email="not an email", found="")
    assert page.status_code == 400
    for says in ("Choose what went wrong", "Enter an email address", "Say what you found"):
        assert says in page.text
    assert stored(records) == 0


def test_public_counts_are_suppressed_below_the_threshold_and_shown_from_it(web, records) -> None:
    area = "/api/v1/challenges/areas/E05001420?level=ward"
    for n in (1, 2):
        assert send(web, found=f"Report {n}").status_code == 303
        shown = web.get(area).json()
        assert shown["count"] is None and shown["count_words"] == "fewer than 3"
        assert web.get("/api/v1/challenges/summary").json()["areas"]["postcode"] == []
    assert send(web, type="speed-not-available").status_code == 303
    assert web.get(area).json()["count"] == 3
    summary = web.get("/api/v1/challenges/summary").json()
    assert summary["total"] == 3
    [row] = summary["areas"]["postcode"]
    assert (row["code"], row["count"], row["open"], row["published_gigabit"]) == ("LS1 1AA", 3, 3, 70.0)
    by_type = {t["type"]: t["count"] for t in summary["by_type"]}
    # two of one type and one of another: each below 3, so neither is shown exactly; none is 0
    assert by_type["technology-not-available"] is None and by_type["speed-not-available"] is None
    assert by_type["excess-charge"] == 0
    assert summary["headline_postcodes"] is None  # LS1 1AA shows 70%, not 100%
    assert [r["code"] for r in summary["areas"]["lad"]] == ["E08000035"]
    assert web.get("/challenges/report", params={"postcode": "ls11aa"}).text.count('value="LS1 1AA"') == 1
