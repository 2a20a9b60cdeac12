"""Coverage challenges in the records database: one row per challenge, its steps as rows appended
by the workflow, and the public form's submissions per client (for the rate limit).

Personal data (the contact details, the evidence text and file) is kept on the challenge row only,
never in the audit log (which cannot be rewritten, and so could never be erased): the log records
that contact details or evidence were given, not what they were. Only editors read them
(`challenge_dict(personal=True)`); retention.py erases them after the workspace's period.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    delete,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..errors import NotFoundError
from ..records.audit import record_change
from ..records.db import Base
from ..records.users import now
from ..workspace.challenges import ChallengesConfig
from . import workflow
from .codes import BY_CODE, label
from .workflow import OUTCOME_WORDS, Step

ENTITY = "challenge"
PERSONAL = ("contact_name", "contact_email", "contact_phone", "evidence_text", "evidence_name")


class Challenge(Base):
    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    postcode: Mapped[str] = mapped_column(String(10), index=True)
    oa_code: Mapped[str] = mapped_column(String(12), default="", index=True)
    lsoa_code: Mapped[str] = mapped_column(String(12), default="")
    ward_code: Mapped[str] = mapped_column(String(12), default="")
    district_code: Mapped[str] = mapped_column(String(12), default="", index=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    code: Mapped[str] = mapped_column(String(40))
    claimed: Mapped[str] = mapped_column(String(300), default="")
    found: Mapped[str] = mapped_column(Text, default="")
    published_gigabit: Mapped[float | None] = mapped_column(Float, nullable=True)
    published_release: Mapped[str] = mapped_column(String(7), default="")
    evidence_text: Mapped[str] = mapped_column(Text, default="")
    evidence_file: Mapped[str] = mapped_column(String(80), default="")
    evidence_name: Mapped[str] = mapped_column(String(200), default="")
    evidence_type: Mapped[str] = mapped_column(String(60), default="")
    evidence_bytes: Mapped[int] = mapped_column(Integer, default=0)
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=workflow.RECEIVED, index=True)
    sent_to: Mapped[str] = mapped_column(String(40), default="")
    received_on: Mapped[date] = mapped_column(Date)
    status_on: Mapped[date] = mapped_column(Date)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class ChallengeStep(Base):
    __tablename__ = "challenge_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    date: Mapped[date] = mapped_column(Date)
    sent_to: Mapped[str] = mapped_column(String(40), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class ChallengeIntake(Base):
    """One row per report the public form accepted, by client (a SHA-256 of its address, never the
    address), kept only as long as the rate limit's window."""

    __tablename__ = "challenge_intake"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=now)


# --- reading -------------------------------------------------------------------------------

def step_dict(s: ChallengeStep) -> dict[str, Any]:
    return {"status": s.status, "date": s.date.isoformat(), "sent_to": s.sent_to, "note": s.note,
            "author": s.author, "recorded_at": s.recorded_at.isoformat(timespec="seconds")}


def reference(challenge_id: int) -> str:
    """What a resident quotes: 'CH-00042'."""
    return f"CH-{challenge_id:05d}"


def challenge_dict(c: Challenge, steps: list[ChallengeStep], cfg: ChallengesConfig, today: date,
                   personal: bool = False) -> dict[str, Any]:
    last = Step(c.status, c.status_on, c.sent_to)
    due = workflow.due_on(last, cfg)
    sent = next((s for s in steps if s.status == workflow.SENT), None)
    closed = c.status in workflow.OUTCOMES
    out: dict[str, Any] = {
        "id": c.id, "reference": reference(c.id), "postcode": c.postcode, "oa_code": c.oa_code,
        "lsoa_code": c.lsoa_code, "ward_code": c.ward_code, "district_code": c.district_code,
        "lon": c.lon, "lat": c.lat, "type": c.code, "type_label": label(c.code),
        "fcc_code": BY_CODE[c.code].fcc if c.code in BY_CODE else None,
        "claimed": c.claimed, "found": c.found,
        "published_gigabit": c.published_gigabit, "published_release": c.published_release,
        "status": c.status, "status_date": c.status_on.isoformat(), "sent_to": c.sent_to,
        "received_on": c.received_on.isoformat(), "sent_on": sent.date.isoformat() if sent else None,
        "outcome": c.status if closed else None, "outcome_words": OUTCOME_WORDS.get(c.status),
        "outcome_on": c.status_on.isoformat() if closed else None,
        "days_to_answer": (c.status_on - sent.date).days if closed and sent else None,
        "due_on": due.isoformat() if due else None, "overdue": workflow.is_overdue(due, today),
        "has_evidence_file": bool(c.evidence_file), "has_contact": bool(c.contact_email or c.contact_phone),
        "erased": c.erased_at is not None, "erased_at": c.erased_at.isoformat(timespec="seconds") if c.erased_at else None,
        "illustrative": c.illustrative,
        "steps": [step_dict(s) for s in steps],
    }
    if personal:
        out.update(contact_name=c.contact_name, contact_email=c.contact_email, contact_phone=c.contact_phone,
                   evidence_text=c.evidence_text, evidence_name=c.evidence_name, evidence_type=c.evidence_type,
                   evidence_bytes=c.evidence_bytes, consent=c.consent)
    return out


def _steps(session: Session, challenge_id: int | None = None) -> dict[int, list[ChallengeStep]]:
    query = select(ChallengeStep).order_by(ChallengeStep.challenge_id, ChallengeStep.id)
    if challenge_id is not None:
        query = query.where(ChallengeStep.challenge_id == challenge_id)
    out: dict[int, list[ChallengeStep]] = {}
    for s in session.scalars(query):
        out.setdefault(s.challenge_id, []).append(s)
    return out


