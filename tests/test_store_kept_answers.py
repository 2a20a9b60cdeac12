"""The store keeps its areas above postcodes and their memberships in memory while it is open (an
area profile asks for an area, its parents and its children): the answers must be exactly those
of the tables, read here with queries of the test's own."""

from __future__ import annotations

import random

from observatory.geography.code_history import ABOLISHED
from observatory.levels import rank
from observatory.store.areas import CHILD_LEVEL


def test_areas_parents_and_children_are_those_of_the_tables(store):
    codes = [r["code"] for r in store.rows("SELECT code FROM areas WHERE level <> 'postcode' ORDER BY code")]
    sample = random.Random(7).sample(codes, 300) + [c for c in codes if c.startswith(("E08", "E47", "E12", "E92"))]
    by_level_then_code = lambda r: (r["level"], r["code"])  # noqa: E731
    for code in sample:
        area = store.rows("SELECT code, name, level, vintage, lon, lat, local_name, local_name_kind FROM areas "
                          "WHERE code = ?", [code])[0]
        assert store.area(code) == area and store.area(code.lower()) == area
        parents = store.parents(code)
        expected = store.rows("""SELECT a.code, a.name, a.level, a.vintage, m.method, m.weight, a.local_name,
                                        a.local_name_kind
                                 FROM membership m JOIN areas a ON a.code = m.parent WHERE m.child = ?""", [code])
        assert sorted(parents, key=by_level_then_code) == sorted(expected, key=by_level_then_code)
        assert [rank(p["level"]) for p in parents] == sorted(rank(p["level"]) for p in parents)  # finest first
        level = CHILD_LEVEL.get(area["level"])
        if level in (None, "postcode"):
            continue
        assert store.children(code) == store.rows(
            """SELECT a.code, a.name, a.level, a.vintage, m.method, a.local_name, a.local_name_kind
               FROM membership m JOIN areas a ON a.code = m.child
               WHERE m.parent = ? AND a.level = ? AND a.vintage IS DISTINCT FROM ?
               ORDER BY a.name, a.code""", [code, level, ABOLISHED])


def test_a_caller_changing_an_answer_cannot_change_the_next(store):
    area = store.area("E08000035")
    area["name"] = "changed"
    store.parents("E08000035")[0]["name"] = "changed"
    store.children("E08000035")[0]["name"] = "changed"
    assert store.area("E08000035")["name"] != "changed"
    assert "changed" not in {p["name"] for p in store.parents("E08000035")}
    assert "changed" not in {c["name"] for c in store.children("E08000035")}


def test_series_are_each_months_figure_of_the_publisher_first(store):
    """series_many answers from each level's series kept while the store is open; read here from
    the facts table with the shown-figure rule written out: the publisher's own figure, else the
    roll-up, real before illustrative, one per area, indicator and month."""
    codes = [r["code"] for r in store.rows("SELECT code FROM areas WHERE level IN ('lsoa', 'ward', 'lad') ORDER BY code")]
    preference = {"published": 0, "rolled-up": 1}
    for picked in (random.Random(11).sample(codes, 4) + ["E92000001"] for _ in range(20)):
        expected: dict[tuple, dict] = {}
        for r in sorted(store.rows(f"SELECT * FROM facts WHERE area_code IN ({', '.join('?' for _ in picked)})", picked),
                        key=lambda r: (preference.get(r["method"], 2), r["synthetic"], r["release_id"]), reverse=True):
            expected[(r["area_code"], r["indicator"], r["release"])] = r  # the last written is the one shown
        got = store.series_many(picked)
        assert [(r["area_code"], r["indicator"], r["release"]) for r in got] == sorted(expected)
        for r in got:
            e = expected[(r["area_code"], r["indicator"], r["release"])]
            assert r["release_id"] == e["release_id"] and r["value"] == (None if e["suppressed"] else e["value"])
