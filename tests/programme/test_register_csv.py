"""The register to CSV and back: export -> import -> export gives the same bytes (on both engines),
and every bad cell is reported by file, row, column, what was expected and the fix, with nothing
imported."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest

from observatory.errors import InputError
from observatory.programme import models, register_io
from observatory.records.db import open_records
from observatory.records.migrate import upgrade

HEADER = ",".join(register_io.COLUMNS)
_n = itertools.count(1)


def _fresh(request, records, tmp_path: Path):
    """A second, empty database on the same engine."""
    if records.dialect == "postgresql":
        url = request.getfixturevalue("pg_cluster").create_database(f"programme_rt_{next(_n)}")
    else:
        url = f"sqlite:///{tmp_path / 'second.sqlite'}"
    upgrade(url)
    return open_records(url)


def test_export_import_export_is_byte_identical(request, records, sites, tmp_path: Path) -> None:
    with records.session() as s:
        first = register_io.export_csv(s)
    path = tmp_path / "sites.csv"
    path.write_text(first, encoding="utf-8")
    other = _fresh(request, records, tmp_path)
    try:
        with other.session() as s:
            counts = register_io.import_csv(s, "ed", path, today=date(2026, 1, 1))
        assert counts == {"added": 3, "changed": 0, "statuses": 7}
        with other.session() as s:
            second = register_io.export_csv(s)
            history = models.get_site(s, "WY-GPS-0001")["history"]
    finally:
        other.dispose()
    assert second == first
    # the withdrawal's reason (with a comma) came through the CSV quoting
    assert history[-1]["status"] == "withdrawn" and history[-1]["reason"] == "Building closed, sold"
    # one row per site, its history in the status columns
    lines = first.splitlines()
    assert lines[0] == HEADER and len(lines) == 4
    assert lines[1].startswith("WY-GPS-0001,Health Centre,GP surgery,53.790000,-1.540000,430360.0,432790.0,")


def test_importing_the_export_again_changes_nothing(records, sites, tmp_path: Path) -> None:
    with records.session() as s:
        first = register_io.export_csv(s)
    path = tmp_path / "sites.csv"
    path.write_text(first, encoding="utf-8")
    with records.session() as s:
        assert register_io.import_csv(s, "ed", path, today=date(2026, 1, 1)) == {"added": 0, "changed": 3,
                                                                                  "statuses": 0}
        assert register_io.export_csv(s) == first


def test_geojson_export_has_every_site_as_a_point(records, sites) -> None:
    import json

    with records.session() as s:
        data = json.loads(register_io.export_geojson(s))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 3
    lib = next(f for f in data["features"] if f["id"] == "WY-LIB-0001")
    assert lib["geometry"] == {"type": "Point", "coordinates": [-1.548, 53.801]}
    assert lib["properties"]["status"] == "surveyed"


GOOD = "WY-SCH-0009,Good School,school,53.8,-1.5,,,,,,,,,no,2020-01-01,,,,,,"


@pytest.mark.parametrize(("bad_row", "row", "column", "words"), [
    ("WY-SCH-0010,Bad,castle,53.8,-1.5,,,,,,,,,no,2020-01-01,,,,,,", 3, "kind", "one of: council building"),
    ("WY-SCH-0010,Bad,school,53.8,-1.5,,,,,,,,,no,2020-13-01,,,,,,", 3, "planned", "YYYY-MM-DD"),
    ("WY-SCH-0010,Bad,school,53.8,-1.5,,,,,,,,,no,,,,,,,", 3, "planned", "the cell is empty"),
    ("WY-SCH-0010,Bad,school,53.8,-1.5,,,,,,,,,no,2021-01-01,,,,2020-06-01,,", 3, "lit", "before the previous"),
    ("WY-SCH-0010,Bad,school,53.8,-1.5,,,,,,,,,no,2021-01-01,,,,,2021-02-01,", 3, "withdrawn_reason",
     "needs a reason"),
    ("WY-SCH-0010,Bad,school,,,,,,,,,,,no,2021-01-01,,,,,,", 3, "lat", "no location"),
    ("WY-SCH-0010,Bad,school,-1.5,53.8,,,,,,,,,no,2021-01-01,,,,,,", 3, "lat", "outside Great Britain"),
    ("WY-SCH-0010,Bad,school,53.8,,,,,,,,,,no,2021-01-01,,,,,,", 3, "lon", "its pair is filled"),
    ("WY-SCH-0009,Twice,school,53.8,-1.5,,,,,,,,,no,2021-01-01,,,,,,", 3, "id", "appears twice (rows 2 and 3)"),
    ("wy school 10,Bad,school,53.8,-1.5,,,,,,,,,no,2021-01-01,,,,,,", 3, "id", "not a site id"),
    ("WY-SCH-0010,Bad,school,53.8,-1.5,,,,,,,,,maybe,2021-01-01,,,,,,", 3, "illustrative", "yes or no"),
    ("WY-SCH-0010,Bad,school,53.8,-1.5,,,,,,,,,no,2031-01-01,,,,,,", 3, "planned", "in the future"),
])
def test_a_bad_cell_names_file_row_column_and_fix_and_nothing_is_imported(records, tmp_path: Path, bad_row,
                                                                          row, column, words) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(f"{HEADER}\n{GOOD}\n{bad_row}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught, records.session() as s:
        register_io.import_csv(s, "ed", path, today=date(2026, 1, 1))
    err = caught.value
    assert (Path(err.file).name, err.row, err.column) == ("sites.csv", row, column)
    assert words in str(err) and err.expected and err.fix
    with records.session() as s:
        assert models.count_sites(s) == 0  # the good row before it was not imported either


def test_the_recorded_history_cannot_be_rewritten_by_import(records, sites, tmp_path: Path) -> None:
    with records.session() as s:
        text = register_io.export_csv(s)
    # move the school's recorded lit date
    path = tmp_path / "sites.csv"
    path.write_text(text.replace("2021-05-01", "2021-04-01"), encoding="utf-8")
    with pytest.raises(InputError) as caught, records.session() as s:
        register_io.import_csv(s, "ed", path, today=date(2026, 1, 1))
    assert caught.value.column == "lit" and "never changed or removed" in str(caught.value)


def test_an_import_may_add_later_statuses(records, sites, tmp_path: Path) -> None:
    with records.session() as s:
        text = register_io.export_csv(s)
    lines = text.splitlines()
    lib = lines.index(next(ln for ln in lines if ln.startswith("WY-LIB-0001")))
    cells = lines[lib].split(",")
    build = register_io.COLUMNS.index("build_in_progress") + 1  # the supplier cell holds a quoted comma
    cells[build] = "2021-03-01"
    lines[lib] = ",".join(cells)
    path = tmp_path / "sites.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with records.session() as s:
        assert register_io.import_csv(s, "ed", path, today=date(2026, 1, 1))["statuses"] == 1
        assert models.get_site(s, "WY-LIB-0001")["status"] == "build in progress"


def test_missing_and_unknown_columns_are_named(records, tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text("id,name,kind\nWY-SCH-0001,A,school\n", encoding="utf-8")
    with pytest.raises(InputError, match="'planned'") as caught, records.session() as s:
        register_io.import_csv(s, "ed", path)
    assert caught.value.row == 1


def test_district_and_ward_come_from_the_nearest_postcode_or_else_from_the_file(records, tmp_path: Path) -> None:
    import numpy as np

    from observatory.programme.premises import Premises

    # one postcode at 429800, 433900 in ward W1 of district D1
    premises = Premises(postcode=np.array(["LS1 1AA"]), xy=np.array([[429800.0, 433900.0]]), count=np.array([1.0]),
                        ward=np.array([0]), lad=np.array([0]), ward_codes=["W1"], lad_codes=["D1"], region_code="R",
                        names={})
    path = tmp_path / "sites.csv"
    near = "WY-SCH-0001,Near,school,,,429700.0,433900.0,,X9,X8,,,,no,2020-01-01,,,,,,"  # 100 m away
    far = "WY-SCH-0002,Far,school,,,393574.1,424029.3,,E08000033,,,,,no,2020-01-01,,,,,,"  # 38 km away
    path.write_text(f"{HEADER}\n{near}\n{far}\n", encoding="utf-8")
    with records.session() as s:
        register_io.import_csv(s, "ed", path, premises, today=date(2026, 1, 1))
        got = {r["id"]: (r["district_code"], r["ward_code"]) for r in models.list_sites(s)}
        lat = models.get_site(s, "WY-SCH-0001")["lat"]
    assert got == {"WY-SCH-0001": ("D1", "W1"), "WY-SCH-0002": ("E08000033", "")}
    assert 53.79 < lat < 53.81  # latitude and longitude from the grid reference