def list_challenges(session: Session, cfg: ChallengesConfig, today: date | None = None, *, personal: bool = False,
                    status: str | None = None, overdue: bool | None = None) -> list[dict[str, Any]]:
    """Every challenge, newest first; optionally one status, or only overdue ones."""
    if status is not None and status not in workflow.STATUSES:
        raise workflow.WorkflowError(f"Status '{status}' is not known. Use one of: {', '.join(workflow.STATUSES)}.")
    today = today or date.today()
    steps = _steps(session)
    query = select(Challenge).order_by(Challenge.id.desc())
    if status is not None:
        query = query.where(Challenge.status == status)
    rows = [challenge_dict(c, steps.get(c.id, []), cfg, today, personal) for c in session.scalars(query)]
    return [r for r in rows if overdue is None or r["overdue"] == overdue]


def row_of(session: Session, challenge_id: int, lock: bool = False) -> Challenge:
    query = select(Challenge).where(Challenge.id == challenge_id)
    c = session.scalar(query.with_for_update() if lock else query)
    if c is None:
        raise NotFoundError(f"No challenge {reference(challenge_id)} (number {challenge_id}).")
    return c


def get_challenge(session: Session, challenge_id: int, cfg: ChallengesConfig, today: date | None = None,
                  personal: bool = False) -> dict[str, Any]:
    c = row_of(session, challenge_id)
    return challenge_dict(c, _steps(session, c.id).get(c.id, []), cfg, today or date.today(), personal)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Challenge)) or 0


def is_illustrative(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Challenge).where(Challenge.illustrative.is_(True))))


# --- changing ------------------------------------------------------------------------------

def _audited(c: Challenge) -> dict[str, Any]:
    """What the audit log may hold about a challenge: no contact details or evidence, only
    whether they were given."""
    return {"postcode": c.postcode, "type": c.code, "claimed": c.claimed, "status": c.status,
            "status_on": c.status_on, "sent_to": c.sent_to, "contact_given": bool(c.contact_email or c.contact_phone),
            "evidence_text_given": bool(c.evidence_text), "evidence_file_given": bool(c.evidence_file),
            "consent": c.consent, "illustrative": c.illustrative}


def client_key(client: str) -> str:
    return hashlib.sha256(("observatory-challenges:" + client).encode("utf-8")).hexdigest()


def recent_from(session: Session, client: str, cfg: ChallengesConfig, at: datetime | None = None) -> int:
    """Reports this client made within the rate limit's window (older rows are removed)."""
    at = at or now()
    since = at - timedelta(minutes=cfg.rate_window_minutes)
    session.execute(delete(ChallengeIntake).where(ChallengeIntake.at < since))
    key = client_key(client)
    return session.scalar(select(func.count()).select_from(ChallengeIntake)
                          .where(ChallengeIntake.client == key, ChallengeIntake.at >= since)) or 0


def add(session: Session, actor: str, *, place: dict[str, Any], code: str, claimed: str, found: str,
        evidence_text: str = "", evidence: dict[str, Any] | None = None, contact_name: str = "",
        contact_email: str = "", contact_phone: str = "", consent: bool = False, received_on: date | None = None,
        illustrative: bool = False, client: str | None = None, status: str | None = None) -> Challenge:
    """A new challenge, received today (or on `received_on`), with its first step; audited without
    the personal data. `client`: the submitting client, counted for the rate limit."""
    on = received_on or date.today()
    ev = evidence or {}
    c = Challenge(postcode=place["postcode"], oa_code=place.get("oa_code", ""), lsoa_code=place.get("lsoa_code", ""),
                  ward_code=place.get("ward_code", ""), district_code=place.get("district_code", ""),
                  lon=place.get("lon"), lat=place.get("lat"), code=code, claimed=claimed, found=found,
                  published_gigabit=place.get("published_gigabit"), published_release=place.get("published_release", ""),
                  evidence_text=evidence_text, evidence_file=ev.get("file", ""), evidence_name=ev.get("name", ""),
                  evidence_type=ev.get("type", ""), evidence_bytes=ev.get("bytes", 0), contact_name=contact_name,
                  contact_email=contact_email, contact_phone=contact_phone, consent=consent,
                  status=workflow.RECEIVED, sent_to="", received_on=on, status_on=on, illustrative=illustrative,
                  created_at=now())
    session.add(c)
    session.flush()
    session.add(ChallengeStep(challenge_id=c.id, status=workflow.RECEIVED, date=on, author=actor, recorded_at=now()))
    if client is not None:
        session.add(ChallengeIntake(client=client_key(client), at=now()))
    record_change(session, actor, ENTITY, c.id, "create", None, _audited(c))
    return c


def set_status(session: Session, actor: str, challenge_id: int, status: str, on: date | None = None,
               sent_to: str = "", note: str = "", today: date | None = None) -> ChallengeStep:
    """Append a workflow step after checking the rules (workflow.check_next); audited. The row is
    locked first, so two editors are checked one after the other."""
    c = row_of(session, challenge_id, lock=True)
    today = today or date.today()
    on = on or today
    history = [Step(s.status, s.date, s.sent_to) for s in _steps(session, c.id).get(c.id, [])]
    sent_to = sent_to if status == workflow.SENT else (c.sent_to if status in workflow.OUTCOMES else "")
    workflow.check_next(history, Step(status, on, sent_to), today)
    before = _audited(c)
    step = ChallengeStep(challenge_id=c.id, status=status, date=on, sent_to=sent_to, note=note.strip(), author=actor,
                         recorded_at=now())
    session.add(step)
    c.status, c.status_on, c.sent_to = status, on, sent_to
    session.flush()
    record_change(session, actor, ENTITY, c.id, "status", before, {**_audited(c), "note": step.note})
    return step
