"""The Shared Care Record access register: which provider organisations can see which parts of
the record, on what basis, and whether their access is live, being set up or planned."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .db import Base
from .users import now

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
