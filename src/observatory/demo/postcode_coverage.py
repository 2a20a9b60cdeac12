"""SYNTHETIC postcode-level percentages: each postcode takes a segment of its output area's
best-to-worst premises line (method step 6 of :mod:`observatory.demo.synthetic_ofcom`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from observatory.demo.oa_coverage import Inputs, OAModel
from observatory.demo.ofcom_schema import (
    ALL,
    B0_2,
    B2_5,
    B5_10,
    B10_30,
    B30_300,
    B300,
    FWA,
    GIGABIT,
    MATCHED,
    NGA,
    SFBB,
    U2,
    U5,
    U10,
    U30,
    UFBB,
    UFBB100,
    USO,
    number_column,
)


def _intervals(c: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray, bool]]:
    """Per OA, each postcode field as an interval of the best-to-worst premises line, as
    fractions of All Premises; the flag says whether the FWA ordering is used."""
    P = np.maximum(c[ALL], 1).astype(float)
    f = {k: c[k] / P for k in c}
    zero = np.zeros_like(P)
    m = f[MATCHED]
    return {
        SFBB: (zero, f[SFBB], False),
        UFBB100: (zero, f[UFBB100], False),
        UFBB: (zero, f[UFBB], False),
        GIGABIT: (zero, f[GIGABIT], False),
        U2: (m - f[U2], m, False),
        U5: (m - f[U5], m, False),
        U10: (m - f[U10], m, False),
        U30: (m - f[U30], m, False),
        USO: (m - f[USO], m, False),
        NGA: (zero, f[NGA], False),
        FWA: (zero, f[FWA], True),
        B30_300: (f[UFBB], f[SFBB], False),
        B300: (zero, f[UFBB], False),
        B0_2: (m - f[U2], m, False),
        B2_5: (m - f[U5], m - f[U2], False),
        B5_10: (m - f[U10], m - f[U5], False),
        B10_30: (f[SFBB], m - f[U10], False),
    }


def _segments(group: np.ndarray, key: np.ndarray, size: np.ndarray):
    """Each row's [a, b) share of its group's line, rows ordered by descending key."""
    order = np.lexsort((np.arange(len(group)), -key, group))
    g, s = group[order], size[order]
    cs = np.cumsum(s)
    start = np.r_[True, g[1:] != g[:-1]]
    grp_id = np.cumsum(start) - 1
    offs = np.r_[0.0, cs][:-1][start]
    tot = np.r_[cs[np.r_[start[1:], True]]] - offs
    b_ = (cs - offs[grp_id]) / tot[grp_id]
    a_ = b_ - s / tot[grp_id]
    a = np.empty(len(group))
    b = np.empty(len(group))
    a[order], b[order] = a_, b_
    return a, b


def postcode_frames(
    inp: Inputs, model: OAModel, rng: np.random.Generator
) -> dict[str, pd.DataFrame]:
    """The postcode tables of every postcode area, all premises (``"all"``) and residential
    (``"res"``), in postcode order."""
    npc = len(inp.pc7)
    n_oa = len(inp.oa_code)
    located = ~np.isnan(inp.pc_x)
    in_oa = inp.pc_oa >= 0
    outward = np.array([p[:4].strip() for p in inp.pc7])
    inward = np.array([p[-3:] for p in inp.pc7])

    # profile OA for every postcode, and the group whose premises line it shares
    profile = inp.pc_oa.copy()
    group = inp.pc_oa.copy()
    outside = located & ~in_oa
    if outside.any():
        rural_ix = np.flatnonzero(model.rural > 0)  # OAs larger than 0.25 km2
        sector = np.char.add(
            np.char.add(outward[outside], " "), np.array([s[0] for s in inward[outside]])
        )
        sec_codes, sec_id = np.unique(sector, return_inverse=True)
        sx = np.bincount(sec_id, inp.pc_x[outside]) / np.bincount(sec_id)
        sy = np.bincount(sec_id, inp.pc_y[outside]) / np.bincount(sec_id)
        d = np.hypot(
            sx[:, None] - inp.oa_x[rural_ix][None, :], sy[:, None] - inp.oa_y[rural_ix][None, :]
        )
        # one of the 25 nearest rural OAs, at random: edge-like without always the most remote
        near = np.argsort(d, axis=1, kind="stable")[:, :25]
        pick = near[np.arange(len(sec_codes)), rng.integers(0, 25, len(sec_codes))]
        profile[outside] = rural_ix[pick][sec_id]
        group[outside] = n_oa + sec_id
    unloc = ~located | (~in_oa & ~outside)
    if unloc.any():
        ref = pd.DataFrame(
            {"outward": outward[in_oa], "area": inp.pc_area[in_oa], "oa": inp.pc_oa[in_oa]}
        )

        def mode_oa(keycol):
            cnt = ref.groupby([keycol, "oa"]).size().rename("n").reset_index()
            cnt = cnt.sort_values([keycol, "n", "oa"], ascending=[True, False, True])
            return cnt.drop_duplicates(keycol).set_index(keycol)["oa"]

        by_outward, by_area = mode_oa("outward"), mode_oa("area")
        prof = pd.Series(outward[unloc]).map(by_outward)
        prof = prof.fillna(pd.Series(inp.pc_area[unloc]).map(by_area))
        profile[unloc] = prof.to_numpy(dtype=np.int64)
        group[unloc] = -1 - np.arange(unloc.sum())  # alone: the whole OA profile

    size = rng.lognormal(2.2, 0.7, npc)
    xx = np.where(located, inp.pc_x, 0.0)
    yy = np.where(located, inp.pc_y, 0.0)
    q = model.fine_field(xx, yy) + 0.6 * rng.normal(0.0, 1.0, npc)
    q_fwa = 0.5 * model.fwa_field(xx, yy) + rng.normal(0.0, 1.0, npc)
    seg = _segments(group, q, size)
    seg_fwa = _segments(group, q_fwa, size)

    frames = {}
    for kind, counts in (("all", model.counts), ("res", model.res_counts)):
        iv = _intervals(counts)
        cols = {}
        for pct in inp.pct_columns:
            lo_oa, hi_oa, use_fwa = iv[number_column(pct)]
            a, b = seg_fwa if use_fwa else seg
            lo, hi = lo_oa[profile], hi_oa[profile]
            ov = np.clip(np.minimum(b, hi) - np.maximum(a, lo), 0.0, None) / (b - a)
            cols[pct] = np.round(100.0 * ov, 1)
        df = pd.DataFrame(
            {
                "postcode": np.char.replace(inp.pc7, " ", ""),
                "postcode_space": np.char.add(np.char.add(outward, " "), inward),
                "postcode area": inp.pc_area,
                **cols,
            }
        )
        frames[kind] = df
    return frames
