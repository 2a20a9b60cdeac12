"""Reach by area and scenarios against a brute-force distance computation, and on a small case
worked by hand."""

from __future__ import annotations

import math
import random
from datetime import date

import numpy as np
import pytest

from observatory.errors import InputError
from observatory.programme import backbone
from observatory.programme.premises import Premises


def _premises(points, counts, wards, lads) -> Premises:
    ward_codes = sorted(set(wards))
    lad_codes = sorted(set(lads))
    return Premises(postcode=np.array([f"P{i}" for i in range(len(points))]), xy=np.array(points, dtype=float),
                    count=np.array(counts, dtype=float), ward=np.array([ward_codes.index(w) for w in wards]),
                    lad=np.array([lad_codes.index(la) for la in lads]), ward_codes=ward_codes, lad_codes=lad_codes,
                    region_code="R", names={"R": "Region"})


def _site(sid, xy, status, lit=None, kind="school"):
    history = [{"status": "planned", "date": "2019-01-01"}]
    if lit:
        history.append({"status": "lit", "date": lit})
    return {"id": sid, "easting": xy[0], "northing": xy[1], "kind": kind, "status": status, "history": history,
            "illustrative": False}


def test_reach_by_ward_matches_brute_force_on_a_sample() -> None:
    rng = random.Random(11)
    points = [(rng.uniform(0, 6000), rng.uniform(0, 6000)) for _ in range(800)]
    counts = [rng.randint(1, 40) for _ in points]
    wards = [f"W{int(x // 2000)}{int(y // 3000)}" for x, y in points]
    lads = [f"L{int(x // 3000)}" for x, _ in points]
    sites = [_site(f"WY-SCH-{i:04d}", (rng.uniform(0, 6000), rng.uniform(0, 6000)), "lit" if i % 3 else "planned",
                   "2021-01-01" if i % 3 else None) for i in range(60)]
    cov = backbone.Coverage(_premises(points, counts, wards, lads), backbone.Register.of(sites), 250)
    rows = {(r["level"], r["code"]): r for r in backbone.reach_on(cov)}
    lit_xy = [(s["easting"], s["northing"]) for s in sites if s["status"] == "lit"]
    reached = [any(math.dist(p, s) <= 250 for s in lit_xy) for p in points]
    for level, keys in (("ward", wards), ("lad", lads), ("region", ["R"] * len(points))):
        for code in set(keys):
            total = sum(c for c, k in zip(counts, keys, strict=True) if k == code)
            within = sum(c for c, k, r in zip(counts, keys, reached, strict=True) if k == code and r)
            assert rows[(level, code)]["reached"] == round(within, 1)
            assert rows[(level, code)]["share"] == round(100 * within / total, 1)


def test_a_scenario_on_a_case_worked_by_hand() -> None:
    # Ward A: premises of 10 at (0, 0) and 30 at (1000, 0); ward B: 60 at (5000, 0).
    # Lit: a site at (100, 0), 100 m from the first point. Planned: (1150, 0), 150 m from the second,
    # and a library at (5300, 0), 300 m from ward B's point (beyond 200 m).
    prem = _premises([(0, 0), (1000, 0), (5000, 0)], [10, 30, 60], ["A", "A", "B"], ["L", "L", "L"])
    sites = [_site("WY-SCH-0001", (100, 0), "lit", "2020-05-01"), _site("WY-SCH-0002", (1150, 0), "surveyed"),
             _site("WY-LIB-0001", (5300, 0), "planned", kind="library")]
    cov = backbone.Coverage(prem, backbone.Register.of(sites), 200)
    chosen = backbone.parse_scenario("all planned", cov.register)
    result = backbone.scenario(cov, chosen["sites"])
    rows = {r["code"]: r for r in result["rows"]}
    assert result["sites_added"] == 2
    # ward A: 10 of 40 now (25%), 40 of 40 with the scenario (100%): +75 points
    assert (rows["A"]["share"], rows["A"]["share_after"], rows["A"]["change"]) == (25.0, 100.0, 75.0)
    # ward B: nothing within 200 m either way
    assert (rows["B"]["share"], rows["B"]["share_after"], rows["B"]["change"]) == (0.0, 0.0, 0.0)
    # the region: 10 of 100, then 40 of 100
    assert (rows["R"]["share"], rows["R"]["share_after"]) == (10.0, 40.0)
    # the library alone changes nothing at 200 m, but reaches ward B at 300 m
    lib = backbone.parse_scenario("kind: library", cov.register)
    assert {r["code"]: r["change"] for r in backbone.scenario(cov, lib["sites"])["rows"]}["B"] == 0.0
    wide = backbone.Coverage(prem, backbone.Register.of(sites), 300)
    assert {r["code"]: r["change"] for r in backbone.scenario(wide, lib["sites"])["rows"]}["B"] == 100.0


def test_reach_on_each_date_of_the_register() -> None:
    prem = _premises([(0, 0), (1000, 0)], [1, 3], ["A", "A"], ["L", "L"])
    sites = [_site("WY-SCH-0001", (0, 50), "lit", "2020-05-01"), _site("WY-SCH-0002", (1000, 50), "lit", "2022-01-31")]
    cov = backbone.Coverage(prem, backbone.Register.of(sites), 200)
    series = backbone.reach_series(cov, [date(2020, 4, 30), date(2020, 5, 1), date(2022, 1, 30), date(2022, 1, 31)])
    region = [next(r for r in rows if r["level"] == "region")["share"] for rows in series.values()]
    assert region == [0.0, 25.0, 25.0, 100.0]
    # the same as lighting the sites lit by each date one at a time
    assert backbone.reach_on(cov, date(2021, 1, 1))[-1]["share"] == 25.0


def test_a_scenario_names_unknown_sites_and_kinds() -> None:
    reg = backbone.Register.of([_site("WY-SCH-0001", (0, 0), "planned")])
    with pytest.raises(InputError, match="no site WY-SCH-0999"):
        backbone.parse_scenario("WY-SCH-0001, WY-SCH-0999", reg)
    with pytest.raises(InputError, match="kind 'castle' is not known"):
        backbone.parse_scenario("kind: castle", reg)
    with pytest.raises(InputError, match="empty"):
        backbone.parse_scenario("# nothing\n", reg)
    assert backbone.parse_scenario("wy-sch-0001  # lower case is fine", reg)["sites"].tolist() == [True]
