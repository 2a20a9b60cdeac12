"""A tiny valid workspace, and named ways to break one of its files.

`make_workspace(dir)` writes a workspace trimmed from the bundled West Yorkshire data: the five
districts only (LA table, take-up table, ONS series), their LAD 2025 boundaries, 30 Calderdale
output areas, 30 HX1 postcodes (plus two NSPL rows with no coordinates) and a release ZIP holding
an output-area file (with a BOM, as Ofcom ships it) and one postcode-area file. It builds in about
a second.

`corrupt(ws, case)` breaks exactly one file of such a workspace the way real downloads break, and
returns the path of the file it changed. CASES lists every case; the tests say what each must do.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "west-yorkshire"
DATA = EXAMPLE / "data"
DISTRICTS = ["E08000032", "E08000033", "E08000034", "E08000035", "E08000036"]
N_OA = 30
N_POSTCODES = 30
UNLOCATED = 2  # NSPL rows with an empty latitude and longitude 0

LAUA = "data/coverage/ofcom_202507_fixed_laua_coverage_r01.csv"
TAKEUP = "data/coverage/ofcom_202507_full_fibre_take-up_laua_r01.csv"
ONS = "data/coverage/ons_els_gigabit_capable_broadband_la_timeseries.csv"
ZIP = "data/coverage/202507_fixed_broadband_coverage_r01.zip"
LAD = "data/boundaries/wy_lad2025.geojson"
OA = "data/boundaries/oa2011.geojson.gz"
POSTCODES = "data/postcodes/nspl_hx1.csv.gz"
CONFIG = "observatory.toml"
OA_MEMBER = "202507_fixed_oa_coverage_r01.csv"
PC_MEMBER = "202507_fixed_pc_coverage_r01_HX.csv"

TOML = f'''[workspace]
name = "Corpus"
region_code = "E47000003"
region_name = "West Yorkshire Combined Authority"
districts = {json.dumps(DISTRICTS)}

[build]
suppress_below = 5

[boundaries.oa]
file = "{OA}"
code = "OA11CD"
vintage = "OA 2011"

[boundaries.lad]
file = "{LAD}"
code = "LAD25CD"
name = "LAD25NM"
vintage = "LAD 2025"

[postcodes]
file = "{POSTCODES}"

[[sources]]
key = "ofcom-laua-2025-07"
kind = "ofcom-laua-coverage"
file = "{LAUA}"
as_of = "2025-07"
publisher = "Ofcom"
title = "Fixed coverage by local authority"
licence = "Open Government Licence v3.0"

[[sources]]
key = "ofcom-takeup-2025-07"
kind = "ofcom-full-fibre-takeup"
file = "{TAKEUP}"
as_of = "2025-07"
publisher = "Ofcom"
title = "Full-fibre take-up by local authority"
licence = "Open Government Licence v3.0"

[[sources]]
key = "ons-gigabit"
kind = "ons-gigabit-series"
file = "{ONS}"
publisher = "Office for National Statistics"
title = "Gigabit-capable broadband, local authorities"
licence = "Open Government Licence v3.0"

[[sources]]
key = "ofcom-small-areas-2025-07"
kind = "ofcom-small-area-zip"
file = "{ZIP}"
as_of = "2025-07"
vintage = "OA 2011"
synthetic = true
publisher = "Digital Observatory demo generator"
title = "Illustrative output-area and postcode coverage (synthetic)"
licence = "MIT"
'''


# -- reading and writing CSV as lists of rows -----------------------------------------------------
def _rows(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _csv(rows: list[list[str]], bom: bool = False, crlf: bool = False) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n" if crlf else "\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8")


def _read(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


def _write(path: Path, raw: bytes) -> None:
    path.write_bytes(gzip.compress(raw, mtime=0) if path.suffix == ".gz" else raw)


def edit_rows(path: Path, change: Callable[[list[list[str]]], None], **style: bool) -> Path:
    """Rewrite a CSV (plain or .gz) after `change` edits its rows in place (header = rows[0])."""
    rows = _rows(_read(path))
    change(rows)
    _write(path, _csv(rows, **style))
    return path


def set_cell(path: Path, row: int, column: str, value: str) -> Path:
    """Set one cell, `row` numbered as a spreadsheet shows it (the header is row 1)."""

    def change(rows: list[list[str]]) -> None:
        rows[row - 1][rows[0].index(column)] = value

    return edit_rows(path, change)


def edit_member(ws: Path, member: str, change: Callable[[list[list[str]]], None]) -> Path:
    """Rewrite one CSV inside the release ZIP, keeping the others (and the BOM) as they were."""
    path = ws / ZIP
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    rows = _rows(members[member])
    change(rows)
    members[member] = _csv(rows, bom=members[member].startswith(b"\xef\xbb\xbf"))
    _zip(path, members)
    return path


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, raw in members.items():
            zf.writestr(n, raw)


def _geojson(path: Path) -> dict:
    return json.loads(_read(path))


def _put_geojson(path: Path, data: dict) -> None:
    _write(path, json.dumps(data).encode("utf-8"))


# -- the valid workspace --------------------------------------------------------------------------
def make_workspace(root: Path) -> Path:
    """A small valid workspace in `root` (created); returns `root`."""
    for sub in ("data/coverage", "data/boundaries", "data/postcodes"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / CONFIG).write_text(TOML, encoding="utf-8")
    cov = DATA / "coverage"

    def districts_only(src: Path, dst: str) -> None:
        rows = _rows(src.read_bytes())
        code = 0
        _write(root / dst, _csv([rows[0]] + [r for r in rows[1:] if r[code] in DISTRICTS]))

    districts_only(cov / "ofcom_202507_fixed_laua_coverage_r01.csv", LAUA)
    districts_only(cov / "ofcom_202507_full_fibre_take-up_laua_r01.csv", TAKEUP)
    districts_only(cov / "ons_els_gigabit_capable_broadband_la_timeseries.csv", ONS)
    shutil.copyfile(DATA / "boundaries" / "wy_lad2025.geojson", root / LAD)

    oa = _geojson(DATA / "boundaries" / "wy_oa2011.geojson.gz")
    oa["features"] = [f for f in oa["features"] if f["properties"]["LAD_CODE"] == "E08000033"][:N_OA]
    _put_geojson(root / OA, oa)
    oa_codes = {f["properties"]["OA11CD"] for f in oa["features"]}

    pcs = _rows(_read(DATA / "postcodes" / "wy_postcode_areas_latlon_nspl_may2025.csv.gz"))
    located = [r for r in pcs[1:] if r[0].startswith("HX1 ") and r[1]][:N_POSTCODES]
    unlocated = [r for r in pcs[1:] if r[1] == ""][:UNLOCATED]
    _write(root / POSTCODES, _csv([pcs[0]] + located + unlocated))
    pc_codes = {r[0].replace(" ", "") for r in located}

    with zipfile.ZipFile(cov / "202507_fixed_broadband_coverage_r01_SYNTHETIC.zip") as zf:
        oa_rows = _rows(zf.read(OA_MEMBER))
        pc_rows = _rows(zf.read(PC_MEMBER))
    _zip(root / ZIP, {
        OA_MEMBER: _csv([oa_rows[0]] + [r for r in oa_rows[1:] if r[0] in oa_codes], bom=True),
        PC_MEMBER: _csv([pc_rows[0]] + [r for r in pc_rows[1:] if r[0] in pc_codes], bom=True),
    })
    return root


# -- the ways to break it -------------------------------------------------------------------------
SFBB_COUNT = "Number of premises with SFBB availability"
SFBB_PCT = "SFBB availability (% premises)"
GIGABIT_COUNT = "Number of premises with Gigabit availability"
BELOW_USO = "Number of premises below the USO"
NOMIS_PREAMBLE = (
    '"Gigabit-capable broadband, local authorities"\n'
    '"ONS Crown Copyright Reserved [from Nomis on 1 November 2025]"\n'
    '"geography:","local authorities: district / unitary"\n'
    "\n"
)


def _drop_column(column: str) -> Callable[[list[list[str]]], None]:
    def change(rows: list[list[str]]) -> None:
        i = rows[0].index(column)
        for r in rows:
            del r[i]

    return change


def _rename_column(old: str, new: str) -> Callable[[list[list[str]]], None]:
    def change(rows: list[list[str]]) -> None:
        rows[0][rows[0].index(old)] = new

    return change


def _duplicate_row(n: int) -> Callable[[list[list[str]]], None]:
    def change(rows: list[list[str]]) -> None:
        rows.insert(n, list(rows[n - 1]))

    return change


def _over_denominator(rows: list[list[str]]) -> None:
    h = rows[0]
    rows[5][h.index(GIGABIT_COUNT)] = str(int(rows[5][h.index("All Premises")]) + 1)


def _latin1(ws: Path) -> Path:
    path = ws / LAUA
    text = _read(path).decode("utf-8").replace("Kirklees", "Kirkl\u00e9es")
    path.write_bytes(text.encode("latin-1"))
    return path


def _truncate(rel: str) -> Callable[[Path], Path]:
    def run(ws: Path) -> Path:
        path = ws / rel
        raw = path.read_bytes()
        path.write_bytes(raw[: len(raw) // 2])
        return path

    return run


def _feature_geometry(geometry: dict | None, code: str = "E08000034") -> Callable[[Path], Path]:
    def run(ws: Path) -> Path:
        path = ws / LAD
        data = _geojson(path)
        for f in data["features"]:
            if f["properties"]["LAD25CD"] == code:
                f["geometry"] = geometry
        _put_geojson(path, data)
        return path

    return run


def bowtie(ws: Path) -> Path:
    """Make one output area's ring cross itself, as generalisation does; it must be repaired."""
    import shapely

    path = ws / OA
    data = _geojson(path)
    geom = data["features"][3]["geometry"]
    ring = geom["coordinates"][0] if geom["type"] == "Polygon" else geom["coordinates"][0][0]
    for i in range(1, len(ring) - 2):
        twisted = ring[:i] + [ring[i + 1], ring[i]] + ring[i + 2:]
        if not shapely.Polygon(twisted).is_valid:
            ring[:] = twisted
            break
    else:
        raise AssertionError("could not make the polygon invalid")
    _put_geojson(path, data)
    return path


