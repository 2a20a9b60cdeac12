"""What a person types, checked alike by the web forms, the API and the imports: one length limit
per field, no control characters, numbers read one way, one row per record in an import."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from observatory.errors import InputError, ObservatoryError
from observatory.records import actions, csv_io, inputs

from .helpers import sign_in

HEADER = "id,meeting_body,meeting_date,resolution,owner,status\n"


@pytest.mark.parametrize(("text", "value"), [
    ("12500", 12500.0), ("12,500", 12500.0), ("1,234,567.891", 1234567.891), ("-3", -3.0), ("72.5", 72.5),
])
def test_numbers_as_people_write_them(text: str, value: float) -> None:
    assert inputs.number(text) == value


@pytest.mark.parametrize(("text", "said"), [
    ("1,5", "comma that is not a thousands separator. Write decimals with a point (e.g. 1.5)"),
    ("12,50", "comma that is not a thousands separator"),
    ("1.7e308", "too large to be a real figure"),
    ("inf", "is not a number"),
    ("nan", "is not a number"),
    ("1_000", "is not a number"),
    ("twelve", "is not a number"),
])
def test_numbers_that_are_refused_say_why(text: str, said: str) -> None:
    with pytest.raises(ObservatoryError, match=said.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        inputs.number(text, "Premises passed")


def test_a_count_must_be_whole() -> None:
    assert inputs.number("1,200", whole=True) == 1200
    with pytest.raises(ObservatoryError, match="not a whole number"):
        inputs.number("12.5", whole=True)


def _meeting(records) -> None:
    with records.session() as s:
        meeting = actions.find_or_add_meeting(s, "setup", "Board", date(2025, 1, 15))
        actions.create_action(s, "setup", meeting, "Report back")


def test_a_nul_byte_is_refused_by_the_form_with_a_message(web, records, people) -> None:
    token = sign_in(web, "editor1")
    page = web.post("/actions", data={"meeting_body": "Board", "meeting_date": "2025-01-15",
                                      "resolution": "Report\x00 back", "status": "open", "csrf_token": token})
    assert page.status_code < 500
    assert "NUL byte" in page.text
    with records.session() as s:
        assert actions.list_actions(s) == []


def test_a_nul_byte_is_refused_by_the_api_with_a_message(web, records, people) -> None:
    _meeting(records)
    from observatory.records.users import issue_token

    with records.session() as s:
        token = issue_token(s, "admin1", "editor1")
    r = web.post("/api/v1/actions/1/updates", json={"text": "Booked\x00"},
                 headers={"authorization": f"Bearer {token}"})
    assert 400 <= r.status_code < 500
    assert "NUL byte" in r.text


def test_one_length_limit_for_the_form_the_api_and_an_import(web, records, people, tmp_path: Path) -> None:
    _meeting(records)
    limit = inputs.LIMITS["resolution"]
    too_long = "x" * (limit + 1)
    token = sign_in(web, "editor1")
    form = web.post("/actions", data={"meeting_body": "Board", "meeting_date": "2025-01-15",
                                      "resolution": too_long, "status": "open", "csrf_token": token})
    assert form.status_code < 500 and f"at most {limit:,} fit" in form.text
    api = web.patch("/api/v1/actions/1", json={"resolution": too_long}, headers={"x-csrf-token": token})
    assert 400 <= api.status_code < 500 and f"at most {limit:,} fit" in api.text
    f = tmp_path / "actions.csv"
    f.write_text(HEADER + f",Board,2025-01-15,{too_long},Officer,open\n", encoding="utf-8")
    with pytest.raises(InputError) as caught, records.session() as s:
        csv_io.import_actions(s, "ann", f)
    assert f'row 2, column "resolution": The resolution is {limit + 1:,} characters long' in str(caught.value)
    with records.session() as s:
        assert [a["resolution"] for a in actions.list_actions(s)] == ["Report back"]


def test_a_control_character_in_an_import_is_named_by_row_and_column(records, tmp_path: Path) -> None:
    f = tmp_path / "actions.csv"
    f.write_text(HEADER + ",Board,2025-01-15,Fine,Officer,open\n"
                 ",Board,2025-01-15,Ring the \x07bell,Officer,open\n", encoding="utf-8")
    with pytest.raises(InputError) as caught, records.session() as s:
        csv_io.import_actions(s, "ann", f)
    assert 'row 3, column "resolution": The resolution holds the control character U+0007 at character 10' \
        in str(caught.value)


def test_the_same_id_twice_in_one_file_is_refused_naming_both_rows(records, tmp_path: Path) -> None:
    _meeting(records)
    f = tmp_path / "actions.csv"
    f.write_text(HEADER + "1,Board,2025-01-15,Report back,Officer,done\n"
                 ",Board,2025-01-15,A new one,Officer,open\n"
                 "1,Board,2025-01-15,Report back,Director,open\n", encoding="utf-8")
    with pytest.raises(InputError) as caught, records.session() as s:
        csv_io.import_actions(s, "ann", f)
    assert 'the record id "1" appears twice (rows 2 and 4)' in str(caught.value)
    with records.session() as s:
        assert [(a["owner"], a["status"]) for a in actions.list_actions(s)] == [("", "open")]
