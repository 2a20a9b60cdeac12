"""Bad input: every malformed file gives one clear message and leaves the previous store alone.

Each case (tests/corpus.py) breaks one file of a small valid workspace that has already been built.
`observatory build` must then exit 2 with one `Error:` line naming the file, the row and column
where they apply, what was expected and the fix; print no traceback; and leave the store it built
before byte for byte as it was, still readable. Some inputs look wrong but are valid and must read
silently: byte-order marks, CRLF line endings, postcodes without coordinates, self-intersecting
polygons (repaired and counted) and boundaries that declare a projected CRS (reprojected).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import observatory
from observatory import pipeline
from observatory.cli import app
from observatory.errors import ObservatoryError

from . import corpus

LAUA = "ofcom_202507_fixed_laua_coverage_r01.csv"
TAKEUP = "ofcom_202507_full_fibre_take-up_laua_r01.csv"
ONS = "ons_els_gigabit_capable_broadband_la_timeseries.csv"
ZIP = "202507_fixed_broadband_coverage_r01.zip"
NSPL = "nspl_hx1.csv.gz"
CFG = "{ws}/observatory.toml"
AS_PUBLISHED = "Use the file as the publisher ships it, or rename the column back."
FIX_CELL = "Fix the cell or remove the row."
WHOLE = "Expected a whole number, 0 or more."
PERCENT = "Expected a number from 0 to 100."
GZIP = ("the gzip file is truncated or damaged (Compressed file ended before the end-of-stream marker "
        "was reached). Download the file again, or decompress it to see what is left.")
NO_GEOMETRY = ('wy_lad2025.geojson, row 3, column "geometry": feature E08000034 has no geometry. '
               "Expected a polygon or multipolygon. Remove the feature or download the file again.")

# The whole message each case must give ("{ws}" is the workspace folder); a tuple lists parts of a
# message whose middle comes from a library (tomllib's wording).
SWAPPED = ("latitude and longitude look swapped (swapped back, they fall in place). Expected points within {where}. "
           "Swap the latitude and longitude columns (in GeoJSON, each position is [longitude, latitude]).")

EXPECTED: dict[str, str | tuple[str, ...]] = {
    # accepted before with exit 0 and wrong figures: now refused
    "infinite-premises": (
        f'{LAUA}, row 3, column "All Premises": "inf" is not a finite number. Expected a whole number, 0 or '
        "more. Fix the cell or remove the row."
    ),
    "overflowing-premises": (
        f'{LAUA}, row 3, column "All Premises": "1e400" is not a finite number. Expected a whole number, 0 or '
        "more. Fix the cell or remove the row."
    ),
    "blank-premises": (
        f'{LAUA}, row 4, column "All Premises": the cell is blank. Expected a whole number, 0 or more. Fill in '
        "the count from the publisher's file, or remove the row."
    ),
    "repeated-header": (
        f'{LAUA}, row 1, column "All Premises": the header "All Premises" appears twice (columns 3 and 41). '
        "Expected each column heading once. Delete or rename one of the two columns."
    ),
    "percent-as-fraction": (
        f'{LAUA}, row 2, column "SFBB availability (% premises)": "0.984" is a fraction, not a percentage: the '
        "count gives 98.4%. Expected percentages from 0 to 100 (95.5, not 0.955). Re-save the file without "
        "percentage formatting, or download it again."
    ),
    "percent-disagrees-with-count": (
        f'{LAUA}, row 4, column "SFBB availability (% premises)": "50.0" disagrees with its own count, which '
        "gives 98.8% of All Premises. Expected the count's share of All Premises, to one decimal place. Fix "
        "the cell or the count; if the file is as the publisher shipped it, report it to them."
    ),
    "postcode-lat-lon-swapped": (
        f'{NSPL}, column "lat": 100% of its 30 points lie outside the United Kingdom: '
        + SWAPPED.format(where="the United Kingdom")
    ),
    "boundary-lat-lon-swapped": (
        "oa2011.geojson.gz: 100% of its 30 points lie outside the region's districts (West Yorkshire Combined "
        "Authority): " + SWAPPED.format(where="the region's districts (West Yorkshire Combined Authority)")
    ),
    "semicolon-delimited": (
        f"{LAUA}, row 1: the columns are separated by semicolons, not commas. Expected comma-separated values, "
        "as the publisher ships the file. Save it as 'CSV UTF-8 (comma delimited)', or download the file again."
    ),
    "utf-16": (
        f"{LAUA}: the file is UTF-16 text (little-endian), not UTF-8. Expected CSV text in UTF-8. Re-save it "
        "as UTF-8 (in Excel: 'CSV UTF-8'), or download the file again."
    ),
    "excel-renamed-csv": (
        f"{LAUA}: the file is an Excel workbook (.xlsx) or another ZIP archive, not CSV text. Expected CSV "
        "text in UTF-8. Open it in Excel and save as 'CSV UTF-8 (comma delimited)', or download the CSV again."
    ),
    "one-huge-line": (
        f"{LAUA}, row 7: the line is 2,000,010 characters long. Expected CSV rows of at most 1,000,000 "
        "characters. The file is damaged or not the publisher's: download it again."
    ),
    "zip-bomb": (
        "202507_fixed_broadband_coverage_r01.zip: member 202507_fixed_oa_coverage_r01.csv would expand to ",
        " times its compressed size). Expected members under 1,073,741,824 bytes, as Ofcom's are. The "
        "archive is damaged or not Ofcom's: download the release ZIP again.",
    ),
    "zip-of-another-month": (
        f"{CFG}: source 'ofcom-small-areas-2025-07' says as_of = \"2025-07\", but the files in "
        "202507_fixed_broadband_coverage_r01.zip are named for 2026-01 (202601_fixed_oa_coverage_r01.csv). "
        'Set as_of = "2026-01", or point the source at the release you meant.'
    ),
    "zip-oa-codes-from-elsewhere": (
        '202507_fixed_broadband_coverage_r01.zip, column "output_area": 12 of the 30 output areas in the '
        "boundaries (40%) have no row in the output-area file, which holds 12 codes from elsewhere. Expected "
        "a row for every output area in the region. Use the complete output-area file from Ofcom's release "
        "ZIP (of the boundaries' vintage)."
    ),
    "two-sources-one-month": (
        f"{CFG}: sources 'ofcom-laua-2025-07' and 'ofcom-laua-2026-01' both give sfbb for 2025-07 and disagree "
        "for 5 areas (e.g. E08000032: 98.4% and 97.5%, largest difference 1.9 points). One of them is "
        "probably another month: check each file's as_of (Ofcom's file names start with the month, e.g. "
        "202507), or keep one."
    ),
    "key-equals-a-series-release": (
        f"{CFG}: source 'ons-gigabit' would make a release named 'ons-gigabit-2025-07', which source "
        "'ons-gigabit-2025-07' already makes (a series names each month's release KEY-YYYY-MM). Give the "
        "source another key."
    ),
    "as-of-missing": (
        f"{CFG}: [[sources]] number 1 (key 'ofcom-laua-2025-07'): as_of is missing. A file of kind "
        'ofcom-laua-coverage does not say which month it describes: add as_of = "YYYY-MM", Ofcom\'s snapshot '
        'month (the first six digits of its file name, e.g. 202507 -> as_of = "2025-07").'
    ),
    "missing-column": (
        f'{LAUA}, row 1, column "Number of premises below the USO": the column is missing. '
        f'Expected a column headed "Number of premises below the USO". {AS_PUBLISHED}'
    ),
    "renamed-column": (
        f'{LAUA}, row 1, column "Number of premises with Gigabit availability": the column is missing. '
        'A column named "Number of premises with gigabit availability" is there: was it renamed? '
        f'Expected a column headed "Number of premises with Gigabit availability". {AS_PUBLISHED}'
    ),
    "not-a-number": (
        f'{LAUA}, row 4, column "Number of premises with SFBB availability": "12a" is not a whole number '
        f"of premises. {WHOLE} {FIX_CELL}"
    ),
    "not-whole": (
        f'{LAUA}, row 3, column "Number of premises with SFBB availability": "1234.5" is not a whole '
        f"number of premises. {WHOLE} {FIX_CELL}"
    ),
    "percent-over-100": (
        f'{LAUA}, row 5, column "SFBB availability (% premises)": "100.4" is a percentage over 100. '
        f"{PERCENT} {FIX_CELL}"
    ),
    "negative-count": (
        f'{LAUA}, row 2, column "Number of premises below the USO": "-3" is a negative number of premises. '
        f"{WHOLE} {FIX_CELL}"
    ),
    "numerator-above-denominator": (
        f'{LAUA}, row 6, column "Number of premises with Gigabit availability": 173707 premises is more '
        'than "All Premises" (173706) on the same row. Expected a number no larger than "All Premises". '
        "Fix the cell; the file may be damaged, so download it again."
    ),
    "duplicate-area": (
        f'{LAUA}, row 4, column "laua": area code "E08000033" appears twice (rows 3 and 4). '
        "Expected one row per area. Remove the duplicate row."
    ),
    "unknown-district": (
        f'{LAUA}, row 6, column "laua": "E08000099" is not a district in the workspace\'s district '
        "boundaries. Expected the LAD 2025 code (a letter and eight digits) of one of the workspace's districts. "
        "Fix the code, or map an old code to its "
        "successor in [code_changes] of observatory.toml."
    ),
    "empty-file": f"{LAUA}: the file is empty. Download the file again.",
    "blank-lines-only": f"{LAUA}: the file is empty. Download the file again.",
    "header-only": (
        f"{LAUA}, row 2: has a header but no rows of data. Download the file again; it may have been cut short."
    ),
    "ragged-row": (
        f"{LAUA}, row 4: the row has 41 cells but the header has 40. Expected the same number of cells "
        "on every row. Fix the row, or download the file again."
    ),
    "latin-1": (
        f'{LAUA}, row 4, column "laua_name": byte 0xe9 is not UTF-8 text (the file looks like Latin-1 or '
        "Windows-1252). Expected UTF-8, as the publishers ship their files. Re-save the file as UTF-8 "
        "(in Excel: 'CSV UTF-8'), or download it again."
    ),
    "takeup-percent-over-100": (
        f'{TAKEUP}, row 3, column "Full-fibre take-up (% of all premises)": "101" is a percentage over 100. '
        f"{PERCENT} {FIX_CELL}"
    ),
    "nomis-preamble": (
        f"{ONS}, row 1: the first 4 lines look like a title or notes; the header is on row 5. Expected the "
        "column names on the first line. Delete rows 1 to 4 so the header is the first line."
    ),
    "bad-period": (
        f'{ONS}, row 7, column "period": "July 2025" is not a period. Expected a month like 2025-07 or a '
        f"date like 2025-07-01. {FIX_CELL}"
    ),
    "truncated-gzip-postcodes": f"{NSPL}: {GZIP}",
    "truncated-gzip-boundaries": f"oa2011.geojson.gz: {GZIP}",
    "empty-geometry": NO_GEOMETRY,
    "null-geometry": NO_GEOMETRY,
    "projected-without-crs": (
        "wy_lad2025.geojson: coordinates run to (452992, 451902), which are not longitude and latitude: "
        "the file looks projected (e.g. British National Grid metres) without saying so. Expected GeoJSON "
        "in WGS84 longitude/latitude (RFC 7946). Reproject it, e.g. `ogr2ogr -t_srs EPSG:4326 out.geojson "
        "in.geojson`, or export as WGS84."
    ),
    "boundary-code-property": (
        'wy_lad2025.geojson, row 1, column "LAD24CD": the property is missing from the features. Expected '
        "a property named LAD24CD (set in observatory.toml). Fix the column name in [boundaries.lad] of "
        "observatory.toml. The file has: LAD25CD, LAD25NM."
    ),
    "postcode-garbage-coordinates": (
        f'{NSPL}, row 5, column "lat": "53.7x" is not a coordinate. Expected decimal degrees (WGS84). '
        "Fix the cell, or leave it empty if the postcode has no location."
    ),
    "postcode-eastings-as-degrees": (
        f'{NSPL}, row 6, column "lon": (53.72152, 409876.0) is not a latitude and longitude. Expected WGS84 '
        "degrees (latitude -90..90, longitude -180..180). Use the NSPL's lat/long columns, not its "
        "eastings and northings."
    ),
    "duplicate-postcode": (
        f'{NSPL}, row 5, column "postcode": postcode "HX1 1AD" appears twice. Expected one row per '
        "postcode. Remove the duplicate row."
    ),
    "toml-typo-top-level": (
        f"{CFG}: unknown key 'sourcs' in the top level. Did you mean 'sources'? Allowed keys: boundaries, "
        "build, challenges, code_changes, inclusion, lookups, metrics, msoa_names, postcodes, programme, records, sources, "
        "workspace."
    ),
    "toml-typo-key": (
        f"{CFG}: unknown key 'suppress_bellow' in [build]. Did you mean 'suppress_below'? "
        "Allowed keys: suppress_below."
    ),
    "toml-syntax": (f"{CFG}: not valid TOML (", "line 2", "). Fix the line it names."),
    "source-file-missing": (
        f"{CFG}: [[sources]] number 2.file = 'data/coverage/takeup.csv' does not exist (looked for "
        "{ws}/data/coverage/takeup.csv). Fix the path (relative to the workspace folder) or add the file."
    ),
    "unknown-kind": (
        f"{CFG}: [[sources]] number 2: kind 'ofcom-fibre-takeup' is not known. Did you mean "
        "'ofcom-full-fibre-takeup'? Kinds: ofcom-laua-coverage, ofcom-full-fibre-takeup, "
        "ons-gigabit-series, ofcom-small-area-zip."
    ),
    "bad-as-of": f"{CFG}: [[sources]] number 1: as_of '2025-13' should be a month like '2025-07'.",
    "unknown-region-district": (
        f"{CFG}: [workspace].districts names E08000037, which is not a district in wy_lad2025.geojson. "
        "Fix the code, or use district boundaries that hold it."
    ),
    "zip-not-a-zip": (
        f"{ZIP}: is not a readable ZIP file (File is not a zip file). Download the release ZIP from Ofcom again."
    ),
    "zip-no-ofcom-members": (
        f"{ZIP}: holds no Ofcom output-area or postcode coverage files. Expected members named like "
        "202601_fixed_oa_coverage_r1.csv or 202601_fixed_pc_coverage_r2_LS.csv. Check this is the "
        "fixed-coverage release ZIP, unchanged."
    ),
    "zip-wrong-vintage": (
        f'{ZIP}, column "output_area": only 0 of the 30 output areas in the boundaries have a row in the '
        "output-area file: its codes are another vintage than the boundaries. Expected output-area codes "
        "of vintage OA 2011. Set vintage in [[sources]] to the release's vintage and use boundaries of the "
        "same vintage."
    ),
    # the postcode file's header has 7 headings; the cut row keeps only its postcode
    "postcode-row-cut-short": (
        f"{NSPL}, row 5: the row has 1 cell but the header has 7. Expected the same number of cells on every "
        "row. Fix the row, or download the file again: it may have been cut short."
    ),
    # the postcode member's header has 20 headings; its second postcode keeps 3 cells
    "zip-member-row-cut-short": (
        f"{ZIP}:202507_fixed_pc_coverage_r01_HX.csv, row 3: the row has 3 cells but the header has 20. "
        "Expected the same number of cells on every row. Fix the row, or download the file again: it may "
        "have been cut short."
    ),
    "zip-member-bad-cell": (
        f'{ZIP}:202507_fixed_oa_coverage_r01.csv, row 4, column "Number of premises with SFBB availability": '
        f'"n/a" is not a whole number of premises. {WHOLE} {FIX_CELL}'
    ),
}


def test_every_case_has_an_expected_message():
    assert set(EXPECTED) == set(corpus.CASES)
    assert len(EXPECTED) >= 22


# -- fixtures and helpers -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The valid workspace, built once; each test works on a copy."""
    ws = corpus.make_workspace(tmp_path_factory.mktemp("corpus") / "ws")
    result = CliRunner().invoke(app, ["build", str(ws)])
    assert result.exit_code == 0, result.output
    return ws