def british_national_grid(ws: Path, declare: bool = False) -> Path:
    """Reproject the districts to EPSG:27700; write them without a crs member unless `declare`."""
    import pyproj
    import shapely

    path = ws / LAD
    data = _geojson(path)
    bng = pyproj.Transformer.from_crs(4326, 27700, always_xy=True)

    def to_bng(xy):
        return list(zip(*bng.transform(xy[:, 0], xy[:, 1]), strict=True))

    for f in data["features"]:
        g = shapely.geometry.shape(f["geometry"])
        f["geometry"] = shapely.geometry.mapping(shapely.transform(g, to_bng))
    data.pop("crs", None)
    if declare:
        data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    _put_geojson(path, data)
    return path


def _config(change: Callable[[str], str]) -> Callable[[Path], Path]:
    def run(ws: Path) -> Path:
        path = ws / CONFIG
        text = path.read_text(encoding="utf-8")
        new = change(text)
        assert new != text, "the configuration edit matched nothing"
        path.write_text(new, encoding="utf-8")
        return path

    return run


def _wrong_vintage(rows: list[list[str]]) -> None:
    # OA 2021 codes start at E00167xxx; none is in the 2011 boundaries.
    for i, r in enumerate(rows[1:]):
        r[0] = f"E00{180000 + i}"


