"""Readable MSOA names ([msoa_names], House of Commons Library form) and, without them, a
description from the wards an MSOA's LSOAs lie in. The tiny workspace (tiny.py) is drawn so that
every expected name and description can be read off its picture."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from observatory import pipeline, workspace
from observatory.cli import app
from observatory.errors import ConfigError, InputError
from observatory.store import STORE_SCHEMA, Store

from .tiny import write_workspace

# The Library's 2011 file: msoa11cd, msoa11nm, msoa11nmw, msoa11hclnm, msoa11hclnmw, Laname. The
# names below are invented for the tiny workspace; E02006534 (Adur 001, "Hillside") is a real row
# of the Library's file, for an MSOA outside the workspace.
HEADER_2011 = "msoa11cd,msoa11nm,msoa11nmw,msoa11hclnm,msoa11hclnmw,Laname\n"
NAMES_2011 = (
    HEADER_2011
    + "E02000001,Leeds 001,Leeds 001,Woodhouse Moor,,Leeds\n"
    + "E02000003,Bradford 001,Bradford 001,Bolton Woods,,Bradford\n"
    + "E02006534,Adur 001,Adur 001,Hillside,,Adur\n"
)

# Read off the picture in tiny.py: the ward each LSOA's centre lies in, per MSOA, the ward with
# most LSOAs first and ties by name; at most two wards named.
# Leeds 001: L-L1 in Headingley & Hyde Park; L-L2, L-L3 in Little London & Woodhouse (2 beats 1).
LEEDS_001 = "in Little London & Woodhouse ward and Headingley & Hyde Park ward"
# Leeds 002: one LSOA in each ward, a tie: by name, Headingley before Little London.
LEEDS_002 = "in Headingley & Hyde Park ward and Little London & Woodhouse ward"
# Bradford 001: two in Bolton and Undercliffe, one in Bowling and Barkerend, one in City
# (Bowling before City by name), and the third ward counted.
BRADFORD_001 = "in Bolton and Undercliffe ward, Bowling and Barkerend ward and 1 more ward"


def build(root: Path) -> Store:
    return Store(pipeline.run(workspace.load(root)))


def local_names(store: Store) -> dict[str, tuple[str, str]]:
    rows = store.rows("SELECT code, local_name, local_name_kind FROM areas WHERE level = 'msoa'")
    return {r["code"]: (r["local_name"], r["local_name_kind"]) for r in rows}


def test_without_a_names_file_each_msoa_is_described_by_its_wards(tmp_path: Path) -> None:
    with build(write_workspace(tmp_path / "ws")) as store:
        assert local_names(store) == {
            "E02000001": (LEEDS_001, "wards"),
            "E02000002": (LEEDS_002, "wards"),
            "E02000003": (BRADFORD_001, "wards"),
        }
        assert store.area("E02000002")["name"] == "Leeds 002"  # the ONS name is kept beside it
        found = {f["kind"]: f["count"] for f in store.findings()}
        assert found["msoa-described"] == 3
        assert store.meta()["schema"] == str(STORE_SCHEMA)  # the layout these columns belong to


def test_a_names_file_names_the_msoas_it_holds(tmp_path: Path) -> None:
    with build(write_workspace(tmp_path / "ws", NAMES_2011)) as store:
        assert local_names(store) == {
            "E02000001": ("Woodhouse Moor", "hcl"),
            "E02000003": ("Bolton Woods", "hcl"),
            # not in the file: described by its wards, never left nameless
            "E02000002": (LEEDS_002, "wards"),
        }
        found = {f["kind"]: (f["subject"], f["count"]) for f in store.findings()}
        assert found["msoa-names-outside"] == ("names.csv", 1)  # Adur 001
        assert found["msoa-names-missing"] == ("names.csv", 1)  # Leeds 002
        assert "msoa-described" not in found
        assert "House of Commons Library" in store.meta()["msoa_names"]


def test_the_2021_file_is_read_too(tmp_path: Path) -> None:
    text = ("msoa21cd,msoa21nm,msoa21nmw,msoa21hclnm,msoa21hclnmw,localauthorityname\n"
            "E02000002,Leeds 002,Leeds 002,Hyde Park,,Leeds\n")
    with build(write_workspace(tmp_path / "ws", text)) as store:
        assert local_names(store)["E02000002"] == ("Hyde Park", "hcl")


def test_columns_can_be_named_in_the_config(tmp_path: Path) -> None:
    table = '\n[msoa_names]\nfile = "names.csv"\ncode = "MSOA"\nname = "Readable"\n'
    with build(write_workspace(tmp_path / "ws", "MSOA,Readable\nE02000003,Bolton Woods\n", table)) as store:
        assert local_names(store)["E02000003"] == ("Bolton Woods", "hcl")


def test_search_finds_an_msoa_by_its_readable_name_or_its_wards(tmp_path: Path) -> None:
    with build(write_workspace(tmp_path / "ws", NAMES_2011)) as store:
        total, rows = store.search_areas("woodhouse moor")
        assert (total, [r["code"] for r in rows]) == (1, ["E02000001"])
        # a ward's name finds the ward, then the MSOA described by it (Leeds 002 only: Leeds 001
        # has a readable name of its own)
        _, rows = store.search_areas("Little London")
        assert [(r["code"], r["level"]) for r in rows] == [("E05011112", "ward"), ("E02000002", "msoa")]
        assert [r["code"] for r in store.search("Bolton Woods")] == ["E02000003"]


BAD = {
    "missing-column": (
        "msoa11cd,msoa11nm\nE02000001,Leeds 001\n", 1, "msoa21hclnm",
        'the MSOA name column is missing (the header has: msoa11cd, msoa11nm). Expected a column headed '
        '"msoa21hclnm" or "msoa11hclnm" (e.g. Ilkley North).'),
    "duplicate-code": (
        HEADER_2011 + "E02000001,Leeds 001,,Woodhouse Moor,,Leeds\nE02000001,Leeds 001,,Hyde Park,,Leeds\n",
        3, "msoa11cd", 'area code "E02000001" appears twice (rows 2 and 3). Expected one row per area.'),
    "not-an-msoa-code": (
        HEADER_2011 + "E02000001,Leeds 001,,Woodhouse Moor,,Leeds\nE01000001,Leeds 001A,,Hyde Park,,Leeds\n",
        3, "msoa11cd", '"E01000001" is not an MSOA code. Expected an MSOA code: E02 or W02 and six digits'),
    "empty-name": (
        HEADER_2011 + "E02000001,Leeds 001,,Woodhouse Moor,,Leeds\nE02000003,Bradford 001,,  ,,Bradford\n",
        3, "msoa11hclnm", "MSOA E02000003 has no name. Expected a readable name on every row."),
    "another-year": (
        HEADER_2011 + "E02006534,Adur 001,,Hillside,,Adur\n", None, "msoa11cd",
        "none of its 1 MSOA codes is an MSOA of the workspace's [boundaries.msoa] (first: E02006534)."),
    "years-mixed": (
        "msoa11cd,msoa21hclnm\nE02000001,Woodhouse Moor\n", 1, "msoa21hclnm",
        'the codes ("msoa11cd") and the names ("msoa21hclnm") are of different years.'),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_names_file_is_refused_naming_file_row_and_column(tmp_path: Path, case: str) -> None:
    text, row, column, message = BAD[case]
    ws = workspace.load(write_workspace(tmp_path / "ws", text))
    with pytest.raises(InputError) as err:
        pipeline.run(ws)
    e = err.value
    assert (e.file, e.row, e.column) == ("names.csv", row, column)
    assert message in str(e)
    assert e.fix  # every refusal says how to put it right


def test_the_cli_exits_2_and_leaves_the_previous_store_alone(tmp_path: Path) -> None:
    root = write_workspace(tmp_path / "ws", NAMES_2011)
    runner = CliRunner()
    assert runner.invoke(app, ["build", str(root)]).exit_code == 0
    store = workspace.load(root).store_path
    before = hashlib.sha256(store.read_bytes()).hexdigest()
    (root / "names.csv").write_text(BAD["duplicate-code"][0], encoding="utf-8")
    result = runner.invoke(app, ["build", str(root)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert 'names.csv, row 3, column "msoa11cd"' in " ".join(result.output.split())
    assert hashlib.sha256(store.read_bytes()).hexdigest() == before
    assert not list(store.parent.glob("*.tmp*"))


def test_config_mistakes_are_named(tmp_path: Path) -> None:
    root = write_workspace(tmp_path / "typo", "msoa11cd,msoa11hclnm\n",
                           '\n[msoa_names]\nfile = "names.csv"\nnames = "x"\n')
    with pytest.raises(ConfigError, match=r"unknown key 'names' in \[msoa_names\]. Did you mean 'name'\?"):
        workspace.load(root)
    root = write_workspace(tmp_path / "nomsoa", "msoa11cd,msoa11hclnm\n")
    text = (root / "observatory.toml").read_text(encoding="utf-8")
    start = text.index("[boundaries.msoa]")
    end = text.index("[boundaries.lsoa]")
    (root / "observatory.toml").write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[msoa_names\] names MSOAs, but there is no \[boundaries.msoa\]"):
        workspace.load(root)


def test_a_store_of_the_older_layout_is_refused_with_the_fix(tmp_path: Path) -> None:
    import duckdb

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE areas (code VARCHAR, name VARCHAR, level VARCHAR)")
    con.close()
    from observatory.errors import StoreError

    with pytest.raises(StoreError, match="older version of the observatory.*observatory build"):
        Store(path)
