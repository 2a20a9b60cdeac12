"""The programme's site register in the records database: one row per site, and its status history
as append-only rows (the database refuses UPDATE and DELETE on them: triggers made by migration
0002_programme). Every write is audited in the same transaction (records.audit.record_change), and
every status change passes the rules of programme.status (forward only, dated, withdrawn with a
reason)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    Row,
    String,
    Text,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..errors import InputError, NotFoundError, ObservatoryError
from ..months import month_end
from ..records.audit import record_change
from ..records.db import Base
from ..records.users import now
from ..records.versions import bump, check
from .status import STATUSES, WITHDRAWN, Change, check_next

KINDS = ("council building", "school", "GP surgery", "hospital", "clinic", "library", "community centre",
         "town hall", "other")
# The three letters in a site id ("WY-SCH-0001") for each kind.
KIND_CODES = {"council building": "CNL", "school": "SCH", "GP surgery": "GPS", "hospital": "HOS",
              "clinic": "CLN", "library": "LIB", "community centre": "COM", "town hall": "TWN", "other": "OTH"}
SITE_ID = re.compile(r"^[A-Z0-9]{1,8}(-[A-Z0-9]{1,8}){1,3}$")

SITE_FIELDS = ("name", "kind", "lat", "lon", "easting", "northing", "postcode", "district_code", "ward_code",
               "supplier", "funding_stream", "notes", "illustrative")
STATUS_TABLE = "programme_site_status"


class Site(Base):
    __tablename__ = "programme_sites"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    easting: Mapped[float | None] = mapped_column(Float, nullable=True)
    northing: Mapped[float | None] = mapped_column(Float, nullable=True)
    postcode: Mapped[str] = mapped_column(String(10), default="")
    district_code: Mapped[str] = mapped_column(String(12), default="", index=True)
    ward_code: Mapped[str] = mapped_column(String(12), default="")
    supplier: Mapped[str] = mapped_column(String(200), default="")
    funding_stream: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    # Raised at every change of the site or its status (records/versions.py).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class SiteStatus(Base):
    __tablename__ = STATUS_TABLE

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("programme_sites.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(80))
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    illustrative: Mapped[bool] = mapped_column(Boolean, default=False)


# Created by migration 0002_programme: the status history cannot be rewritten by any code or role.
# --- reading -------------------------------------------------------------------------------

def change_dict(c: SiteStatus | Row) -> dict[str, Any]:
    return {"status": c.status, "date": c.date.isoformat(), "reason": c.reason, "author": c.author,
            "recorded_at": c.recorded_at.isoformat(timespec="seconds"), "illustrative": c.illustrative}


def site_dict(s: Site | Row, history: list[SiteStatus] | list[Row]) -> dict[str, Any]:
    last = history[-1] if history else None
    return {"id": s.id, "name": s.name, "kind": s.kind, "lat": s.lat, "lon": s.lon, "easting": s.easting,
            "northing": s.northing, "postcode": s.postcode, "district_code": s.district_code,
            "ward_code": s.ward_code, "supplier": s.supplier, "funding_stream": s.funding_stream,
            "notes": s.notes, "illustrative": s.illustrative,
            "status": last.status if last else None, "status_date": last.date.isoformat() if last else None,
            "version": s.version, "history": [change_dict(c) for c in history]}


# The register is read as rows, not as objects the session tracks: nothing read here is changed
# through them, and 1,400 sites with 6,500 status changes read in a fifth of the time (every change
# of a status reads the whole register again, to work out backbone reach).
def _histories(session: Session, site_id: str | None = None) -> dict[str, list[Row]]:
    query = select(SiteStatus.__table__).order_by(SiteStatus.site_id, SiteStatus.id)
    if site_id is not None:
        query = query.where(SiteStatus.site_id == site_id)
    out: dict[str, list[Row]] = {}
    for c in session.execute(query):
        out.setdefault(c.site_id, []).append(c)
    return out


def list_sites(session: Session, status: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
    """Every site with its history, ordered by id; optionally only one current status or kind."""
    if status is not None and status not in STATUSES:
        raise ObservatoryError(f"Status '{status}' is not known. Use one of: {', '.join(STATUSES)}.")
    if kind is not None and kind not in KINDS:
        raise ObservatoryError(f"Kind '{kind}' is not known. Use one of: {', '.join(KINDS)}.")
    histories = _histories(session)
    query = select(Site.__table__).order_by(Site.id)
    if kind is not None:
        query = query.where(Site.kind == kind)
    rows = [site_dict(s, histories.get(s.id, [])) for s in session.execute(query)]
    return [r for r in rows if status is None or r["status"] == status]


def get_site(session: Session, site_id: str) -> dict[str, Any]:
    s = session.get(Site, site_id)
    if s is None:
        raise NotFoundError(f"No programme site '{site_id}'. See `observatory sites list` or /programme.")
    return site_dict(s, _histories(session, site_id).get(site_id, []))


def count_sites(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Site)) or 0


def is_illustrative(session: Session) -> bool:
    """True when any site or status in the register is illustrative (the demo)."""
    return bool(session.scalar(select(func.count()).select_from(Site).where(Site.illustrative.is_(True))))


# --- changing ------------------------------------------------------------------------------

def _plain(s: Site) -> dict[str, Any]:
    return {f: getattr(s, f) for f in SITE_FIELDS}


def check_site_fields(fields: dict[str, Any], where: str = "site") -> None:
    unknown = set(fields) - set(SITE_FIELDS)
    if unknown:
        raise ObservatoryError(f"Unknown site field(s) {', '.join(sorted(unknown))}. Fields: {', '.join(SITE_FIELDS)}.")
    if "kind" in fields and fields["kind"] not in KINDS:
        raise InputError(where, f"kind {fields['kind']!r} is not known.", expected=f"one of: {', '.join(KINDS)}",
                         fix="Use 'other' for anything else.")
    if "name" in fields and not str(fields["name"]).strip():
        raise InputError(where, "a site needs a name.", fix="Give the building's name.")


def add_site(session: Session, actor: str, site_id: str, **fields: Any) -> Site:
    """A new site (no status yet: its first change must be 'planned')."""
    if not SITE_ID.match(site_id):
        raise InputError("site", f"the id {site_id!r} is not a site id.",
                         expected="capital letters and digits in parts joined by '-', e.g. WY-SCH-0001",
                         fix="Give the site an id like WY-SCH-0001.")
    if session.get(Site, site_id) is not None:
        raise InputError("site", f"there is already a site {site_id}.", fix="Use another id, or change that site.")
    check_site_fields(fields, site_id)
    s = Site(id=site_id, **{"postcode": "", "district_code": "", "ward_code": "", "supplier": "",
                            "funding_stream": "", "notes": "", "illustrative": False, **fields}, created_at=now())
    session.add(s)
    session.flush()
    record_change(session, actor, "programme_site", s.id, "create", None, _plain(s))
    return s


def edit_site(session: Session, actor: str, site_id: str, *, seen: int | None = None, **fields: Any) -> Site:
    check_site_fields(fields, site_id)
    s = session.scalar(select(Site).where(Site.id == site_id).with_for_update())
    if s is None:
        raise NotFoundError(f"No programme site '{site_id}'.")
    check(session, s, seen, s.name, "programme_site", site_id)
    before = _plain(s)
    for key, value in fields.items():
        setattr(s, key, value)
    after = _plain(s)
    if after != before:
        bump(s)
        record_change(session, actor, "programme_site", s.id, "edit", before, after)
    return s


def set_status(session: Session, actor: str, site_id: str, status: str, on: date | None = None,
               reason: str = "", illustrative: bool = False, today: date | None = None,
               where: str | None = None, seen: int | None = None) -> SiteStatus:
    """Append a status change to a site's history after checking the rules; audited.

    The site row is locked first (PostgreSQL: SELECT ... FOR UPDATE) so two editors changing one
    site are checked one after the other against the history as the other left it.
    """
    site = session.scalar(select(Site).where(Site.id == site_id).with_for_update())
    if site is None:
        raise NotFoundError(f"No programme site '{site_id}'. See `observatory sites list`.")
    check(session, site, seen, site.name, "programme_site", site_id)
    on = on or date.today()
    if on > (today or date.today()):
        raise InputError(where or site_id, f"{on} is in the future; a status change is recorded when it happens.",
                         expected="a date on or before today", fix="Give the date the change happened.")
    history = _histories(session, site_id).get(site_id, [])
    check_next([Change(c.status, c.date, c.reason) for c in history], Change(status, on, reason or ""),
               where=where or f"site {site_id}")
    change = SiteStatus(site_id=site_id, status=status, date=on, reason=(reason or "").strip(), author=actor,
                        recorded_at=now(), illustrative=illustrative)
    session.add(change)
    bump(site)
    session.flush()
    before = change_dict(history[-1]) if history else None
    record_change(session, actor, "programme_site", site_id, "status", before, change_dict(change))
    return change


def changes(session: Session) -> list[tuple[str, str, date]]:
    """Every status change as (site id, status, date), in the order they were recorded."""
    return [(c.site_id, c.status, c.date) for c in session.scalars(select(SiteStatus).order_by(SiteStatus.id))]


def sites_lit_series(session: Session) -> tuple[list[tuple[date, int]], bool]:
    """Sites lit at the end of each month, from the first site lit to the latest change (a site
    withdrawn after it was lit no longer counts), and whether the register is illustrative: the
    strategy metric "sites lit" reads this (strategy/sources.py)."""
    every = changes(session)
    events = sorted((d, site, status) for site, status, d in every if status in ("lit", WITHDRAWN))
    if not events or not any(status == "lit" for _, _, status in events):
        return [], is_illustrative(session)
    lit: set[str] = set()
    points: list[tuple[date, int]] = []
    first = next(d for d, _, status in events if status == "lit")
    # as of the register's last recorded change of any kind: the date the programme pages give
    last = max(d for _, _, d in every)
    end = month_end(first)
    i = 0
    while True:
        while i < len(events) and events[i][0] <= end:
            _, site, status = events[i]
            (lit.add if status == "lit" else lit.discard)(site)
            i += 1
        points.append((min(end, last), len(lit)))
        if end >= last:
            break
        end = month_end(end + timedelta(days=1))
    return points, is_illustrative(session)


__all__ = ["KINDS", "KIND_CODES", "STATUSES", "WITHDRAWN", "Site", "SiteStatus", "add_site", "edit_site",
           "set_status", "list_sites", "get_site", "count_sites", "is_illustrative", "changes", "sites_lit_series"]
