"""The priority list's order: high risk with no hub in reach, then high risk, then the rest."""

from __future__ import annotations

import pytest

from observatory.inclusion.priority import view

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("level", ["ward", "lsoa"])
def test_tiers_then_index(model, level):
    r = model.compute(level)
    areas = view(r)["areas"]
    n = len(areas)
    high = [a for a in areas if a["high_risk"]]
    assert len(high) == -(-n // 10)  # the top 10%, rounded up
    for a in areas:
        expected = 1 if a["high_risk"] and a["hubs_within"] == 0 else 2 if a["high_risk"] else 3
        assert a["tier"] == expected
        assert (a["hubs_within"] == 0) == (a["nearest_hub_m"] > model.cfg.hub_distance_m)
    keys = [(a["tier"], -a["index"]) for a in areas]
    assert keys == sorted(keys)


def test_other_sorts(model):
    r = model.compute("ward")
    by_75 = [a["aged_75_plus"] for a in view(r, "aged_75")["areas"]]
    assert by_75 == sorted(by_75, reverse=True)
    far = [a["nearest_hub_m"] for a in view(r, "distance")["areas"]]
    assert far == sorted(far, reverse=True)
    top = view(r, "index", 5)["areas"]
    assert [a["rank"] for a in top] == [1, 2, 3, 4, 5]


def test_ward_aged_75_is_the_sum_of_its_lsoas(model):
    r = model.compute("ward")
    total = sum(a["aged_75_plus"] for a in view(r)["areas"])
    assert total == int(model.raw.aged_75[model.raw.ward != ""].sum())
