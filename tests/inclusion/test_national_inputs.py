"""National inputs cut to the region: given the England and Wales population file and the England
IMD file as its own, a workspace's exclusion-risk index covers the region's LSOAs only (never all of
England and Wales ranked as if they were the region's), and says how many rows of each file it kept.

Expected counts are read here from the files: the region's LSOAs are those the workspace's LSOA to
ward lookup places in its districts."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from observatory import workspace
from observatory.inclusion import crosswalk
from observatory.inclusion.model import Model
from observatory.store import Store

from ..conftest import WORKSPACE, copy_workspace

pytestmark = pytest.mark.slow

DATA = WORKSPACE / "data"
NATIONAL = {
    'population = "data/population/census2021_wy_lsoa21_age65plus.csv"\n':
        'population = "data/population/census2021_lsoa21_age65plus_england_wales.csv.gz"\n',
    'deprivation = "data/deprivation/imd2025_wy_lsoa21.csv"\n':
        'deprivation = "data/deprivation/imd2025_england_lsoa21.csv.gz"\n',
}


def _rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _region_lsoas() -> set[str]:
    ws = workspace.load(WORKSPACE)
    return {r["LSOA21CD"] for r in _rows(DATA / "lookups" / "wy_lsoa21_wd24_lad24_bestfit.csv")
            if r["LAD24CD"] in ws.districts}


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory, built_workspace: Path) -> Path:
    root = copy_workspace(tmp_path_factory.mktemp("national") / "ws", NATIONAL)
    (root / "build").symlink_to(built_workspace / "build")
    return root


def test_an_england_wide_population_and_imd_give_an_index_over_the_regions_own_lsoas(national):
    ws = workspace.load(national)
    region = _region_lsoas()
    population = _rows(DATA / "population" / "census2021_lsoa21_age65plus_england_wales.csv.gz")
    deprivation = _rows(DATA / "deprivation" / "imd2025_england_lsoa21.csv.gz")
    assert len(population) > 10 * len(region)  # the file is national

    with Store(ws.store_path) as store:
        model = Model.load(ws, store)
    assert set(model.raw.codes) == region
    kept = len(region & {r["lsoa21_code"] for r in population})
    assert kept == len(region)
    notes = " ".join(model.raw.notes)
    assert (f"census2021_lsoa21_age65plus_england_wales.csv.gz: kept {kept:,} of its {len(population):,} rows"
            in notes)
    used = len(region & {r["lsoa21_code"] for r in deprivation})
    assert f"imd2025_england_lsoa21.csv.gz: {used:,} of its {len(deprivation):,} LSOAs are the region's" in notes

    # the index is ranked over the region's LSOAs only
    result = model.compute("lsoa")
    assert len(result.data.codes) == len(region)
    assert any("kept" in n for n in result.notes)


def test_the_regions_own_files_are_kept_whole_and_say_nothing_of_cutting(model):
    assert set(model.raw.codes) == _region_lsoas()
    assert not any("kept" in n for n in model.raw.notes)


def test_a_national_lsoa_lookup_is_counted_over_the_regions_districts(tmp_path, inclusion_store):
    ws = workspace.load(WORKSPACE)
    lookup = DATA / "lookups" / "wy_lsoa11_lsoa21_lad22.csv"
    rows = _rows(lookup)
    # the same lookup with another district's rows in it, as ONS's national file has
    wider = tmp_path / "lsoa11_lsoa21_lad22.csv"
    extra = [{**r, "LSOA11CD": "E0199" + r["LSOA11CD"][5:], "LSOA21CD": "E0199" + r["LSOA21CD"][5:],
              "LAD22CD": "E06000001", "LAD22NM": "Hartlepool"} for r in rows[:40]]
    with wider.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows + extra)
    whole = crosswalk.lookup_counts(lookup)
    cut = crosswalk.lookup_counts(wider, ws.districts)
    assert cut["lsoa21"] == whole["lsoa21"] == len({r["LSOA21CD"] for r in rows})
    assert (cut["rows"], cut["rows_kept"]) == (len(rows) + len(extra), len(rows))
    text = crosswalk.report(inclusion_store, wider, ws.districts)["text"]
    assert f"the {len(rows):,} of its {len(rows) + len(extra):,} rows in the region's districts" in text


def test_an_indicator_file_edited_while_the_dashboard_runs_is_read_again(tmp_path):
    """The Census and IMD files are kept once read (a rebuilt store is swapped in with the same
    files); an edited file must be read again, and a caller changing what it got cannot change
    what the next caller gets."""
    import os

    from observatory.inclusion import indicators

    path = tmp_path / "imd.csv"
    path.write_text("lsoa21_code,imd_score\nE01000001,10.5\nE01000002,20\n", encoding="utf-8")
    first = indicators._read(path, "lsoa21_code", {"imd_score"})
    assert first["imd_score"].tolist() == [10.5, 20.0]
    first.loc["E01000001", "imd_score"] = -1.0
    assert indicators._read(path, "lsoa21_code", {"imd_score"})["imd_score"].tolist() == [10.5, 20.0]
    path.write_text("lsoa21_code,imd_score\nE01000001,11.5\nE01000002,20\n", encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # however coarse the clock
    assert indicators._read(path, "lsoa21_code", {"imd_score"})["imd_score"].tolist() == [11.5, 20.0]
