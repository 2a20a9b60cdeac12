"""The programme's database tests run on both engines with the records fixtures (SQLite and a
throwaway PostgreSQL cluster); `sites` adds three sites with known histories."""

from __future__ import annotations

from datetime import date

import pytest

from tests.records.conftest import (  # noqa: F401 - fixtures, used by name
    PASSWORD,
    app,
    people,
    pg_cluster,
    records,
    records_url,
    store_path,
    web,
)


@pytest.fixture
def sites(records):  # noqa: F811 - the imported fixture, by name
    """WY-SCH-0001 lit, WY-LIB-0001 surveyed, WY-GPS-0001 withdrawn (Leeds city centre)."""
    from observatory.programme import models

    with records.session() as s:
        models.add_site(s, "setup", "WY-SCH-0001", name="Park School", kind="school", lat=53.8, lon=-1.55,
                        easting=429700.0, northing=433900.0)
        models.add_site(s, "setup", "WY-LIB-0001", name="Central Library", kind="library", lat=53.801,
                        lon=-1.548, easting=429830.0, northing=434010.0, supplier="Supplier A, Ltd")
        models.add_site(s, "setup", "WY-GPS-0001", name="Health Centre", kind="GP surgery", lat=53.79,
                        lon=-1.54, easting=430360.0, northing=432790.0)
        for sid, steps in {
            "WY-SCH-0001": [("planned", date(2020, 1, 1)), ("surveyed", date(2020, 3, 1)), ("lit", date(2021, 5, 1))],
            "WY-LIB-0001": [("planned", date(2020, 6, 1)), ("surveyed", date(2021, 1, 10))],
            "WY-GPS-0001": [("planned", date(2020, 2, 1)), ("withdrawn", date(2020, 9, 1))],
        }.items():
            for status, on in steps:
                reason = "Building closed, sold" if status == "withdrawn" else ""
                models.set_status(s, "setup", sid, status, on, reason)
    return ["WY-SCH-0001", "WY-LIB-0001", "WY-GPS-0001"]
