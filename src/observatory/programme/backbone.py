"""Backbone reach by area: the share of premises within a distance of a lit site, for each ward,
district and the region, on any date of the register, and the change a scenario ("what if these
sites were lit") would make.

Method: premises are points (premises.py: output-area counts shared over postcodes); a premises
is reached when a lit site lies within the distance in a straight line on the British National
Grid (reach.py). For each site the premises within the distance are found once (a k-d tree over
the premises points), so a date or a scenario is a union of those sets: lit sites on that date,
or lit sites plus the scenario's.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from ..errors import InputError
from .models import KINDS
from .premises import Premises
from .status import ORDER, WITHDRAWN

LEVELS = ("ward", "lad", "region")


@dataclass
class Register:
    """The sites as arrays: id, position, kind, current status, and the date each was lit."""

    ids: list[str]
    xy: np.ndarray  # (n, 2); NaN where a site has no position
    kinds: list[str]
    status: list[str | None]
    lit_on: list[date | None]
    illustrative: bool

    @classmethod
    def of(cls, sites: list[dict[str, Any]]) -> Register:
        xy = np.array([[s["easting"] if s["easting"] is not None else np.nan,
                        s["northing"] if s["northing"] is not None else np.nan] for s in sites], dtype=float)
        lit = [next((date.fromisoformat(c["date"]) for c in s["history"] if c["status"] == "lit"), None) for s in sites]
        return cls([s["id"] for s in sites], xy.reshape(-1, 2), [s["kind"] for s in sites],
                   [s["status"] for s in sites], lit, any(s["illustrative"] for s in sites))

    def lit_mask(self, on: date | None = None) -> np.ndarray:
        return np.array([d is not None and (on is None or d <= on) for d in self.lit_on], dtype=bool)


class Coverage:
    """For one premises set, register and distance: which premises each site reaches."""

    def __init__(self, premises: Premises, register: Register, distance_m: float) -> None:
        self.premises, self.register, self.distance_m = premises, register, float(distance_m)
        located = np.flatnonzero(np.isfinite(register.xy).all(axis=1))
        self.per_site: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * len(register.ids)
        if len(located) and len(premises.xy):
            hits = premises.tree().query_ball_point(register.xy[located], r=self.distance_m)
            for i, h in zip(located, hits, strict=True):
                self.per_site[i] = np.asarray(h, dtype=np.int64)

    def reached(self, sites: np.ndarray) -> np.ndarray:
        """Boolean per premises point: within the distance of any of the sites (a boolean mask)."""
        mask = np.zeros(len(self.premises.count), dtype=bool)
        chosen = [self.per_site[i] for i in np.flatnonzero(sites)]
        if chosen:
            mask[np.concatenate(chosen)] = True
        return mask

    def earliest(self) -> np.ndarray:
        """For each premises point, the first day (ordinal) a lit site reached it (max int if never)."""
        never = np.iinfo(np.int64).max
        first = np.full(len(self.premises.count), never, dtype=np.int64)
        for i, d in enumerate(self.register.lit_on):
            if d is not None and len(self.per_site[i]):
                np.minimum.at(first, self.per_site[i], d.toordinal())
        return first

    def by_area(self, reached: np.ndarray) -> list[dict[str, Any]]:
        return by_area(self.premises, reached)


def by_area(premises: Premises, reached: np.ndarray) -> list[dict[str, Any]]:
    """Premises, premises reached and the share (%) for every ward, district and the region."""
    rows = []
    weights = premises.count
    for level, idx, codes in (("ward", premises.ward, premises.ward_codes), ("lad", premises.lad, premises.lad_codes)):
        ok = idx >= 0
        total = np.bincount(idx[ok], weights=weights[ok], minlength=len(codes))
        within = np.bincount(idx[ok], weights=(weights * reached)[ok], minlength=len(codes))
        for i, code in enumerate(codes):
            rows.append(_row(level, code, premises.names.get(code, code), total[i], within[i]))
    rows.append(_row("region", premises.region_code, premises.names.get(premises.region_code, "Region"),
                     weights.sum(), (weights * reached).sum()))
    return rows


def _row(level: str, code: str, name: str, total: float, within: float) -> dict[str, Any]:
    share = None if total <= 0 else round(100.0 * float(within) / float(total), 1)
    return {"level": level, "code": code, "name": name, "premises": round(float(total), 1),
            "reached": round(float(within), 1), "share": share}


# --- scenarios -----------------------------------------------------------------------------

ALL_PLANNED = ("all planned", "all-planned", "planned")
KIND_PREFIX = re.compile(r"^kind\s*[:=]\s*(.+)$", re.IGNORECASE)


def parse_scenario(text: str, register: Register, where: str = "scenario") -> dict[str, Any]:
    """A scenario written as: 'all planned' (every site not yet lit nor withdrawn), 'kind: school'
    (every such site of a kind), or site ids separated by commas, spaces or lines ('#' starts a
    comment). Returns its description and the sites it lights (a boolean mask)."""
    lines = [ln.split("#", 1)[0].strip() for ln in str(text).splitlines()]
    lines = [ln for ln in lines if ln]
    if not lines:
        raise InputError(where, "the scenario is empty.", expected="'all planned', 'kind: KIND' or site ids",
                         fix="Give site ids as the register lists them, 'all planned' or 'kind: school'.")
    chosen = np.zeros(len(register.ids), dtype=bool)
    parts: list[str] = []
    open_ = np.array([s is not None and s not in ("lit", WITHDRAWN) for s in register.status], dtype=bool)
    index = {sid: i for i, sid in enumerate(register.ids)}
    unknown: list[str] = []
    for line in lines:
        kind = KIND_PREFIX.match(line)
        if line.lower() in ALL_PLANNED:
            chosen |= open_
            parts.append("all sites not yet lit")
        elif kind:
            name = kind.group(1).strip()
            match = next((k for k in KINDS if k.lower() == name.lower()), None)
            if match is None:
                raise InputError(where, f"kind {name!r} is not known.", expected=f"one of: {', '.join(KINDS)}",
                                 fix="Use a kind from the list.")
            chosen |= open_ & np.array([k == match for k in register.kinds], dtype=bool)
            parts.append(f"every {match} not yet lit")
        else:
            ids = [t for t in re.split(r"[\s,;]+", line) if t]
            for sid in ids:
                if sid.upper() in index:
                    chosen[index[sid.upper()]] = True
                else:
                    unknown.append(sid)
            parts.append(", ".join(ids))
    if unknown:
        raise InputError(where, f"no site {', '.join(unknown[:10])}{' ...' if len(unknown) > 10 else ''} in the register.",
                         expected="ids of registered sites, 'all planned' or 'kind: KIND'",
                         fix="Check the ids with `observatory sites list`.")
    return {"description": "; ".join(parts), "sites": chosen}


def scenario(coverage: Coverage, chosen: np.ndarray, on: date | None = None) -> dict[str, Any]:
    """Reach now and with the scenario's sites lit as well, by ward, district and region."""
    lit = coverage.register.lit_mask(on)
    before = coverage.reached(lit)
    after = before | coverage.reached(chosen)
    rows = []
    for b, a in zip(coverage.by_area(before), coverage.by_area(after), strict=True):
        change = None if b["share"] is None else round(a["share"] - b["share"], 1)
        rows.append({**b, "reached_after": a["reached"], "share_after": a["share"], "change": change})
    return {"sites_added": int((chosen & ~lit).sum()), "rows": rows}


def reach_on(coverage: Coverage, on: date | None = None) -> list[dict[str, Any]]:
    return coverage.by_area(coverage.reached(coverage.register.lit_mask(on)))


def reach_series(coverage: Coverage, days: list[date]) -> dict[date, list[dict[str, Any]]]:
    first = coverage.earliest()
    return {d: coverage.by_area(first <= d.toordinal()) for d in days}


# --- a cache for the web app and the API: one Coverage per premises, register version, distance ---

_cache: dict[tuple, Coverage] = {}
_lock = threading.Lock()


def coverage_for(premises: Premises, sites_version: Any, sites_loader, distance_m: float) -> Coverage:  # noqa: ANN001
    key = (id(premises), premises.release, len(premises.count), sites_version, float(distance_m))
    with _lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    cov = Coverage(premises, Register.of(sites_loader()), distance_m)
    with _lock:
        if len(_cache) > 16:
            _cache.clear()
        _cache[key] = cov
    return cov


__all__ = ["Register", "Coverage", "by_area", "parse_scenario", "scenario", "reach_on", "reach_series",
           "coverage_for", "LEVELS", "ORDER"]