def _not_a_zip(ws: Path) -> Path:
    path = ws / ZIP
    path.write_bytes(b"<!DOCTYPE html><html><body>Access denied</body></html>\n")
    return path


def _no_ofcom_members(ws: Path) -> Path:
    path = ws / ZIP
    _zip(path, {"README.txt": b"Connected Nations 2025\n", "fixed_coverage_notes.csv": b"a,b\n1,2\n"})
    return path


def _on(rel: str, change: Callable[[list[list[str]]], None], **style: bool) -> Callable[[Path], Path]:
    return lambda ws: edit_rows(ws / rel, change, **style)


def _cell(rel: str, row: int, column: str, value: str) -> Callable[[Path], Path]:
    return lambda ws: set_cell(ws / rel, row, column, value)


def _raw(rel: str, raw: bytes) -> Callable[[Path], Path]:
    def run(ws: Path) -> Path:
        (ws / rel).write_bytes(raw)
        return ws / rel

    return run


def _prepend(rel: str, text: str) -> Callable[[Path], Path]:
    def run(ws: Path) -> Path:
        path = ws / rel
        _write(path, text.encode("utf-8") + _read(path))
        return path

    return run


def _header_only(rel: str) -> Callable[[Path], Path]:
    return _on(rel, lambda rows: rows.__delitem__(slice(1, None)))


