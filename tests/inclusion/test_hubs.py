"""Support hubs: nearest-hub distances against brute force, and a council's CSV with row errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from observatory.errors import InputError
from observatory.inclusion import hubs as hubs_mod

pytestmark = pytest.mark.slow


def test_nearest_hub_matches_brute_force_on_a_sample(model):
    hubset = model.hubs
    reach = hubset.reach["lsoa"]
    rng = np.random.default_rng(5)
    for a in rng.choice(len(reach.x), size=60, replace=False):
        # every hub, one by one, by Pythagoras on the grid
        dists = [math.hypot(h.x - reach.x[a], h.y - reach.y[a]) for h in hubset.hubs]
        assert reach.distance_m[a] == pytest.approx(min(dists), abs=1e-6)
        assert sorted(reach.within[a]) == sorted(i for i, d in enumerate(dists) if d <= hubset.distance_m)


def test_hubs_are_the_sites_files_libraries_and_community_centres(model):
    kinds = [h.kind for h in model.hubs.hubs]
    # the sites file holds 129 libraries and 294 community centres (SOURCES.md)
    assert kinds.count("library") == 129 and kinds.count("community centre") == 294


def test_bng_projection_of_a_known_point():
    # Leeds Town Hall: OS grid reference SE 29907 33779 (about), 53.8000 N, 1.5491 W
    x, y = hubs_mod.to_bng(-1.5491, 53.8000)
    assert abs(x[0] - 429_900) < 150 and abs(y[0] - 433_780) < 150


def test_council_csv(tmp_path, inclusion_store):
    f = tmp_path / "hubs.csv"
    f.write_text("name,kind,postcode,lon,lat,easting,northing,services\n"
                 "Digital drop-in,neighbourhood network,,-1.5491,53.8,,,device loans\n"
                 "Partner,100% Digital partner,,,,429900,433780,skills\n", encoding="utf-8")
    hubs = hubs_mod.load_council(f, inclusion_store)
    assert [h.name for h in hubs] == ["Digital drop-in", "Partner"]
    assert hubs[0].services == "device loans"
    assert abs(hubs[0].x - hubs[1].x) < 150 and abs(hubs[1].lat - 53.8) < 0.002


@pytest.mark.parametrize("body, row, column, text", [
    ("name,kind,lon,lat\nA,library,-1.5,95\n", 2, "lat", "is not a lat in Great Britain"),
    ("name,kind,lon,lat\nA,,-1.5,53.8\n", 2, "kind", "the cell is empty"),
    ("name,kind,postcode\nA,library,LS1 1UR\nB,library,NOT A PC\n", 3, "postcode", "is not a full UK postcode"),
    ("name,kind,postcode\nA,library,ZZ9 9ZZ\n", 2, "postcode", "not in the workspace's postcode lookup"),
    ("name,kind,easting,northing\nA,library,429900,-5\n", 2, "northing", "is not a British National Grid northing"),
])
def test_council_csv_row_errors(tmp_path, inclusion_store, body, row, column, text):
    f = tmp_path / "hubs.csv"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as e:
        hubs_mod.load_council(f, inclusion_store)
    assert (e.value.row, e.value.column) == (row, column) and text in str(e.value)
    assert "hubs.csv" in str(e.value)


def test_council_csv_without_a_location_column(tmp_path, inclusion_store):
    f = tmp_path / "hubs.csv"
    f.write_text("name,kind,services\nA,library,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="no location column"):
        hubs_mod.load_council(f, inclusion_store)


def test_council_list_joins_the_osm_hubs(model, inclusion_store, tmp_path):
    from dataclasses import replace

    f = tmp_path / "council.csv"
    f.write_text("name,kind,lon,lat,services\nMixenden Hub,neighbourhood network,-1.9,53.75,drop-in\n", encoding="utf-8")
    hubset = hubs_mod.load(replace(model.cfg, hubs=f), inclusion_store)
    assert len(hubset.hubs) == 424 and hubset.hubs[-1].source == "council.csv (council)"
    assert any("council's own list (council.csv)" in s for s in hubset.sources)


def test_ward_share_of_residents_near_a_hub(model):
    lsoa = model.hubs.reach["lsoa"]
    ward = model.hubs.reach["ward"]
    codes = model.levels["ward"].codes
    for k in (0, 50, 100):
        inside = model.raw.ward == codes[k]
        near = np.array([bool(lsoa.within[i]) for i in np.flatnonzero(inside)])
        res = model.raw.residents[inside]
        assert ward.residents_in_reach[k] == pytest.approx((res * near).sum() / res.sum())
