"""Integer allocation with exact totals: share a whole count out over areas within per-area caps."""

from __future__ import annotations

import numpy as np


def _expit(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))


def allocate(total: int, caps: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Integers ``x`` with ``0 <= x <= caps`` and ``x.sum() == total``, close to ``weights``.

    Capped proportional allocation: ``min(cap, lam * weight)`` with ``lam`` found by bisection
    (water-filling), then floors plus largest remainder (ties by position) among areas below cap.
    """
    total = int(total)
    caps = np.asarray(caps, dtype=np.int64)
    if total < 0 or total > int(caps.sum()):
        raise ValueError(f"cannot allocate {total} within caps summing to {int(caps.sum())}")
    out = np.zeros(len(caps), dtype=np.int64)
    if total == 0:
        return out
    w = np.asarray(weights, dtype=float)
    wmax = float(w[caps > 0].max()) if (caps > 0).any() else 1.0
    w = np.where(caps > 0, np.maximum(w, 1e-12 * max(wmax, 1e-300)), 0.0)
    hi = 1.0 / max(float(w.sum()), 1e-300) * total
    while np.minimum(caps, hi * w).sum() < total:
        hi *= 2.0
    lo = 0.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if np.minimum(caps, mid * w).sum() < total:
            lo = mid
        else:
            hi = mid
    x = np.minimum(caps, hi * w)
    out = np.minimum(np.floor(x), caps).astype(np.int64)
    frac = x - out
    rem = total - int(out.sum())
    if rem > 0:
        elig = np.flatnonzero(out < caps)
        pick = elig[np.lexsort((elig, -frac[elig]))][:rem]
        out[pick] += 1
    elif rem < 0:
        elig = np.flatnonzero(out > 0)
        pick = elig[np.lexsort((elig, frac[elig]))][:-rem]
        out[pick] -= 1
    assert int(out.sum()) == total and (out <= caps).all() and (out >= 0).all()
    return out


def allocate_logistic(total: int, caps: np.ndarray, score: np.ndarray, k: float) -> np.ndarray:
    """:func:`allocate` with weights ``cap * logistic(k * (score - t))``, ``t`` set so they sum
    to ``total``: high-score areas fill up (towards all-or-nothing), low-score areas get little."""
    caps = np.asarray(caps, dtype=np.int64)
    if total <= 0 or caps.sum() <= 0:
        return allocate(total, caps, caps.astype(float))
    s = k * np.asarray(score, dtype=float)
    lo, hi = float(s.min()) - 60.0, float(s.max()) + 60.0
    for _ in range(80):  # larger t -> smaller sum
        t = 0.5 * (lo + hi)
        if (caps * _expit(s - t)).sum() > total:
            lo = t
        else:
            hi = t
    return allocate(total, caps, caps * _expit(s - 0.5 * (lo + hi)))
