"""Ranks within the comparison area, and what the priority list rests on (illustrative inputs and
each input domain left out), against figures worked out in the test from the inputs."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from observatory.inclusion.priority import view

pytestmark = pytest.mark.slow


def _wards_per_district(model) -> dict[str, set[str]]:
    """From the ONS LSOA -> ward -> district lookup file the workspace names (the input)."""
    out: dict[str, set[str]] = {}
    with open(model.cfg.wards, encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["LAD24CD"], set()).add(row["WD24CD"])
    return out


def test_compared_within_each_district_ranks_of_n_wards_in_that_district(model):
    wards = _wards_per_district(model)
    data = view(model.compute("ward", "lad"))
    by_district: dict[str, list[dict]] = {}
    for a in data["areas"]:
        by_district.setdefault(a["district"], []).append(a)
    assert set(by_district) == set(wards)
    for lad, areas in by_district.items():
        n = len(wards[lad])
        place = model.raw.lad_names[lad]
        assert len(areas) == n
        assert sorted(a["rank"] for a in areas) == list(range(1, n + 1))
        assert all(a["of"] == n and a["rank_text"] == f"rank {a['rank']} of {n} wards in {place}" for a in areas)
        # each district's top 10% (rounded up) are its high-risk wards
        assert sum(a["high_risk"] for a in areas) == math.ceil(n / 10)
        top = sorted(areas, key=lambda a: -a["index"])[:math.ceil(n / 10)]
        assert all(a["high_risk"] for a in top)


def test_compared_within_the_region_ranks_of_all_its_wards(model):
    data = view(model.compute("ward", "ca"))
    n = sum(len(w) for w in _wards_per_district(model).values())
    assert all(a["rank_text"].endswith(f"of {n} wards in {model.ws.region_name}") for a in data["areas"])


def _index(scores, iw, of, cw):
    """The published formula, written out: weighted means of the 0-10 scores into components
    (inputs without a figure left out), then of the components."""
    out = np.full(len(scores), np.nan)
    for a, s in enumerate(scores):
        num = den = 0.0
        for c, w_c in enumerate(cw):
            cols = [j for j in range(len(iw)) if of[j] == c and iw[j] > 0 and not np.isnan(s[j])]
            if w_c > 0 and cols:
                num += w_c * sum(iw[j] * s[j] for j in cols) / sum(iw[j] for j in cols)
                den += w_c
        if den:
            out[a] = num / den
    return out


def _high(index):
    order = sorted(range(len(index)), key=lambda a: -index[a])
    return set(order[:math.ceil(len(index) / 10)]), {a: k + 1 for k, a in enumerate(order)}


def test_left_out_domains_and_illustrative_inputs_by_hand(model):
    r = model.compute("ward", "ca")
    data = view(r)
    scores = r.scaled.scores
    iw = np.array([i.weight for i in model.cfg.indicators])
    comps = model.cfg.component_names
    of = np.array([comps.index(i.component) for i in model.cfg.indicators])
    cw = np.array([model.cfg.components[c] for c in comps])
    high, _ = _high(_index(scores, iw, of, cw))
    code = {a: str(c) for a, c in enumerate(r.data.codes)}
    rows = {a["code"]: a for a in data["areas"]}
    assert {code[a] for a in high} == {c for c, a in rows.items() if a["high_risk"]}

    for k, name in enumerate(comps):
        without, rank = _high(_index(scores, iw, of, np.where(np.arange(len(cw)) == k, 0.0, cw)))
        for a in range(len(scores)):
            assert rows[code[a]]["rank_without"][name] == rank[a]
        leave = len(high - without)
        assert next(d for d in data["rests_on"]["domains"] if d["domain"] == name)["leave"] == leave

    synthetic = np.array([p["synthetic"] for p in model.raw.provenance])
    assert synthetic.any()  # the demo's small-area broadband figures
    without, rank = _high(_index(scores, np.where(synthetic, 0.0, iw), of, cw))
    leave = high - without
    no_hub = {a for a in high if rows[code[a]]["hubs_within"] == 0}
    rests = data["rests_on"]
    assert (rests["high_risk"], rests["leave_without_illustrative"]) == (len(high), len(leave))
    assert (rests["high_risk_no_hub"], rests["no_hub_leave_without_illustrative"]) == (len(no_hub), len(no_hub - without))
    assert rests["text"].startswith(f"{len(leave)} of the {len(high)} high-risk wards would leave the list without the "
                                    "illustrative inputs")
    for a in range(len(scores)):
        assert rows[code[a]]["rank_without_illustrative"] == rank[a]
        assert rows[code[a]]["high_risk_without_illustrative"] == (a in without)


def test_district_filter_and_sort(model):
    r = model.compute("ward", "lad")
    wards = _wards_per_district(model)
    bradford = next(c for c, n in model.raw.lad_names.items() if n == "Bradford")
    data = view(r, "district", within=bradford)
    assert {a["code"] for a in data["areas"]} == wards[bradford]
    assert data["areas_total"] == len(wards[bradford]) and data["within_name"] == "Bradford"
    assert data["high_risk"] == math.ceil(len(wards[bradford]) / 10)
    every = view(r, "district")["areas"]
    names = [a["district_name"] for a in every]
    assert names == sorted(names)
    found = view(r, within=bradford, q="tong")["areas"]
    assert [a["name"] for a in found] == ["Tong"]
