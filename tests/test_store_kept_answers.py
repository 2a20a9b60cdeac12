"""The store keeps its areas above postcodes and their memberships in memory while it is open (an
area profile asks for an area, its parents and its children): the answers must be exactly those
of the tables, read here with queries of the test's own."""

from __future__ import annotations

import random

import pytest

from observatory.geography.code_history import ABOLISHED
from observatory.levels import rank
from observatory.store import Store
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


def test_the_codes_within_an_area_asked_once_are_its_children(store):
    """The map's layers and the build's tile archives ask once which areas of a level lie within
    the region, by a query of their own: the same areas children() lists from what it keeps."""
    region = store.region()
    districts = [d["code"] for d in store.children(region, "lad")]
    assert districts
    for code in [region, *districts]:
        for level in ("lad", "ward", "msoa", "lsoa", "oa"):
            assert store.codes_within(code, level) == {c["code"] for c in store.children(code, level)}, (code, level)
    assert len(store.codes_within(region, "oa")) > 7000


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


def test_newest_figures_read_at_once_are_each_levels_and_indicators_own(store):
    """A rebuilt store is warmed by reading every indicator's newest figures at a level in one
    query (keep_newest_figures); each must be what the facts table holds for that level,
    indicator and month under the shown-figure rule, written out here, and once kept, asking for
    them runs no query at all."""
    fresh = Store(store.path)  # nothing kept yet
    try:
        levels = ["ward", "lsoa", "oa", "lad", "uk"]
        fresh.keep_newest_figures(levels)
        fresh.indicators()  # read (and kept) when a served store is opened: what it makes available
        fresh.rows = fresh.cursor_rows = lambda *a, **k: pytest.fail("a kept answer ran a query")  # noqa: ARG005
        preference = {"published": 0, "rolled-up": 1}
        newest = store.rows("SELECT indicator, level, max(release) AS release FROM facts GROUP BY ALL")
        asked = 0
        for n in newest:
            if n["level"] not in levels:
                continue
            shown: dict[str, dict] = {}
            for r in sorted(store.rows("SELECT * FROM facts WHERE indicator = ? AND level = ? AND release = ?",
                                       [n["indicator"], n["level"], n["release"]]),
                            key=lambda r: (preference.get(r["method"], 2), r["synthetic"], r["release_id"]),
                            reverse=True):
                shown[r["area_code"]] = r  # the last written is the one shown
            got = fresh.figures(n["level"], n["indicator"])
            assert [g["area_code"] for g in got] == sorted(shown)
            for g in got:
                e = shown[g["area_code"]]
                assert (g["release"], g["method"], g["release_id"], g["suppressed"]) == \
                    (n["release"], e["method"], e["release_id"], e["suppressed"])
                assert (g["value"], g["numerator"]) == ((None, None) if e["suppressed"] else (e["value"], e["numerator"]))
            asked += 1
        assert asked >= 20  # every indicator at each of the five levels the bundled store holds
    finally:
        del fresh.rows, fresh.cursor_rows
        fresh.close()
