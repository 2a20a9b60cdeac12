"""The Shared Care Record access register: which provider organisations can see which parts of
the record, on what basis, and whether their access is live, being set up or planned."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..errors import NotFoundError, ObservatoryError
from .audit import record_change
from .db import Base
from .inputs import check_fields as check_texts
from .users import now
from .versions import bump, check

PROVIDER_TYPES = (
    "GP practice", "hospital trust", "community health", "mental health", "social care",
    "hospice", "pharmacy", "ambulance", "other",
)
ACCESS_STATUSES = ("live", "onboarding", "planned")


class RegisterEntry(Base):
    __tablename__ = "scr_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation: Mapped[str] = mapped_column(String(300))
    org_code: Mapped[str] = mapped_column(String(20), default="")
    provider_type: Mapped[str] = mapped_column(String(40))
    parts: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))
    status_date: Mapped[date] = mapped_column(Date)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # records/versions.py


FIELDS = ("organisation", "org_code", "provider_type", "parts", "basis", "status", "status_date")


def entry_dict(e: RegisterEntry) -> dict[str, Any]:
    return {"id": e.id, "organisation": e.organisation, "org_code": e.org_code,
            "provider_type": e.provider_type, "parts": e.parts, "basis": e.basis, "status": e.status,
            "status_date": e.status_date.isoformat(), "illustrative": e.illustrative,
            "updated_at": e.updated_at.isoformat(timespec="seconds"), "version": e.version}


def list_entries(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(RegisterEntry).order_by(RegisterEntry.provider_type, RegisterEntry.organisation))
    return [entry_dict(e) for e in rows]


def get_entry(session: Session, entry_id: int) -> dict[str, Any]:
    e = session.get(RegisterEntry, entry_id)
    if e is None:
        raise NotFoundError(f"No register entry {entry_id}. See /shared-care-record.")
    return entry_dict(e)


def check_fields(fields: dict[str, Any]) -> dict[str, Any]:
    if "provider_type" in fields and fields["provider_type"] not in PROVIDER_TYPES:
        raise ObservatoryError(f"Provider type '{fields['provider_type']}' is not known. "
                               f"Use one of: {', '.join(PROVIDER_TYPES)}.")
    if "status" in fields and fields["status"] not in ACCESS_STATUSES:
        raise ObservatoryError(f"Status '{fields['status']}' is not known. Use {', '.join(ACCESS_STATUSES)}.")
    if "organisation" in fields and not str(fields["organisation"]).strip():
        raise ObservatoryError("An entry needs the provider organisation's name.")
    unknown = set(fields) - set(FIELDS) - {"illustrative"}
    if unknown:
        raise ObservatoryError(f"Unknown field(s) {', '.join(sorted(unknown))}. Fields: {', '.join(FIELDS)}.")
    check_texts(fields)  # lengths, and no control characters
    return fields


def add_entry(session: Session, actor: str, **fields: Any) -> RegisterEntry:
    check_fields(fields)
    e = RegisterEntry(**{"org_code": "", "parts": "", "basis": "", "illustrative": False, **fields},
                      updated_at=now())
    session.add(e)
    session.flush()
    record_change(session, actor, "scr_access", e.id, "create", None, entry_dict(e))
    return e


def edit_entry(session: Session, actor: str, entry_id: int, *, seen: int | None = None,
               **fields: Any) -> RegisterEntry:
    """Change an entry (audited); `seen`: the version the change was made from (versions.check)."""
    check_fields(fields)
    e = session.scalar(select(RegisterEntry).where(RegisterEntry.id == entry_id).with_for_update())
    if e is None:
        raise NotFoundError(f"No register entry {entry_id}. See /shared-care-record.")
    check(session, e, seen, f"the entry for {e.organisation}", "scr_access", entry_id)
    before = entry_dict(e)
    if all(getattr(e, key) == value for key, value in fields.items()):
        return e  # nothing changes: neither saved nor audited
    for key, value in fields.items():
        setattr(e, key, value)
    e.updated_at = now()
    bump(e)
    record_change(session, actor, "scr_access", e.id, "edit", before, entry_dict(e))
    return e


def access_answer(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The board's question, "Which providers can access patient health records?": providers by
    type, live ones counted apart from those still onboarding or planned, with the last change."""
    groups: dict[str, dict[str, Any]] = {}
    for e in entries:
        g = groups.setdefault(e["provider_type"], {"provider_type": e["provider_type"], "live": 0,
                                                    "onboarding": 0, "planned": 0, "providers": []})
        g[e["status"]] += 1
        g["providers"].append(e)
    order = {t: i for i, t in enumerate(PROVIDER_TYPES)}
    ordered = sorted(groups.values(), key=lambda g: order.get(g["provider_type"], len(order)))
    counts = {s: sum(g[s] for g in ordered) for s in ACCESS_STATUSES}
    last = max((max(e["status_date"], e["updated_at"][:10]) for e in entries), default=None)
    return {"question": "Which providers can access patient health records?", "total": len(entries),
            "counts": counts, "groups": ordered, "last_change": last,
            "illustrative": any(e["illustrative"] for e in entries)}