def _repeat_header(rows: list[list[str]]) -> None:
    """A second "All Premises" column at the end (a spreadsheet paste gone wrong)."""
    rows[0].append("All Premises")
    for r in rows[1:]:
        r.append("1")


def _fractions(rows: list[list[str]]) -> None:
    """Superfast percentages saved as fractions (Excel's 0.955 for 95.5%)."""
    i = rows[0].index(SFBB_PCT)
    for r in rows[1:]:
        r[i] = f"{float(r[i]) / 100:.3f}"


def _swap_postcode_coordinates(rows: list[list[str]]) -> None:
    lat, lon = rows[0].index("lat"), rows[0].index("lon")
    for r in rows[1:]:
        r[lat], r[lon] = r[lon], r[lat]


def _swap_geometry(ws: Path) -> Path:
    """Output-area polygons with every (longitude, latitude) pair written as (latitude, longitude)."""
    path = ws / OA
    data = _geojson(path)

    def swap(coords):
        return [swap(c) for c in coords] if isinstance(coords[0], list) else [coords[1], coords[0]]

    for f in data["features"]:
        f["geometry"]["coordinates"] = swap(f["geometry"]["coordinates"])
    _put_geojson(path, data)
    return path


def _recode_bytes(rel: str, change: Callable[[bytes], bytes]) -> Callable[[Path], Path]:
    """The whole file's bytes changed at once (delimiter, encoding, an appended line)."""
    def apply(ws: Path) -> Path:
        _write(ws / rel, change(_read(ws / rel)))
        return ws / rel
    return apply


def _zip_bomb(ws: Path) -> Path:
    """A release ZIP whose output-area member is 64 MB of nothing that compresses 1000:1."""
    path = ws / ZIP
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members[OA_MEMBER] = members[OA_MEMBER] + b"0" * (64 << 20)
    _zip(path, members)
    return path


def _renamed_members(month: str) -> Callable[[Path], Path]:
    """The release ZIP of another month (its members say so) under the configured source."""
    def change(ws: Path) -> Path:
        path = ws / ZIP
        with zipfile.ZipFile(path) as zf:
            members = {n.replace("202507", month): zf.read(n) for n in zf.namelist()}
        _zip(path, members)
        return path
    return change


def _oa_codes_from_elsewhere(rows: list[list[str]]) -> None:
    """Twelve of the thirty output areas replaced by codes of output areas elsewhere."""
    i = rows[0].index("output_area") if "output_area" in rows[0] else 0
    for n, r in enumerate(rows[1:13]):
        r[i] = f"E00{990000 + n}"


