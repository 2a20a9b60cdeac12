"""Ranks a councillor reads: an area's children ranked within it with the gap to it, and a
district's rank among England's districts."""

from __future__ import annotations

from observatory.web.ranking import ordinal, ranked

from .fixture_store import GIGABIT_LAD, PREMISES


def test_ties_share_a_rank_and_no_figure_comes_last():
    rows = [{"value": v, "code": c} for c, v in
            [("a", 90.04), ("b", 95.0), ("c", 90.0), ("d", None), ("e", 80.0)]]
    out = ranked(rows, "higher-is-better")
    # by hand: b 95.0 first; a and c both show 90.0, so both =2nd; e 4th; d unranked
    assert [(r["code"], r["rank"], r["tied"]) for r in out] == [
        ("b", 1, False), ("a", 2, True), ("c", 2, True), ("e", 4, False), ("d", None, False)]
    # lower is better (premises below the USO): the smallest share is 1st
    assert [r["code"] for r in ranked(rows, "lower-is-better")][:2] == ["e", "a"]
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 201)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th", "201st"]


def test_a_profile_ranks_its_wards_with_the_gap_to_the_district(client):
    data = client.get("/areas/E08000035.json").json()
    table = data["ranked_children"]
    assert table["indicator"] == "gigabit"
    wards = {f["area_code"]: f["value"] for f in client.get("/map.json?indicator=gigabit&level=ward").json()["figures"]}
    leeds = 100 * GIGABIT_LAD["E08000035"]["2025-07"] / PREMISES["E08000035"]  # 85.0, Ofcom's own
    expected = sorted(((wards[c], c) for c in ("E05001420", "E05001421")), reverse=True)
    assert [r["code"] for r in table["rows"]] == [c for _, c in expected]
    assert [r["rank"] for r in table["rows"]] == [1, 2]
    for r in table["rows"]:
        assert r["gap_pp"] == round(wards[r["code"]] - leeds, 1)
    page = client.get("/areas/E08000035?sort=name").text
    assert 'id="children-table"' in page and "Gap to Leeds" in page
    names = client.get("/areas/E08000035.json?sort=name").json()["ranked_children"]["rows"]
    assert [r["name"] for r in names] == sorted(r["name"] for r in names)


def test_a_district_is_ranked_among_englands_districts(client):
    data = client.get("/areas/E08000032.json").json()
    gigabit = next(f for f in data["figures"] if f["indicator"] == "gigabit")
    # by hand: Leeds 340,000 / 400,000 = 85.0%, Bradford 200,000 / 250,000 = 80.0%: Bradford 2nd of 2.
    # Only West Yorkshire's districts have the figure, so the rank names that set, not "English
    # districts" (issue 20, item 8: the old words were the bug)
    assert gigabit["england_rank"]["text"] == "2nd of the 2 districts in West Yorkshire with a figure for July 2025"
    assert "2nd of the 2 districts in West Yorkshire with a figure for July 2025" in client.get("/areas/E08000032").text


def test_the_areas_inside_a_parent_are_its_members_with_their_latest_figure(store):
    """store.figures(within=...) answers from the level's figures kept while the store is open;
    each answer must be exactly the parent's members at the level, read here straight from the
    store's tables (membership, and each area's newest publisher's figure)."""
    for level, indicator, parent in (("oa", "gigabit", "E01011861"), ("lsoa", "gigabit", "E08000035"),
                                     ("ward", "sfbb", "E08000032"), ("lad", "gigabit", "E12000003")):
        got = {r["area_code"]: r["value"] for r in store.figures(level, indicator, "latest", within=parent)}
        newest = store.rows("SELECT max(release) AS m FROM facts WHERE level = ? AND indicator = ?",
                            [level, indicator])[0]["m"]
        expected: dict = {}
        # the publisher's own figure where there is one, else a roll-up, real before illustrative:
        # the last written for an area is the one shown
        preference = {"published": 2, "rolled-up": 1}
        for r in sorted(store.rows(
                """SELECT f.area_code, f.value, f.suppressed, f.method, f.synthetic FROM facts f
                   JOIN membership m ON m.child = f.area_code AND m.parent = ?
                   WHERE f.level = ? AND f.indicator = ? AND f.release = ?""",
                [parent, level, indicator, newest]),
                key=lambda r: (preference.get(r["method"], 0), not r["synthetic"])):
            expected[r["area_code"]] = None if r["suppressed"] else r["value"]
        assert expected and got == expected, (level, parent)
        # asked twice, the same answer, and a caller changing one cannot change the next
        first = store.figures(level, indicator, "latest", within=parent)
        first[0]["value"] = -1
        assert {r["area_code"]: r["value"] for r in store.figures(level, indicator, "latest", within=parent)} == got
