"""The LSOA 2011 -> 2021 crosswalk counts, derived here from the ONS lookup file itself."""

from __future__ import annotations

import csv

from observatory.inclusion import crosswalk

from ..conftest import WORKSPACE

LOOKUP = WORKSPACE / "data" / "lookups" / "wy_lsoa11_lsoa21_lad22.csv"


def test_counts_match_the_lookup_file():
    with open(LOOKUP, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    unchanged = {r["LSOA21CD"] for r in rows if r["CHGIND"] == "U"}
    split = {r["LSOA11CD"] for r in rows if r["CHGIND"] == "S"}
    merged = {r["LSOA11CD"] for r in rows if r["CHGIND"] == "M"}
    c = crosswalk.lookup_counts(LOOKUP)
    assert (c["unchanged"], c["split_2011"], c["merged_2011"], c["lsoa21"]) == (
        len(unchanged), len(split), len(merged), len({r["LSOA21CD"] for r in rows}))
    # the figures: 1,367 of 1,404 unchanged, 17 split, 4 merged
    assert (c["unchanged"], c["split_2011"], c["merged_2011"], c["lsoa21"]) == (1367, 17, 4, 1404)
    # every LSOA 2021 is unchanged, a part of a split or the result of a merge
    assert c["unchanged"] + c["split_2021"] + c["merged_2021"] + c["irregular_2021"] == 1404


def test_report_counts_approximated_output_areas(inclusion_store):
    r = crosswalk.report(inclusion_store, LOOKUP)
    assert r["oa_placed"] == 7131
    assert 0 <= r["oa_straddling"] < r["oa_placed"]
    assert "1,367 are unchanged" in r["text"] and "17 LSOAs 2011 were split" in r["text"]
