"""The board's actions log: meetings, the resolutions made at them, who owns each and by when,
and dated updates with their author. Overdue is computed from the due date, never stored."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..errors import NotFoundError, ObservatoryError
from .audit import record_change
from .db import Base
from .inputs import check_fields, check_text
from .users import now
from .versions import bump, check

STATUSES = ("open", "in progress", "done")


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[str] = mapped_column(String(200))
    date: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300), default="")
    source_url: Mapped[str] = mapped_column(String(500), default="")
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)


class Action(Base):
    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    agenda_item: Mapped[str] = mapped_column(String(300), default="")
    resolution: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="open")
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the illustrative flag covers, in words (e.g. "due date and status").
    illustrative_note: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    # Raised at every change: a form or API client says which version it edits (records/versions.py).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class ActionUpdate(Base):
    __tablename__ = "action_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
    author: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)


# --- reading -------------------------------------------------------------------------------

def is_overdue(action: Action, today: date) -> bool:
    """Overdue: not done and its due date has passed (a due date is the last day it may be done)."""
    return action.status != "done" and action.due_date is not None and action.due_date < today


def meeting_dict(m: Meeting) -> dict[str, Any]:
    return {"id": m.id, "body": m.body, "date": m.date.isoformat(), "title": m.title,
            "source_url": m.source_url, "illustrative": m.illustrative}


def update_dict(u: ActionUpdate) -> dict[str, Any]:
    return {"id": u.id, "at": u.at.isoformat(timespec="seconds"), "author": u.author, "text": u.text,
            "status": u.status, "illustrative": u.illustrative}


def action_dict(a: Action, meeting: Meeting, updates: list[ActionUpdate], today: date) -> dict[str, Any]:
    return {
        "id": a.id,
        "meeting": meeting_dict(meeting),
        "agenda_item": a.agenda_item,
        "resolution": a.resolution,
        "owner": a.owner,
        "due_date": a.due_date.isoformat() if a.due_date else None,
        "status": a.status,
        "overdue": is_overdue(a, today),
        "illustrative": a.illustrative,
        "illustrative_note": a.illustrative_note,
        "updated_at": a.updated_at.isoformat(timespec="seconds"),
        "version": a.version,
        "updates": [update_dict(u) for u in updates],
    }


def list_actions(session: Session, today: date | None = None) -> list[dict[str, Any]]:
    today = today or date.today()
    meetings = {m.id: m for m in session.scalars(select(Meeting))}
    updates: dict[int, list[ActionUpdate]] = {}
    for u in session.scalars(select(ActionUpdate).order_by(ActionUpdate.at, ActionUpdate.id)):
        updates.setdefault(u.action_id, []).append(u)
    rows = session.scalars(select(Action).order_by(Action.meeting_id, Action.id))
    return [action_dict(a, meetings[a.meeting_id], updates.get(a.id, []), today) for a in rows]


def get_action(session: Session, action_id: int, today: date | None = None) -> dict[str, Any]:
    a = session.get(Action, action_id)
    if a is None:
        raise NotFoundError(f"No action {action_id}. See the actions log at /actions.")
    updates = list(session.scalars(select(ActionUpdate).where(ActionUpdate.action_id == a.id)
                                   .order_by(ActionUpdate.at, ActionUpdate.id)))
    return action_dict(a, session.get(Meeting, a.meeting_id), updates, today or date.today())


def state_of(action: dict[str, Any]) -> str:
    """One word for where an action stands: done, overdue, in progress or open."""
    if action["status"] == "done":
        return "done"
    return "overdue" if action["overdue"] else action["status"]


def summary(actions: list[dict[str, Any]]) -> dict[str, Any]:
    """What did the board ask for, and has it been done? Counts by state, and by owner."""
    states = ("overdue", "open", "in progress", "done")
    totals = {s: 0 for s in states}
    owners: dict[str, dict[str, Any]] = {}
    for a in actions:
        st = state_of(a)
        totals[st] += 1
        o = owners.setdefault(a["owner"] or "(no owner)", {"owner": a["owner"] or "(no owner)",
                                                           **{s: 0 for s in states}, "actions": []})
        o[st] += 1
        o["actions"].append(a)
    return {"total": len(actions), "by_state": totals,
            "by_owner": sorted(owners.values(), key=lambda o: (-o["overdue"], o["owner"]))}


# --- changing ------------------------------------------------------------------------------

EDITABLE = ("agenda_item", "resolution", "owner", "due_date", "status")
# An import may also move an action to another meeting and change its illustrative marking.
IMPORTABLE = (*EDITABLE, "meeting_id", "illustrative", "illustrative_note")


def _check_status(status: str) -> str:
    if status not in STATUSES:
        raise ObservatoryError(f"Status '{status}' is not known. Use {', '.join(STATUSES)}.")
    return status


def _plain(a: Action) -> dict[str, Any]:
    return {"meeting_id": a.meeting_id, "agenda_item": a.agenda_item, "resolution": a.resolution,
            "owner": a.owner, "due_date": a.due_date, "status": a.status, "illustrative": a.illustrative,
            "illustrative_note": a.illustrative_note}


def find_or_add_meeting(session: Session, actor: str, body: str, on: date, title: str = "",
                        source_url: str = "", illustrative: bool = False) -> Meeting:
    check_fields({"meeting_body": body, "meeting_title": title, "source_url": source_url})
    m = session.scalar(select(Meeting).where(Meeting.body == body, Meeting.date == on, Meeting.title == title))
    if m is None:
        m = Meeting(body=body, date=on, title=title, source_url=source_url, illustrative=illustrative)
        session.add(m)
        session.flush()
        record_change(session, actor, "meeting", m.id, "create", None, meeting_dict(m))
    return m


def create_action(session: Session, actor: str, meeting: Meeting, resolution: str, *, agenda_item: str = "",
                  owner: str = "", due_date: date | None = None, status: str = "open",
                  illustrative: bool = False, illustrative_note: str = "") -> Action:
    if not resolution.strip():
        raise ObservatoryError("An action needs its resolution text.")
    check_fields({"resolution": resolution, "agenda_item": agenda_item, "owner": owner,
                  "illustrative_note": illustrative_note, "status": status})
    a = Action(meeting_id=meeting.id, agenda_item=agenda_item, resolution=resolution.strip(), owner=owner,
               due_date=due_date, status=_check_status(status), illustrative=illustrative,
               illustrative_note=illustrative_note, updated_at=now())
    session.add(a)
    session.flush()
    record_change(session, actor, "action", a.id, "create", None, _plain(a))
    return a


def _locked(session: Session, action_id: int) -> Action:
    """The action, locked for this transaction (PostgreSQL: SELECT ... FOR UPDATE), so two
    people changing it at once are applied one after the other, neither lost."""
    a = session.scalar(select(Action).where(Action.id == action_id).with_for_update())
    if a is None:
        raise NotFoundError(f"No action {action_id}. See the actions log at /actions.")
    return a


def edit_action(session: Session, actor: str, action_id: int, *, editable: tuple[str, ...] = EDITABLE,
                seen: int | None = None, **fields: Any) -> Action:
    """Change an action's fields (audited with every field as it was and as it is now); a change
    that leaves every field as it was is not a change, and is neither saved nor audited. `seen`:
    the version the change was made from; refused (versions.StaleRecord) if it has moved on."""
    a = _locked(session, action_id)
    check(session, a, seen, f"action {action_id}", "action", action_id)
    before = _plain(a)
    for key, value in fields.items():
        if key not in editable:
            raise ObservatoryError(f"'{key}' cannot be changed here. Editable: {', '.join(editable)}.")
        if key == "status":
            _check_status(value)
    check_fields(fields)
    if all(getattr(a, key) == value for key, value in fields.items()):
        return a
    for key, value in fields.items():
        setattr(a, key, value)
    a.updated_at = now()
    bump(a)
    record_change(session, actor, "action", a.id, "edit", before, _plain(a))
    return a


def add_update(session: Session, actor: str, action_id: int, text: str, status: str | None = None,
               at: datetime | None = None, illustrative: bool = False, seen: int | None = None) -> ActionUpdate:
    """A dated update by its author; with a status, the action moves to it. An update that moves
    the status is refused when made from a version someone else has changed since (`seen`): it
    would undo their status. An update of text alone adds to the record and never is."""
    if not text.strip():
        raise ObservatoryError("An update needs some text: what happened, and when.")
    check_text("text", text)
    a = _locked(session, action_id)
    if status:
        check(session, a, seen, f"action {action_id}", "action", action_id)
    before = _plain(a)
    if status:
        a.status = _check_status(status)
    a.updated_at = now()
    bump(a)
    u = ActionUpdate(action_id=a.id, at=at or now(), author=actor, text=text.strip(), status=status or None,
                     illustrative=illustrative)
    session.add(u)
    session.flush()
    record_change(session, actor, "action", a.id, "update", before,
                  {**_plain(a), "update": update_dict(u)})
    return u
