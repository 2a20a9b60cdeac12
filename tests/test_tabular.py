"""The one CSV reader (sources.tabular): every bad cell of a file is reported at once, each named by
its row as a spreadsheet shows it (the header is row 1) and its column, by the reader itself and by
the importers built on it (board actions, the programme's sites register, a council's hubs, the
OpenStreetMap sites file, the LSOA crosswalk). The expected cells are worked out by hand from each
file written below."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from observatory.errors import BadCells, InputError
from observatory.inclusion import crosswalk, hubs
from observatory.programme import models, register_io
from observatory.records import actions, csv_io
from observatory.records.db import open_records
from observatory.records.migrate import upgrade
from observatory.sources.osm_sites import read_sites
from observatory.sources.tabular import SHOWN, Problems, read_table
from observatory.sources.tabular.frame import _by_arrow, read_csv


def _cells(err: InputError) -> list[tuple[int | None, str | None]]:
    assert isinstance(err, BadCells)
    return [(p.row, p.column) for p in err.problems]


def _named(err: InputError, cells: list[tuple[int, str]]) -> None:
    """Each bad cell is on a line of its own in the message, by row and column."""
    lines = str(err).splitlines()
    for row, column in cells:
        assert any(line.startswith(f'- row {row}, column "{column}": ') for line in lines), (row, column, lines)


# --- the reader ------------------------------------------------------------------------------

SEVERAL = (
    "id,date,count,share,kind,done\n"       # row 1: the header
    "A1,2025-01-31,12,55.5,school,yes\n"    # row 2: good
    "A2,2025-02-30,7,55,library,no\n"       # row 3: 30 February is no date
    ",2025-03-01,x,101,castle,maybe\n"      # row 4: no id; "x" no number; 101 over 100; castle; maybe
    "\n"                                    # row 5: blank, skipped (but counted, as a spreadsheet does)
    "A1,2025-04-01,3.5,10,school,\n"        # row 6: 3.5 not whole; A1 again (row 2)
)
SEVERAL_BAD = [(3, "date"), (4, "id"), (4, "count"), (4, "share"), (4, "kind"), (4, "done"), (6, "id"),
               (6, "count")]


def _check_several(table) -> None:
    for row in table:
        row.text("id", required=True)
        row.day("date", required=True)
        row.whole("count", True, lo=0)
        row.numeric("share", True, lo=0, hi=100, outside="is not a percentage", expected="a number from 0 to 100")
        row.choice("kind", ("school", "library"))
        row.flag("done")
    table.unique("id", "id")


def test_the_reader_names_every_bad_cell_by_row_and_column() -> None:
    table = read_table(SEVERAL.encode(), "things.csv", required=("id", "date", "count", "share", "kind"),
                       optional=("done",))
    assert [r.number for r in table] == [2, 3, 4, 6]
    _check_several(table)
    with pytest.raises(BadCells) as caught:
        table.done()
    err = caught.value
    assert _cells(err) == SEVERAL_BAD
    _named(err, SEVERAL_BAD)
    text = str(err)
    assert text.startswith("things.csv: 8 problems (rows are numbered as a spreadsheet shows them")
    assert '- row 3, column "date": "2025-02-30" is not a date. Expected a date written YYYY-MM-DD' in text
    assert '- row 4, column "share": "101" is not a percentage. Expected a number from 0 to 100.' in text
    assert '- row 6, column "id": id "A1" appears twice (rows 2 and 6).' in text
    # read as an InputError, it is its first bad cell
    assert (err.file, err.row, err.column) == ("things.csv", 3, "date") and err.expected and err.fix


def test_uploaded_bytes_with_a_byte_order_mark_and_crlf_read_the_same() -> None:
    raw = b"\xef\xbb\xbf" + SEVERAL.replace("\n", "\r\n").encode()
    table = read_table(raw, "upload.csv", required=("id", "date", "count", "share", "kind", "done"))
    _check_several(table)
    with pytest.raises(BadCells) as caught:
        table.done()
    assert _cells(caught.value) == SEVERAL_BAD


def test_one_bad_cell_reads_as_it_always_has() -> None:
    table = read_table(b"id,date\nA,2025-01-01\nB,31/01/2025\n", "one.csv", required=("id", "date"))
    for row in table:
        row.day("date")
    with pytest.raises(InputError) as caught:
        table.done()
    assert str(caught.value) == ('one.csv, row 3, column "date": "31/01/2025" is not a date. Expected a date '
                                 "written YYYY-MM-DD (e.g. 2025-03-31). Fix the cell.")


def test_the_list_stops_at_the_cap_and_says_how_many_more() -> None:
    rows = "".join(f"r{i},not a number\n" for i in range(SHOWN + 5))  # rows 2 .. SHOWN + 6, every one bad
    table = read_table(f"id,value\n{rows}".encode(), "many.csv", required=("id", "value"))
    values = table.numbers("value")
    assert len(values) == SHOWN + 5
    with pytest.raises(BadCells) as caught:
        table.done()
    lines = str(caught.value).splitlines()
    assert len(caught.value.problems) == SHOWN + 5
    assert len([ln for ln in lines if ln.startswith("- row ")]) == SHOWN
    assert lines[1].startswith('- row 2, column "value": "not a number" is not a number.')
    assert lines[-1].startswith(f"- ... and 5 more ({SHOWN + 5} in all)")


def test_missing_and_unknown_columns_are_named_together_and_stop_the_read() -> None:
    with pytest.raises(BadCells) as caught:
        read_table(b"ID,date,colour\nA,2025-01-01,red\n", "cols.csv", required=("id", "date", "count"),
                   only_known=True)
    text = str(caught.value)
    assert "row 1, column \"id\": the header has no columns 'id', 'count'." in text
    assert 'A column named "ID" is there: is it "id" renamed?' in text
    assert "row 1: unknown column 'ID', 'colour'." in text
    assert caught.value.row == 1


def test_a_row_with_too_many_cells_is_named_and_others_are_still_checked() -> None:
    table = read_table(b"a,b\n1,2\n3,4,5\nx,6\n", "wide.csv", required=("a", "b"))
    assert [r.number for r in table] == [2, 4]  # row 3 cannot be read cell by cell
    table.numbers("a")
    with pytest.raises(BadCells) as caught:
        table.done()
    assert _cells(caught.value) == [(3, None), (4, "a")]
    assert "row 3: the row has 3 cells but the header has 2." in str(caught.value)


def test_the_rows_as_a_dataframe_keep_their_row_numbers() -> None:
    table = read_table(b"code, value \n E1 ,1\n\nE2,\n", "frame.csv", required=("code", "value"), optional=("note",))
    df = table.frame()
    assert list(df.index) == [2, 4] and list(df.columns) == ["code", "value", "note"]
    assert df.to_dict("list") == {"code": ["E1", "E2"], "value": ["1", ""], "note": ["", ""]}


def test_problems_collected_outside_a_table_are_ordered_by_row_then_column() -> None:
    problems = Problems("p.csv", ["a", "b"])
    problems.add("b is bad.", row=3, column="b")
    problems.add("a is bad.", row=3, column="a")
    problems.add("the file is odd.")
    with pytest.raises(BadCells) as caught:
        problems.done()
    assert _cells(caught.value) == [(None, None), (3, "a"), (3, "b")]


# --- importers built on it ---------------------------------------------------------------------

@pytest.fixture
def records(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'records.sqlite'}"
    upgrade(url)
    r = open_records(url)
    yield r
    r.dispose()


def test_the_actions_import_names_every_bad_cell_and_imports_nothing(records, tmp_path: Path) -> None:
    f = tmp_path / "actions.csv"
    f.write_text("meeting_body,meeting_date,resolution,owner,due_date,status\n"  # row 1
                 "Board,2025-01-15,Fine row,Advisor,2025-02-01,open\n"           # row 2: good
                 "Board,15/01/2025,Bad date,Advisor,2025-02-01,open\n"           # row 3: meeting_date
                 ",2025-01-15,,Advisor,2025-13-01,finished\n"                    # row 4: body, resolution, due, status
                 "Board,2025-01-15,Also fine,Advisor,,done\n",                   # row 5: good
                 encoding="utf-8")
    expected = [(3, "meeting_date"), (4, "meeting_body"), (4, "resolution"), (4, "due_date"), (4, "status")]
    with pytest.raises(InputError) as caught, records.session() as s:
        csv_io.import_actions(s, "ann", f)
    assert _cells(caught.value) == expected
    _named(caught.value, expected)
    assert '- row 4, column "status": "finished" is not allowed. Expected one of: ' in str(caught.value)
    with records.session() as s:
        assert actions.list_actions(s) == []


SITES_HEADER = ",".join(register_io.COLUMNS)


def test_the_sites_register_import_names_every_bad_cell_and_imports_nothing(records, tmp_path: Path) -> None:
    f = tmp_path / "sites.csv"
    f.write_text(f"{SITES_HEADER}\n"                                                   # row 1
                 "WY-SCH-0009,Good School,school,53.8,-1.5,,,,,,,,,no,2020-01-01,,,,,,\n"  # row 2: good
                 "WY-SCH-0010,Bad,castle,53.8,-1.5,,,,,,,,,maybe,2020-01-01,,,,,,\n"       # row 3: kind, illustrative
                 "WY-SCH-0011,,school,95,-1.5,,,,,,,,,no,2031-01-01,,,,,,\n"               # row 4: name, lat, planned
                 "WY-SCH-0009,Twice,school,53.8,-1.5,,,,,,,,,no,2021-01-01,,,,,,\n",       # row 5: id of row 2
                 encoding="utf-8")
    expected = [(3, "kind"), (3, "illustrative"), (4, "name"), (4, "lat"), (4, "planned"), (5, "id")]
    with pytest.raises(InputError) as caught, records.session() as s:
        register_io.import_csv(s, "ed", f, today=date(2026, 1, 1))
    assert _cells(caught.value) == expected
    _named(caught.value, expected)
    text = str(caught.value)
    assert '"95" is outside Great Britain.' in text and "2031-01-01 is in the future." in text
    assert 'site "WY-SCH-0009" appears twice (rows 2 and 5).' in text
    with records.session() as s:
        assert models.count_sites(s) == 0


def test_a_councils_hubs_file_names_every_bad_cell(tmp_path: Path) -> None:
    f = tmp_path / "hubs.csv"
    f.write_text("Name,Kind,Lon,Lat\n"        # row 1 (headings in any case)
                 "A,library,-1.5,95\n"        # row 2: lat outside Great Britain
                 ",,x,53.8\n"                 # row 3: name, kind, lon
                 "C,library,-1.5,53.8\n",     # row 4: good
                 encoding="utf-8")
    expected = [(2, "lat"), (3, "name"), (3, "kind"), (3, "lon")]
    with pytest.raises(InputError) as caught:
        hubs.load_council(f, None)
    assert _cells(caught.value) == expected
    _named(caught.value, expected)
    assert '"95" is not a lat in Great Britain.' in str(caught.value)


def test_the_openstreetmap_sites_file_names_every_bad_cell(tmp_path: Path) -> None:
    f = tmp_path / "sites.csv"
    f.write_text("amenity_type,name,lon,lat,lad_code\n"   # row 1
                 "library,L1,-1.5,53.8,E08000035\n"        # row 2: good
                 "library,L2,,53.8,E08000035\n"            # row 3: no longitude
                 "school,S1,-1.5,north,E08000035\n"        # row 4: "north" is no latitude
                 "townhall,T1,53.8,-1.5,E08000035\n",      # row 5: lon and lat swapped: both outside
                 encoding="utf-8")
    expected = [(3, "lon"), (4, "lat"), (5, "lon"), (5, "lat")]
    with pytest.raises(InputError) as caught:
        read_sites(f)
    assert _cells(caught.value) == expected
    _named(caught.value, expected)
    f.write_text("amenity_type,name,lon,lat\nlibrary,L1,-1.5,53.8\n", encoding="utf-8")
    sites = read_sites(f)
    assert sites.loc[2, "lon"] == -1.5 and sites.loc[2, "lad_code"] == "" and sites.loc[2, "other_tags"] == ""


def test_the_crosswalk_names_every_unknown_change_indicator(tmp_path: Path) -> None:
    f = tmp_path / "lsoa11_lsoa21.csv"
    f.write_text("LSOA11CD,LSOA21CD,CHGIND\n"   # row 1
                 "E01000001,E01000001,U\n"      # row 2
                 "E01000002,E01033000,Q\n"      # row 3: Q
                 "E01000003,,S\n"               # row 4: no LSOA 2021
                 "E01000004,E01033001,split\n", # row 5: split (the letter is S)
                 encoding="utf-8")
    expected = [(3, "CHGIND"), (4, "LSOA21CD"), (5, "CHGIND")]
    with pytest.raises(InputError) as caught:
        crosswalk.lookup_counts(f)
    assert _cells(caught.value) == expected
    _named(caught.value, expected)
    assert re.search(r'row 5, column "CHGIND": "split" is not allowed\. Expected U \(unchanged\)', str(caught.value))


# Publishers' files are parsed by Arrow where it reads them exactly as pandas does, and by pandas
# otherwise: each case below is read both ways and must come out the same, cell for cell.
SAME_EITHER_WAY = {
    "plain": b"a,b\n1,2\n3,4\n",
    "empty cells stay empty text": b"a,b\n,2\n3,\n",
    "a quoted line break": b'a,b\n"x\ny",2\n',
    "Windows line ends": b"a,b\r\n1,2\r\n",
    "spaces kept": b"a, b\n 1 , 2\n",
    "blank lines skipped": b"a,b\n1,2\n\n3,4\n",
    "words pandas would read as missing": b"a,b\nNA,null\n",
    "leading zeros": b"a,b\n007,2\n",
    "a byte-order mark": b"\xef\xbb\xbfa,b\n1,2\n",
    "a quote inside a cell": b'a,b\nx"y,2\n',
}
# Where pandas pads, renames or refuses: pandas reads them, as before.
PANDAS_READS = {
    "a short row": b"a,b,c\n1,2,3\n4\n",
    "an empty heading": b"a,b,\n1,2,\n",
    "a quote left open": b'a,b\n"1,2\n3,4\n',
}


@pytest.mark.parametrize("raw", SAME_EITHER_WAY.values(), ids=SAME_EITHER_WAY.keys())
def test_a_file_arrow_can_read_comes_out_as_pandas_reads_it(raw: bytes):
    text = raw.decode("utf-8-sig")
    by_pandas = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    by_pandas.columns = [c.strip() for c in by_pandas.columns]  # as the reader names its columns
    assert _by_arrow(raw, text) is not None  # Arrow's reader took it
    got = read_csv(raw, "file.csv", {})
    assert got.columns.tolist() == by_pandas.columns.tolist()
    assert got.dtypes.tolist() == by_pandas.dtypes.tolist()
    assert got.equals(by_pandas)


@pytest.mark.parametrize("raw", PANDAS_READS.values(), ids=PANDAS_READS.keys())
def test_a_file_arrow_would_read_otherwise_is_read_by_pandas(raw: bytes):
    assert _by_arrow(raw, raw.decode()) is None


def test_a_row_cut_short_is_refused_at_its_line_not_padded() -> None:
    # pandas would pad "4" with two empty cells; a quoted line break above it puts it on line 5
    raw = b'a,b,c\n1,2,3\n"x\ny",5,6\n4\n7,8,9\n'
    with pytest.raises(InputError) as caught:
        read_csv(raw, "cut.csv", {})
    assert caught.value.row == 5
    assert "the row has 1 cell but the header has 3." in str(caught.value)
