"""What the web app, the API and the report share: the register read once per change (every
write is audited, so the newest audit id is the register's version) and the reach coverage for
a store, register version and distance (backbone.coverage_for)."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select

from ..records.audit import AuditEntry
from ..records.db import Records
from . import backbone, models

_sites: dict[tuple[str, Any], list[dict[str, Any]]] = {}
_lock = threading.Lock()


def version(records: Records) -> tuple[int, int]:
    with records.session() as s:
        audit = s.scalar(select(func.max(AuditEntry.id))) or 0
        return audit, models.count_sites(s)


def sites(records: Records) -> tuple[tuple[int, int], list[dict[str, Any]]]:
    """The register's version and every site with its history (cached until the next write)."""
    v = version(records)
    key = (records.url, v)
    with _lock:
        hit = _sites.get(key)
    if hit is None:
        with records.session() as s:
            hit = models.list_sites(s)
        with _lock:
            _sites.clear()
            _sites[key] = hit
    return v, hit


def coverage(records: Records, premises, distance_m: float) -> backbone.Coverage:  # noqa: ANN001
    v, rows = sites(records)
    return backbone.coverage_for(premises, (records.url, v), lambda: rows, distance_m)
