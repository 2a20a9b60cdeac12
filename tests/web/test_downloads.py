"""Downloads read back with ordinary tools and hold the store's figures, marked when illustrative."""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from observatory.store import Store


@pytest.fixture(scope="module")
def expected(fixture_store_path):
    with Store(fixture_store_path) as store:
        return {
            (level, ind): {r["area_code"]: r for r in store.figures(level, ind)}
            for level, ind in [("lad", "gigabit"), ("ward", "sfbb"), ("postcode", "gigabit")]
        }


def get(client, fmt, level, indicator, release="latest"):
    r = client.get("/download", params={"indicator": indicator, "level": level, "release": release, "format": fmt})
    assert r.status_code == 200, r.text
    return r


def test_csv_holds_the_store_figures(client, expected):
    r = get(client, "csv", "lad", "gigabit")
    assert r.headers["content-disposition"] == 'attachment; filename="observatory_gigabit_lad_2025-07.csv"'
    frame = pd.read_csv(io.BytesIO(r.content))
    want = expected[("lad", "gigabit")]
    assert set(frame["area_code"]) == set(want)
    for row in frame.itertuples():
        assert row.value == want[row.area_code]["value"]
        assert row.numerator == want[row.area_code]["numerator"]
        assert row.release_id == want[row.area_code]["release_id"]
    assert (frame["illustrative_data"] == "no").all()


def test_csv_marks_illustrative_rows(client):
    frame = pd.read_csv(io.BytesIO(get(client, "csv", "ward", "sfbb").content))
    assert (frame["illustrative_data"] == "yes").all()
    assert frame["note"].str.startswith("illustrative data").all()


def test_geojson_holds_the_store_figures_and_a_notice(client, expected):
    r = get(client, "geojson", "ward", "sfbb")
    frame = gpd.read_file(io.BytesIO(r.content))
    want = expected[("ward", "sfbb")]
    assert {c: v for c, v in zip(frame["area_code"], frame["value"], strict=False)} == {c: w["value"] for c, w in want.items()}
    assert frame.geometry.notna().all() and (frame.geometry.geom_type == "Polygon").all()
    assert r.json()["notice"].startswith("Illustrative data")


def test_postcodes_download_as_points(client, expected):
    frame = gpd.read_file(io.BytesIO(get(client, "geojson", "postcode", "gigabit").content))
    assert list(frame["area_code"]) == ["LS1 1AA"]
    assert frame.geometry.iloc[0].geom_type == "Point"


def test_geopackage_holds_the_store_figures_and_a_readme(client, expected, tmp_path):
    path = tmp_path / "lad.gpkg"
    path.write_bytes(get(client, "gpkg", "lad", "gigabit", "2024-07").content)
    layers = [name for name, _ in pyogrio.list_layers(path)]
    assert layers == ["gigabit", "readme"]
    frame = gpd.read_file(path, layer="gigabit")
    assert dict(zip(frame["area_code"], frame["value"], strict=False)) == {"E08000032": 60.0, "E08000035": 75.0}
    assert set(frame["release"]) == {"2024-07"}
    readme = pd.DataFrame(pyogrio.read_dataframe(path, layer="readme", read_geometry=False))
    notes = dict(zip(readme["key"], readme["value"], strict=False))
    assert notes["release"] == "2024-07" and "ONS" in notes["sources"]


def test_geopackage_of_illustrative_figures_says_so(client, tmp_path):
    path = tmp_path / "ward.gpkg"
    path.write_bytes(get(client, "gpkg", "ward", "sfbb").content)
    assert "Illustrative data" in pyogrio.read_info(path, layer="sfbb")["layer_metadata"]["DESCRIPTION"]


def test_download_of_an_unpublished_level_explains(client):
    r = client.get("/download?indicator=full_fibre&level=ward&format=csv")
    assert r.status_code == 422 and "not published at ward level" in r.text


def test_csv_is_tidy_for_a_spreadsheet_and_names_each_areas_district(client):
    frame = pd.read_csv(io.BytesIO(get(client, "csv", "ward", "sfbb").content), dtype=str)
    # counts are whole numbers, flags are words, values have at most two decimal places
    assert not frame["numerator"].str.contains(r"\.").any()
    assert set(frame["suppressed"]) <= {"yes", "no"}
    assert frame["value"].map(lambda v: len(v.partition(".")[2]) <= 2).all()
    # the fixture's wards: Headingley and City and Hunslet in Leeds, the other two in Bradford
    districts = dict(zip(frame["area_code"], frame["district_name"], strict=True))
    assert districts == {"E05001420": "Leeds", "E05001421": "Leeds", "E05001346": "Bradford",
                         "E05001347": "Bradford"}