def _second_table_same_month(ws: Path) -> Path:
    """A second local-authority table labelled July 2025 whose figures are another month's."""
    src = ws / LAUA
    other = src.with_name("ofcom_202601_fixed_laua_coverage_r01.csv")
    rows = _rows(_read(src))
    i = rows[0].index(SFBB_PCT)
    c = rows[0].index(SFBB_COUNT)
    t = rows[0].index("All Premises")
    for r in rows[1:]:
        r[c] = str(int(r[c]) - 2000)
        r[i] = f"{100 * int(r[c]) / int(r[t]):.1f}"
    _write(other, _csv(rows))
    config = ws / CONFIG
    text = config.read_text(encoding="utf-8")
    block = text[text.index("[[sources]]"):text.index("[[sources]]", text.index("[[sources]]") + 1)]
    config.write_text(text + "\n" + block.replace('key = "ofcom-laua-2025-07"', 'key = "ofcom-laua-2026-01"')
                      .replace(LAUA, "data/coverage/" + other.name), encoding="utf-8")
    return config


CASES: dict[str, Callable[[Path], Path]] = {
    # Ofcom's local-authority table
    "missing-column": _on(LAUA, _drop_column(BELOW_USO)),
    "renamed-column": _on(LAUA, _rename_column(GIGABIT_COUNT, "Number of premises with gigabit availability ")),
    "not-a-number": _cell(LAUA, 4, SFBB_COUNT, "12a"),
    "not-whole": _cell(LAUA, 3, SFBB_COUNT, "1234.5"),
    "percent-over-100": _cell(LAUA, 5, SFBB_PCT, "100.4"),
    "negative-count": _cell(LAUA, 2, BELOW_USO, "-3"),
    "numerator-above-denominator": _on(LAUA, _over_denominator),
    "duplicate-area": _on(LAUA, _duplicate_row(3)),
    "unknown-district": _cell(LAUA, 6, "laua", "E08000099"),
    "empty-file": _raw(LAUA, b""),
    "blank-lines-only": _raw(LAUA, b"\r\n\r\n"),
    "header-only": _header_only(LAUA),
    "ragged-row": _on(LAUA, lambda rows: rows[3].append("99")),
    "infinite-premises": _cell(LAUA, 3, "All Premises", "inf"),
    "overflowing-premises": _cell(LAUA, 3, "All Premises", "1e400"),
    "blank-premises": _cell(LAUA, 4, "All Premises", ""),
    "repeated-header": _on(LAUA, _repeat_header),
    "percent-as-fraction": _on(LAUA, _fractions),
    "percent-disagrees-with-count": _cell(LAUA, 4, SFBB_PCT, "50.0"),
    "latin-1": _latin1,
    # the take-up table and the ONS series
    "takeup-percent-over-100": _cell(TAKEUP, 3, "Full-fibre take-up (% of all premises)", "101"),
    "nomis-preamble": _prepend(ONS, NOMIS_PREAMBLE),
    "bad-period": _cell(ONS, 7, "period", "July 2025"),
    # gzip
    "truncated-gzip-postcodes": _truncate(POSTCODES),
    "truncated-gzip-boundaries": _truncate(OA),
    # boundaries
    "empty-geometry": _feature_geometry({"type": "Polygon", "coordinates": []}),
    "null-geometry": _feature_geometry(None),
    "projected-without-crs": british_national_grid,
    "boundary-code-property": _config(lambda t: t.replace('code = "LAD25CD"', 'code = "LAD24CD"')),
    # postcodes
    "postcode-garbage-coordinates": _cell(POSTCODES, 5, "lat", "53.7x"),
    "postcode-eastings-as-degrees": _cell(POSTCODES, 6, "lon", "409876"),
    "duplicate-postcode": _on(POSTCODES, _duplicate_row(4)),
    # a download cut off mid-row: the postcode, and nothing after it
    "postcode-row-cut-short": _on(POSTCODES, lambda rows: rows.__setitem__(slice(4, None), [rows[4][:1]])),
    "postcode-lat-lon-swapped": _on(POSTCODES, _swap_postcode_coordinates),
    "boundary-lat-lon-swapped": _swap_geometry,
    "as-of-missing": _config(lambda t: t.replace('as_of = "2025-07"\n', "", 1)),
    "semicolon-delimited": _recode_bytes(LAUA, lambda raw: raw.replace(b",", b";")),
    "utf-16": _recode_bytes(LAUA, lambda raw: raw.decode("utf-8").encode("utf-16")),
    "excel-renamed-csv": _raw(LAUA, b"PK\x03\x04\x14\x00\x06\x00" + b"[Content_Types].xml" + b"\x00" * 200),
    "one-huge-line": _recode_bytes(LAUA, lambda raw: raw + b"E08000099," + b"9" * 2_000_000 + b"\n"),
    "zip-bomb": _zip_bomb,
    "zip-of-another-month": _renamed_members("202601"),
    "zip-oa-codes-from-elsewhere": lambda ws: edit_member(ws, OA_MEMBER, _oa_codes_from_elsewhere),
    "two-sources-one-month": _second_table_same_month,
    "key-equals-a-series-release": _config(lambda t: t.replace('key = "ofcom-takeup-2025-07"', 'key = "ons-gigabit-2025-07"')),
    # observatory.toml
    "toml-typo-top-level": _config(lambda t: t.replace("[[sources]]", "[[sourcs]]", 1)),
    "toml-typo-key": _config(lambda t: t.replace("suppress_below", "suppress_bellow")),
    "toml-syntax": _config(lambda t: t.replace('name = "Corpus"', 'name = "Corpus')),
    "source-file-missing": _config(lambda t: t.replace(TAKEUP, "data/coverage/takeup.csv")),
    "unknown-kind": _config(lambda t: t.replace('"ofcom-full-fibre-takeup"', '"ofcom-fibre-takeup"')),
    "bad-as-of": _config(lambda t: t.replace('as_of = "2025-07"', 'as_of = "2025-13"', 1)),
    "unknown-region-district": _config(lambda t: t.replace('"E08000036"]', '"E08000037"]')),
    # the release ZIP
    "zip-not-a-zip": _not_a_zip,
    "zip-no-ofcom-members": _no_ofcom_members,
    "zip-wrong-vintage": lambda ws: edit_member(ws, OA_MEMBER, _wrong_vintage),
    "zip-member-bad-cell": lambda ws: edit_member(ws, OA_MEMBER, lambda rows: rows[3].__setitem__(
        rows[0].index(SFBB_COUNT), "n/a")),
    "zip-member-row-cut-short": lambda ws: edit_member(ws, PC_MEMBER, lambda rows: rows[2].__delitem__(slice(3, None))),
}


def corrupt(ws: Path, case: str) -> Path:
    """Break one file of the workspace `ws` as `case` says; returns the file changed."""
    return CASES[case](ws)


# -- valid variants that must read exactly as the plain files do ---------------------------------
def restyle(ws: Path, *, bom: bool = False, crlf: bool = False) -> None:
    """Rewrite every CSV of the workspace, the ZIP's members too, with or without a byte-order
    mark and with CRLF or LF line endings (all valid; Ofcom ships each)."""
    for rel in (LAUA, TAKEUP, ONS, POSTCODES):
        edit_rows(ws / rel, lambda rows: None, bom=bom, crlf=crlf)
    with zipfile.ZipFile(ws / ZIP) as zf:
        members = {n: _csv(_rows(zf.read(n)), bom=bom, crlf=crlf) for n in zf.namelist()}
    _zip(ws / ZIP, members)
