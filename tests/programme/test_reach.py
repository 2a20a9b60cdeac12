import math
import random

from observatory.programme.reach import reach_share, to_bng, within_reach


def test_reach_matches_brute_force_on_a_sample():
    rng = random.Random(7)
    premises = [(rng.uniform(0, 5000), rng.uniform(0, 5000)) for _ in range(500)]
    sites = [(rng.uniform(0, 5000), rng.uniform(0, 5000)) for _ in range(40)]
    expected = [any(math.dist(p, s) <= 200 for s in sites) for p in premises]
    assert list(within_reach(premises, sites, 200)) == expected


def test_share_is_weighted_by_premises_count():
    # two points: one 150 m from the only site (in reach), one 250 m away (not)
    share = reach_share([(150, 0), (250, 0)], [3, 1], [(0, 0)], 200)
    assert share == 3 / 4


def test_no_lit_sites_means_no_reach():
    assert reach_share([(0, 0)], [5], [], 200) == 0.0


def test_bng_of_a_known_point():
    # Leeds Town Hall is about easting 429,900, northing 433,900 on the National Grid
    x, y = to_bng(-1.5486, 53.8000)[0]
    assert abs(x - 429900) < 300 and abs(y - 433900) < 300
