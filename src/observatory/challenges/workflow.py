"""The editors' workflow: received -> checked -> sent (to the operator, Ofcom or the national
programme) -> conceded, upheld or overturned. An outcome is refused before the challenge was sent,
statuses only move forward, dates never go backwards or into the future, and each step has a due
date from the workspace ([challenges] check_days, operator_days, ofcom_days, programme_days).
Overdue is computed from the due date, never stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..errors import ObservatoryError
from ..workspace.challenges import ChallengesConfig
from .codes import RECIPIENTS

RECEIVED, CHECKED, SENT = "received", "checked", "sent"
OUTCOMES = ("conceded", "upheld", "overturned")
ORDER = (RECEIVED, CHECKED, SENT)
STATUSES = ORDER + OUTCOMES
OUTCOME_WORDS = {
    "conceded": "conceded: the operator accepted the map was wrong",
    "upheld": "upheld: the challenge was found right after the operator disputed it",
    "overturned": "overturned: the published coverage stands",
}


class WorkflowError(ObservatoryError):
    """A status change the workflow does not allow, said in words."""


@dataclass(frozen=True)
class Step:
    status: str
    on: date
    sent_to: str = ""


def check_next(history: list[Step], new: Step, today: date | None = None) -> None:
    """Raise WorkflowError if `new` may not follow `history` (oldest first)."""
    today = today or date.today()
    if new.status not in STATUSES:
        raise WorkflowError(f"Status '{new.status}' is not known. Use one of: {', '.join(STATUSES)}.")
    if new.on > today:
        raise WorkflowError(f"{new.on.isoformat()} is in the future: record a step on the day it happened.")
    if not history:
        if new.status != RECEIVED:
            raise WorkflowError("A challenge starts as received.")
        return
    last = history[-1]
    if new.on < last.on:
        raise WorkflowError(f"'{new.status}' on {new.on.isoformat()} is before the last step ('{last.status}' on "
                            f"{last.on.isoformat()}): dates may not go backwards.")
    if last.status in OUTCOMES:
        raise WorkflowError(f"This challenge is closed ({last.status}); it has no further step.")
    if new.status in OUTCOMES:
        if last.status != SENT:
            raise WorkflowError(f"An outcome ('{new.status}') can only be recorded after the challenge was sent to "
                                f"the operator, Ofcom or the national programme; it is {last.status}.")
        return
    if new.status == SENT and new.sent_to not in RECIPIENTS:
        raise WorkflowError(f"Say who it was sent to: one of {', '.join(RECIPIENTS)}.")
    if ORDER.index(new.status) != ORDER.index(last.status) + 1:
        want = ORDER[ORDER.index(last.status) + 1] if last.status in ORDER[:-1] else "an outcome"
        raise WorkflowError(f"'{new.status}' cannot follow '{last.status}': the next step is {want} "
                            f"({' -> '.join(ORDER)} -> {' / '.join(OUTCOMES)}).")


def due_on(last: Step, cfg: ChallengesConfig) -> date | None:
    """When the next step is due: checking within check_days of receipt, sending within check_days of
    the check, an answer within the recipient's days of sending; none once closed."""
    if last.status in (RECEIVED, CHECKED):
        return last.on + timedelta(days=cfg.check_days)
    if last.status == SENT:
        return last.on + timedelta(days=cfg.days_for(last.sent_to))
    return None


def is_overdue(due: date | None, today: date) -> bool:
    return due is not None and due < today
