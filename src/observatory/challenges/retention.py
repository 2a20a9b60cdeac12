"""Erasing personal data after the retention period ([challenges] retention_days): the contact
details, the evidence text and the evidence file of every challenge whose last step is older than
the period. The challenge itself (postcode, type, what was claimed and found, its steps) is kept,
so the counts and the annual update still add up. Each erasure is audited (which fields held data,
never their content), in the same transaction; the files are removed once it has committed."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..records.audit import record_change
from ..records.db import Records
from ..records.users import now
from ..workspace.challenges import ChallengesConfig
from . import evidence
from .models import ENTITY, PERSONAL, Challenge

ERASED_FIELDS = (*PERSONAL, "evidence_file")


def _held(c: Challenge) -> list[str]:
    return [f for f in ERASED_FIELDS if getattr(c, f)]


def due(session: Session, cfg: ChallengesConfig, today: date) -> list[Challenge]:
    """Challenges holding personal data whose last step is older than the retention period."""
    cutoff = today - timedelta(days=cfg.retention_days)
    rows = session.scalars(select(Challenge).where(Challenge.status_on < cutoff).order_by(Challenge.id))
    return [c for c in rows if _held(c)]


def erase(records: Records, actor: str, cfg: ChallengesConfig, root: Path, today: date | None = None,
          dry_run: bool = False) -> dict[str, Any]:
    """Erase (or with `dry_run` only list) the personal data past the retention period."""
    today = today or date.today()
    files: list[str] = []
    ids: list[int] = []
    with records.session() as s:
        for c in due(s, cfg, today):
            ids.append(c.id)
            if dry_run:
                continue
            held = _held(c)
            if c.evidence_file:
                files.append(c.evidence_file)
            for f in PERSONAL:
                setattr(c, f, "")
            c.evidence_file, c.evidence_type, c.evidence_bytes = "", "", 0
            c.erased_at = now()
            record_change(s, actor, ENTITY, c.id, "erase", {"fields_holding_data": held},
                          {"erased_on": today, "retention_days": cfg.retention_days, "last_step_on": c.status_on})
    folder = cfg.evidence_dir(root)
    removed = sum(evidence.remove(folder, f) for f in files)
    return {"challenges": ids, "erased": 0 if dry_run else len(ids), "files_removed": removed,
            "retention_days": cfg.retention_days, "dry_run": dry_run,
            "cutoff": (today - timedelta(days=cfg.retention_days)).isoformat()}
