"""The editors' workflow as rules: received -> checked -> sent -> an outcome, never an outcome
before the challenge was sent, dates forward only, due dates from the workspace."""

from __future__ import annotations

from datetime import date

import pytest

from observatory.challenges import workflow
from observatory.challenges.workflow import Step, WorkflowError
from observatory.workspace.challenges import ChallengesConfig

TODAY = date(2026, 6, 30)
RECEIVED = [Step("received", date(2026, 6, 1))]


def test_an_outcome_is_refused_before_the_challenge_was_sent() -> None:
    for history in (RECEIVED, RECEIVED + [Step("checked", date(2026, 6, 2))]):
        with pytest.raises(WorkflowError, match="only be recorded after the challenge was sent"):
            workflow.check_next(history, Step("conceded", date(2026, 6, 3)), TODAY)


def test_the_steps_go_in_order_with_a_recipient_and_dates_forward() -> None:
    with pytest.raises(WorkflowError, match="next step is checked"):
        workflow.check_next(RECEIVED, Step("sent", date(2026, 6, 2), "operator"), TODAY)
    checked = RECEIVED + [Step("checked", date(2026, 6, 5))]
    with pytest.raises(WorkflowError, match="Say who it was sent to"):
        workflow.check_next(checked, Step("sent", date(2026, 6, 6)), TODAY)
    with pytest.raises(WorkflowError, match="dates may not go backwards"):
        workflow.check_next(checked, Step("sent", date(2026, 6, 4), "Ofcom"), TODAY)
    with pytest.raises(WorkflowError, match="in the future"):
        workflow.check_next(checked, Step("sent", date(2026, 7, 1), "Ofcom"), TODAY)
    workflow.check_next(checked, Step("sent", date(2026, 6, 6), "Ofcom"), TODAY)
    closed = checked + [Step("sent", date(2026, 6, 6), "Ofcom"), Step("upheld", date(2026, 6, 20), "Ofcom")]
    with pytest.raises(WorkflowError, match="closed"):
        workflow.check_next(closed, Step("overturned", date(2026, 6, 21)), TODAY)


def test_due_dates_come_from_the_workspace_and_overdue_is_after_the_due_date() -> None:
    cfg = ChallengesConfig(check_days=10, operator_days=60, ofcom_days=30, programme_days=90)
    assert workflow.due_on(Step("received", date(2026, 6, 1)), cfg) == date(2026, 6, 11)
    # sent to the operator on 1 March: 60 days later is 30 April
    assert workflow.due_on(Step("sent", date(2026, 3, 1), "operator"), cfg) == date(2026, 4, 30)
    assert workflow.due_on(Step("sent", date(2026, 3, 1), "Ofcom"), cfg) == date(2026, 3, 31)
    assert workflow.due_on(Step("conceded", date(2026, 3, 5), "operator"), cfg) is None
    assert not workflow.is_overdue(date(2026, 4, 30), date(2026, 4, 30))
    assert workflow.is_overdue(date(2026, 4, 30), date(2026, 5, 1))


def test_the_workspace_section_is_checked(tmp_path) -> None:
    from observatory.errors import ConfigError
    from observatory.workspace.challenges import parse

    cfg = parse(tmp_path / "observatory.toml", {"retention_days": 30, "operator_days": 45})
    assert cfg.retention_days == 30 and cfg.days_for("operator") == 45
    for bad in ({"retention_days": 0}, {"rate_limit": "5"}, {"unknown": 1}, {"evidence_folder": "/etc"},
                {"evidence_folder": "../elsewhere"}, {"evidence_folder": "build/evidence"}):
        with pytest.raises(ConfigError):
            parse(tmp_path / "observatory.toml", bad)
