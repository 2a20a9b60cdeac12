"""The build step that writes backbone reach into the store: modelled facts for ward, district and
region from the register, labelled synthetic when the inputs are; skipped with a note without a
register."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
from pyproj import Transformer

from observatory.pipeline.state import Build
from observatory.programme.reach_figures import add_backbone_reach, quarter_ends
from observatory.workspace import ProgrammeConfig, RecordsConfig

TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def _build(tmp_path: Path) -> Build:
    # One output area of 100 premises with two postcodes: 150 m and 500 m east of WY-SCH-0001
    # (lit 2021-05-01 at 429700, 433900), so half its premises are within 200 m.
    points = {"LS1 1AA": (429850, 433900), "LS1 1AB": (430200, 433900)}
    lonlat = {pc: TO_WGS84.transform(*xy) for pc, xy in points.items()}
    areas = pd.DataFrame([{"code": pc, "name": pc, "level": "postcode", "lon": lo, "lat": la}
                          for pc, (lo, la) in lonlat.items()]
                         + [{"code": "W1", "name": "Ward one", "level": "ward", "lon": None, "lat": None},
                            {"code": "L1", "name": "District", "level": "lad", "lon": None, "lat": None},
                            {"code": "R", "name": "Region", "level": "ca", "lon": None, "lat": None}])
    links = pd.DataFrame([{"child": pc, "parent": parent, "parent_level": level, "method": "spatial"}
                          for pc in points for parent, level in (("OA1", "oa"), ("W1", "ward"), ("L1", "lad"))])
    facts = pd.DataFrame([{"release_id": "ofcom-oa", "release": "2025-07", "area_code": "OA1", "level": "oa",
                           "indicator": "sfbb", "numerator": 90.0, "denominator": 100.0, "value": 90.0,
                           "method": "published", "suppressed": False, "synthetic": False}])
    b = Build(ws=SimpleNamespace(root=tmp_path, region_code="R", records=RecordsConfig(),
                                 programme=ProgrammeConfig()))
    b.areas, b.links, b.facts = [areas], links, [facts]
    return b


def test_reach_is_written_as_modelled_facts(records_url, sites, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OBSERVATORY_DATABASE_URL", records_url)
    b = _build(tmp_path)
    add_backbone_reach(b)
    reach = pd.concat(b.facts[1:])
    assert set(reach["indicator"]) == {"backbone_reach"} and set(reach["method"]) == {"modelled"}
    got = {(r.level, r.area_code): (r.numerator, r.denominator, r.value) for r in reach.itertuples()}
    # 50 of 100 premises: the postcode 150 m away carries half the output area's premises
    assert got == {("ward", "W1"): (50.0, 100.0, 50.0), ("lad", "L1"): (50.0, 100.0, 50.0),
                   ("ca", "R"): (50.0, 100.0, 50.0)}
    assert set(reach["release"]) == {"2021-05"} and not reach["synthetic"].any()
    assert [r["release_id"] for r in b.releases] == ["programme-register-2021-05"]


def test_without_a_records_database_the_step_leaves_a_note(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("OBSERVATORY_DATABASE_URL", raising=False)
    b = _build(tmp_path)  # its folder has no records.sqlite, and no [records] url is set
    add_backbone_reach(b)
    assert len(b.facts) == 1 and b.findings[0][0] == "backbone-reach-skipped"


def test_quarter_ends() -> None:
    from datetime import date

    assert quarter_ends(date(2020, 5, 1), date(2021, 1, 15)) == [
        date(2020, 6, 30), date(2020, 9, 30), date(2020, 12, 31), date(2021, 1, 15)]
    assert quarter_ends(date(2020, 5, 1), date(2020, 6, 30)) == [date(2020, 6, 30)]