@pytest.fixture
def ws(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(built, copy)
    return copy


def store_of(ws: Path) -> Path:
    return ws / "build" / "observatory.duckdb"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def facts(store: Path) -> list[tuple]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute("SELECT * FROM facts ORDER BY ALL").fetchall()
    finally:
        con.close()


def findings(ws: Path) -> dict[tuple[str, str], int]:
    result = CliRunner().invoke(app, ["check", "--workspace", str(ws), "--format", "json"])
    # the tiny corpus workspace holds a few output areas of one district, so its roll-ups differ
    # from Ofcom's district table by design: check says so with exit code 1 (never 2: it ran)
    assert result.exit_code in (0, 1), result.output
    assert (result.exit_code == 0) == json.loads(result.stdout)["ok"]
    return {(f["kind"], f["subject"]): f["count"] for f in json.loads(result.stdout)["findings"]}


def build(*args: str):
    return CliRunner().invoke(app, ["build", *args])


def error_line(result) -> str:
    """The one message the CLI printed, without its `Error: ` label."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, result.stderr
    return lines[0].removeprefix("Error: ")


def matches(message: str, expected: str | tuple[str, ...]) -> bool:
    if isinstance(expected, str):
        return message == expected
    start, *middle, end = expected
    return message.startswith(start) and message.endswith(end) and all(m in message for m in middle)


# -- every malformed input ------------------------------------------------------------------------
@pytest.mark.parametrize("case", list(corpus.CASES))
def test_bad_input_gives_one_clear_message_and_keeps_the_store(ws: Path, case: str):
    store = store_of(ws)
    before, n_facts = digest(store), len(facts(store))
    corpus.corrupt(ws, case)
    expected = EXPECTED[case]
    expected = expected.replace("{ws}", str(ws)) if isinstance(expected, str) else \
        tuple(e.replace("{ws}", str(ws)) for e in expected)

    message = error_line(build(str(ws)))

    # The library's message is exact for every case. The CLI's line equals it unless the message
    # holds square brackets, which cli.py currently prints as rich markup (see
    # test_cli_prints_square_brackets_literally).
    with pytest.raises(ObservatoryError) as raised:
        pipeline.run(ws)
    assert matches(str(raised.value), expected), str(raised.value)
    assert message == str(raised.value)
    assert digest(store) == before, "a failed build changed the previous store"
    assert len(facts(store)) == n_facts
    assert not list(store.parent.glob(".observatory.duckdb.*")), "a failed build left a temp file"


def test_cli_prints_square_brackets_literally(ws: Path):
    corpus.corrupt(ws, "toml-typo-key")
    message = error_line(build(str(ws)))
    assert "unknown key 'suppress_bellow' in [build]." in message


@pytest.mark.parametrize(
    "given, expected",
    [
        ("missing", "Workspace folder {tmp}/missing does not exist. Give the path of a folder holding "
                    "observatory.toml, or create one with `observatory init {tmp}/missing`."),
        ("missing/observatory.toml", "Workspace folder {tmp}/missing does not exist. Give the path of a "
                                     "folder holding observatory.toml, or create one with "
                                     "`observatory init {tmp}/missing`."),
        ("ws/region.toml", "Configuration file {tmp}/ws/region.toml does not exist. Give the workspace "
                           "folder that holds its observatory.toml."),
        ("ws/data", "No observatory.toml in {tmp}/ws/data. Create one with `observatory init "
                    "{tmp}/ws/data` and fill it in."),
        ("ws/" + corpus.LAUA, "{tmp}/ws/" + corpus.LAUA + " is a file, not a workspace folder. Give the "
                              "folder holding the workspace's observatory.toml (the configuration must "
                              "have that name)."),
    ],
)
def test_a_path_that_is_not_a_workspace(ws: Path, given: str, expected: str):
    tmp = ws.parent
    before = digest(store_of(ws))
    assert error_line(build(str(tmp / given))) == expected.format(tmp=tmp)
    assert digest(store_of(ws)) == before


# -- inputs that look wrong but are valid ---------------------------------------------------------
@pytest.mark.parametrize("style", [{"bom": True}, {"crlf": True}, {"bom": True, "crlf": True}],
                         ids=["bom", "crlf", "bom+crlf"])
def test_bom_and_crlf_read_exactly_as_plain_files(built: Path, ws: Path, style: dict[str, bool]):
    corpus.restyle(ws, **style)
    raw = (ws / corpus.LAUA).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == style.get("bom", False)
    assert (b"\r\n" in raw) == style.get("crlf", False)
    result = build(str(ws))
    assert result.exit_code == 0, result.output
    assert facts(store_of(ws)) == facts(store_of(built))
    assert findings(ws) == findings(built)


def test_postcodes_without_coordinates_are_kept_as_unlocated_and_counted(built: Path):
    found = findings(built)
    assert found[("unlocated-postcode", corpus.POSTCODES.rsplit("/", 1)[1])] == corpus.UNLOCATED
    con = duckdb.connect(str(store_of(built)), read_only=True)
    try:
        placed = con.execute("SELECT count(*) FROM areas WHERE level = 'postcode'").fetchone()[0]
    finally:
        con.close()
    assert placed == corpus.N_POSTCODES  # the unlocated ones are never placed at (0, 0)


def test_invalid_geometry_is_repaired_and_counted(ws: Path):
    corpus.bowtie(ws)
    result = build(str(ws))
    assert result.exit_code == 0, result.output
    assert findings(ws)[("geometry-repaired", "oa2011.geojson.gz")] == 1
    con = duckdb.connect(str(store_of(ws)), read_only=True)
    try:
        n = con.execute("SELECT count(*) FROM areas WHERE level = 'oa' AND geometry IS NOT NULL").fetchone()[0]
    finally:
        con.close()
    assert n == corpus.N_OA


def test_a_declared_projected_crs_is_reprojected(built: Path, ws: Path):
    corpus.british_national_grid(ws, declare=True)
    result = build(str(ws))
    assert result.exit_code == 0, result.output
    assert ("reprojected", "wy_lad2025.geojson") in findings(ws)
    assert facts(store_of(ws)) == facts(store_of(built))


# -- a build killed part-way ----------------------------------------------------------------------
@pytest.mark.slow
def test_a_killed_build_leaves_the_previous_store_and_the_next_build_cleans_up(ws: Path):
    store = store_of(ws)
    before, n_facts = digest(store), len(facts(store))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(observatory.__file__).parents[1]),
                                                                     os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen([sys.executable, "-m", "observatory.cli", "build", str(ws)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 60
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if list(store.parent.glob(".observatory.duckdb.*.tmp")):
                break
            time.sleep(0.005)
        assert proc.poll() is None, "the build ended before it started writing; nothing was killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert list(store.parent.glob(".observatory.duckdb.*.tmp")), "the killed build left no temp file"
    assert digest(store) == before
    assert len(facts(store)) == n_facts

    result = build(str(ws))
    assert result.exit_code == 0, result.output
    assert not list(store.parent.glob(".observatory.duckdb.*.tmp"))
    assert len(facts(store)) == n_facts


def test_output_area_files_without_output_area_boundaries_are_refused(ws: Path):
    config = ws / corpus.CONFIG
    text = config.read_text()
    start = text.index("[boundaries.oa]")
    config.write_text(text[:start] + text[text.index("[boundaries.lad]"):])
    message = error_line(build(str(ws)))
    assert message == (
        f"{config}: source 'ofcom-small-areas-2025-07' holds output-area files, but the workspace has no "
        "[boundaries.oa] to place them. Add output-area boundaries of the release's vintage (OA 2011)."
    )


def test_a_build_leaves_another_running_builds_temporary_store_alone(ws: Path):
    store = store_of(ws)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    running = store.parent / f".{store.name}.{os.getppid()}.tmp"
    abandoned = store.parent / f".{store.name}.{dead.pid}.tmp"
    running.write_bytes(b"in progress")
    abandoned.write_bytes(b"killed")
    assert build(str(ws)).exit_code == 0
    assert running.exists() and not abandoned.exists()


@pytest.mark.parametrize("full_at", ["membership", "facts"])
def test_a_full_disk_leaves_the_previous_store_and_no_temporary_file(ws: Path, monkeypatch, full_at: str):
    """The disk fills while the areas' links are written (from a thread, while figures are rolled
    up) or while the figures are."""
    from observatory.pipeline import writer

    store = store_of(ws)
    before = digest(store)
    insert = writer._insert

    def fill_the_disk(con, table, frame, order=None):
        if table == full_at:
            raise OSError(28, "No space left on device")
        insert(con, table, frame, order)

    monkeypatch.setattr(writer, "_insert", fill_the_disk)
    message = error_line(build(str(ws)))
    assert message.startswith(f"Could not write the store in {store.parent} (No space left on device")
    assert "The previous store is unchanged." in message
    assert digest(store) == before
    assert not list(store.parent.glob(".observatory.duckdb.*"))


def test_a_configuration_that_is_a_folder_is_named(tmp_path: Path):
    (tmp_path / "ws" / "observatory.toml").mkdir(parents=True)
    message = error_line(build(str(tmp_path / "ws")))
    assert message == f"{tmp_path}/ws/observatory.toml is a folder, not a file. The configuration must be a TOML file of that name."
