"""A tiny store with known figures, written with store.SCHEMA, so the web tests can assert exact
values without building the bundled workspace.

England > West Yorkshire (E47000003) > Leeds, Bradford > two wards each > one MSOA > one LSOA >
one OA per ward, and one postcode (LS1 1AA) in the first Leeds output area. Shapes are squares.
Gigabit has three releases at district level and above (real, published or rolled up) and one
synthetic release below; full fibre stops at districts, as Ofcom publishes it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import shapely

from observatory.indicators.definitions import INDICATORS
from observatory.store import SCHEMA

CA = ("E47000003", "West Yorkshire", "ca")
ENGLAND = ("E92000001", "England", "nation")
LADS = [("E08000035", "Leeds", "lad"), ("E08000032", "Bradford", "lad")]
WARDS = {
    "E08000035": [("E05001420", "Headingley", "ward"), ("E05001421", "City and Hunslet", "ward")],
    "E08000032": [("E05001346", "City", "ward"), ("E05001347", "Bolton and Undercliffe", "ward")],
}
POSTCODE = "LS1 1AA"

# premises covered by gigabit at district level, per release; all premises = 400,000 / 250,000
GIGABIT_LAD = {
    "E08000035": {"2024-07": 300_000, "2025-01": 320_000, "2025-07": 340_000},
    "E08000032": {"2024-07": 150_000, "2025-01": 175_000, "2025-07": 200_000},
}
PREMISES = {"E08000035": 400_000, "E08000032": 250_000}
SFBB_LAD = {"E08000035": 388_000, "E08000032": 220_000}  # Leeds 97%, Bradford 88%: below target
FULL_FIBRE_LAD = {"E08000035": 280_000, "E08000032": 150_000}
# The Ofcom release as a ZIP, with the members actually read from it and its checksum.
OFCOM_FILES_USED = ("202507_fixed_laua_coverage_r01.csv", "202507_fixed_laua_performance_r01.csv")
OFCOM_CHECKSUM = "3f8a9c1d2b7e4f60a5c8e9d0b1a2c3d4e5f60718293a4b5c6d7e8f9012345678"
# The synthetic demo's district roll-up of Leeds's gigabit, beside Ofcom's own figure (85%).
LEEDS_GIGABIT_ROLLED = (130, 200)


def _square(i: int, j: int, size: float = 0.1) -> bytes:
    x, y = -2.0 + i * size, 53.6 + j * size
    return shapely.box(x, y, x + size, y + size).wkb


def make_store(path: Path) -> Path:
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute(SCHEMA)
    con.executemany(
        "INSERT INTO releases (release_id, source, publisher, title, as_of, published, licence, attribution, "
        "origin, file, files_used, checksum, vintage, synthetic, rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            ("ons-gigabit-2024-07", "ons", "ONS", "Gigabit capable broadband", "2024-07", None,
             "OGL v3.0", "Source: Office for National Statistics", None, "ons.csv", None, "x",
             "LAD 2025", False, 2),
            ("ons-gigabit-2025-01", "ons", "ONS", "Gigabit capable broadband", "2025-01", None,
             "OGL v3.0", "Source: Office for National Statistics", None, "ons.csv", None, "x",
             "LAD 2025", False, 2),
            ("ofcom-laua-2025-07", "ofcom", "Ofcom", "Connected Nations fixed coverage, local authorities",
             "2025-07", "2025-12", "OGL v3.0", "Contains Ofcom data", None, "/srv/observatory/data/ofcom.zip",
             json.dumps(list(OFCOM_FILES_USED)), OFCOM_CHECKSUM, "LAD 2025", False, 2),
            ("demo-oa-2025-07", "demo", "Digital Observatory (synthetic demo)", "Synthetic output-area coverage",
             "2025-07", None, "MIT", "Synthetic: illustrative only", None, "demo.csv", None, "x",
             "OA 2011", True, 4),
        ],
    )
    areas, shapes, members, facts = [], [], [], []

    def area(code, name, level, geom=None, lonlat=(-1.5, 53.8)):
        areas.append((code, name, level, "test", lonlat[0], lonlat[1], geom))
        if geom is not None:
            shapes.append((code, level, geom))

    def fact(release_id, month, code, level, ind, num, den, method, synthetic=False, suppressed=False):
        value = None if num is None else round(100.0 * num / den, 2)
        facts.append((release_id, month, code, level, ind, num, den, value, method, suppressed, synthetic))

    area("K02000001", "United Kingdom", "uk")
    area(*ENGLAND)
    area(*CA)
    members.append((CA[0], ENGLAND[0], "nation", "lookup", 1.0))
    for i, (code, name, level) in enumerate(LADS):
        area(code, name, level, _square(i, 0, 0.2))
        members += [(code, CA[0], "ca", "lookup", 1.0), (code, ENGLAND[0], "nation", "lookup", 1.0)]
        for j, (wcode, wname, wlevel) in enumerate(WARDS[code]):
            area(wcode, wname, wlevel, _square(2 * i + j, 1))
            n = f"{i}{j}"
            msoa, lsoa, oa = f"E0200{n}000", f"E0101{n}000", f"E0005{n}000"
            area(msoa, f"{name} {n} MSOA", "msoa", _square(2 * i + j, 2))
            area(lsoa, f"{name} {n}A", "lsoa", _square(2 * i + j, 3))
            area(oa, oa, "oa", _square(2 * i + j, 4))
            chain = [(wcode, "ward"), (msoa, "msoa"), (lsoa, "lsoa"), (oa, "oa")]
            for k, (child, _) in enumerate(chain):
                for parent, plevel in [(code, "lad"), (CA[0], "ca"), (ENGLAND[0], "nation")] + chain[:k]:
                    if child != parent:
                        members.append((child, parent, plevel, "lookup", 1.0))
            # synthetic small-area figures: OAs 60%..90% gigabit, sfbb 85%..100%
            for lvl, acode in [("ward", wcode), ("msoa", msoa), ("lsoa", lsoa), ("oa", oa)]:
                k = 2 * i + j
                fact("demo-oa-2025-07", "2025-07", acode, lvl, "gigabit", 60 + 10 * k, 100, "rolled-up", True)
                fact("demo-oa-2025-07", "2025-07", acode, lvl, "sfbb", 85 + 5 * k, 100, "rolled-up", True)
            if code == "E08000035" and j == 0:
                area(POSTCODE, POSTCODE, "postcode", None, (-1.55, 53.79))
                for parent, plevel in chain + [(code, "lad"), (CA[0], "ca"), (ENGLAND[0], "nation")]:
                    members.append((POSTCODE, parent, plevel, "spatial", 1.0))
                fact("demo-oa-2025-07", "2025-07", POSTCODE, "postcode", "gigabit", 7, 10, "published", True)
                fact("demo-oa-2025-07", "2025-07", POSTCODE, "postcode", "sfbb", 10, 10, "published", True)

    # The demo's roll-up to districts, kept beside the published figure (seen with all_methods).
    fact("demo-oa-2025-07", "2025-07", "E08000035", "lad", "gigabit", *LEEDS_GIGABIT_ROLLED, "rolled-up", True)
    for code, months in GIGABIT_LAD.items():
        for month, num in months.items():
            rid = "ofcom-laua-2025-07" if month == "2025-07" else f"ons-gigabit-{month}"
            fact(rid, month, code, "lad", "gigabit", num, PREMISES[code], "published")
        fact("ofcom-laua-2025-07", "2025-07", code, "lad", "sfbb", SFBB_LAD[code], PREMISES[code], "published")
        fact("ofcom-laua-2025-07", "2025-07", code, "lad", "full_fibre", FULL_FIBRE_LAD[code], PREMISES[code], "published")
    total = sum(PREMISES.values())
    for parent, level in [(CA[0], "ca"), (ENGLAND[0], "nation")]:
        for month in ("2024-07", "2025-01", "2025-07"):
            num = sum(GIGABIT_LAD[c][month] for c in GIGABIT_LAD)
            rid = "ofcom-laua-2025-07" if month == "2025-07" else f"ons-gigabit-{month}"
            fact(rid, month, parent, level, "gigabit", num, total, "rolled-up")
        fact("ofcom-laua-2025-07", "2025-07", parent, level, "sfbb", sum(SFBB_LAD.values()), total, "rolled-up")
        fact("ofcom-laua-2025-07", "2025-07", parent, level, "full_fibre", sum(FULL_FIBRE_LAD.values()), total, "rolled-up")

    con.executemany("INSERT INTO areas (code, name, level, vintage, lon, lat, geometry) VALUES (?, ?, ?, ?, ?, ?, ?)", areas)
    con.executemany("INSERT INTO shapes VALUES (?, ?, ?)", shapes)
    con.executemany("INSERT INTO membership (child, parent, parent_level, method, weight) VALUES (?, ?, ?, ?, ?)", members)
    con.executemany("INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", facts)
    con.executemany(
        "INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (i.id, i.label, i.unit, i.definition, i.citation, i.direction,
             i.finest_level, i.has_counts)
            for i in INDICATORS.values()
        ],
    )
    con.execute("INSERT INTO meta VALUES ('built', '2025-12-01T00:00:00'), ('workspace', 'West Yorkshire'), ('region_code', 'E47000003')")
    con.close()
    return path


def make_variant(base: Path, path: Path, *statements: str) -> Path:
    """A copy of a fixture store with some SQL applied: a rebuilt store, as it were."""
    path.unlink(missing_ok=True)
    shutil.copyfile(base, path)
    con = duckdb.connect(str(path))
    for sql in statements:
        con.execute(sql)
    con.close()
    return path


# Headingley's gigabit figure withheld (too few premises), as a build suppresses it.
SUPPRESS_HEADINGLEY = (
    "UPDATE facts SET suppressed = true, numerator = NULL, denominator = NULL, value = NULL "
    "WHERE area_code = 'E05001420' AND indicator = 'gigabit'"
)


def suppress_below(n: int) -> str:
    return f"INSERT OR REPLACE INTO meta VALUES ('suppress_below', '{n}')"
