"""A tiny workspace drawn by hand, so MSOA names and descriptions can be worked out by eye.

Leeds (E08000035) and Bradford (E08000032) are squares side by side; every smaller area is a
rectangle inside them, so each LSOA's representative point (its centre) lies in exactly one MSOA
and one ward:

    lon -2.0      -1.9      -1.8      -1.7      -1.6
 53.9 +---------+---------+---------+---------+
      |  B-L1   |  B-L3   |  L-L1   | L-L2/L3 |   Leeds 001 (E02000001): L-L1 in Headingley & Hyde
 53.8 +---------+---------+---------+---------+   Park, L-L2 and L-L3 in Little London & Woodhouse
      |  B-L2   |  B-L4   |  L-L4   |  L-L5   |   Leeds 002 (E02000002): L-L4, L-L5 (one per ward)
 53.7 +---------+---------+---------+---------+
      Bradford 001 (E02000003) holds B-L1..B-L4: B-L1, B-L2 in Bolton and Undercliffe,
      B-L3 in Bowling and Barkerend, B-L4 in City.

The coordinates are invented; the codes are in the form of real GSS codes.
"""

from __future__ import annotations

import json
from pathlib import Path

LEEDS, BRADFORD = "E08000035", "E08000032"


def box(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


LADS = [(LEEDS, "Leeds", box(-1.8, 53.7, -1.6, 53.9)), (BRADFORD, "Bradford", box(-2.0, 53.7, -1.8, 53.9))]
WARDS = [
    ("E05011111", "Headingley & Hyde Park", box(-1.8, 53.7, -1.7, 53.9)),
    ("E05011112", "Little London & Woodhouse", box(-1.7, 53.7, -1.6, 53.9)),
    ("E05001347", "Bolton and Undercliffe", box(-2.0, 53.7, -1.9, 53.9)),
    ("E05001348", "Bowling and Barkerend", box(-1.9, 53.8, -1.8, 53.9)),
    ("E05001346", "City", box(-1.9, 53.7, -1.8, 53.8)),
]
MSOAS = [
    ("E02000001", "Leeds 001", box(-1.8, 53.8, -1.6, 53.9)),
    ("E02000002", "Leeds 002", box(-1.8, 53.7, -1.6, 53.8)),
    ("E02000003", "Bradford 001", box(-2.0, 53.7, -1.8, 53.9)),
]
LSOAS = [
    ("E01000001", "Leeds 001A", box(-1.8, 53.8, -1.7, 53.9)),
    ("E01000002", "Leeds 001B", box(-1.7, 53.8, -1.6, 53.85)),
    ("E01000003", "Leeds 001C", box(-1.7, 53.85, -1.6, 53.9)),
    ("E01000004", "Leeds 002A", box(-1.8, 53.7, -1.7, 53.8)),
    ("E01000005", "Leeds 002B", box(-1.7, 53.7, -1.6, 53.8)),
    ("E01000006", "Bradford 001A", box(-2.0, 53.8, -1.9, 53.9)),
    ("E01000007", "Bradford 001B", box(-2.0, 53.7, -1.9, 53.8)),
    ("E01000008", "Bradford 001C", box(-1.9, 53.8, -1.8, 53.9)),
    ("E01000009", "Bradford 001D", box(-1.9, 53.7, -1.8, 53.8)),
]

CONFIG = """[workspace]
name = "Tiny"
region_code = "E47000003"
region_name = "West Yorkshire"
districts = ["E08000032", "E08000035"]

[boundaries.lad]
file = "lad.geojson"
code = "CD"
name = "NM"
vintage = "LAD 2025"

[boundaries.msoa]
file = "msoa.geojson"
code = "CD"
name = "NM"
vintage = "MSOA 2011"

[boundaries.lsoa]
file = "lsoa.geojson"
code = "CD"
name = "NM"
vintage = "LSOA 2021"

[boundaries.ward]
file = "ward.geojson"
code = "CD"
name = "NM"
vintage = "Wards May 2025"

[[sources]]
key = "ons-gigabit"
kind = "ons-gigabit-series"
file = "gigabit.csv"
publisher = "Office for National Statistics"
title = "Gigabit-capable broadband (test)"
licence = "Open Government Licence v3.0"
"""


def _geojson(path: Path, rows: list[tuple[str, str, dict]]) -> None:
    features = [{"type": "Feature", "properties": {"CD": c, "NM": n}, "geometry": g} for c, n, g in rows]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def write_workspace(root: Path, names_csv: str | None = None, names_table: str = "") -> Path:
    """The tiny workspace in `root`; with `names_csv`, a names file (names.csv) and an
    [msoa_names] table naming it (`names_table` replaces the default table)."""
    root.mkdir(parents=True, exist_ok=True)
    for name, rows in (("lad", LADS), ("ward", WARDS), ("msoa", MSOAS), ("lsoa", LSOAS)):
        _geojson(root / f"{name}.geojson", rows)
    (root / "gigabit.csv").write_text(
        "area_code,area_name,period,gigabit_pct_premises\n"
        f"{LEEDS},Leeds,2025-07,80\n{BRADFORD},Bradford,2025-07,70\n", encoding="utf-8")
    config = CONFIG
    if names_csv is not None:
        (root / "names.csv").write_text(names_csv, encoding="utf-8")
        config += names_table or '\n[msoa_names]\nfile = "names.csv"\n'
    (root / "observatory.toml").write_text(config, encoding="utf-8")
    return root
