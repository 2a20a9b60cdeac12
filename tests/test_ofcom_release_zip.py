"""Reading an Ofcom release ZIP as users download it: naming variants, revisions, vintages."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from observatory.errors import InputError
from observatory.sources.ofcom import format_postcode, pick_members, read_small_area_zip

OA_HEADER = [
    "output_area", "All Premises", "All Matched Premises",
    "Number of premises with SFBB availability", "Number of premises with UFBB (100Mbit/s) availability",
    "Number of premises with UFBB availability", "Number of premises with Gigabit availability",
    "Number of premises below the USO", "Number of premises unable to receive 30Mbit/s",
]
PC_HEADER = [
    "postcode", "postcode_space", "postcode area", "SFBB availability (% premises)",
    "UFBB (100Mbit/s) availability (% premises)", "UFBB availability (% premises)",
    "Gigabit availability (% premises)", "% of premises unable to receive decent broadband from fixed or FWA",
    "% of premises unable to receive 30Mbit/s",
]


def _csv(rows: list[list[object]], bom: bool) -> bytes:
    text = "\r\n".join(",".join(str(c) for c in r) for r in rows) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def _zip(tmp_path: Path, members: dict[str, bytes]) -> Path:
    path = tmp_path / "202601_fixed_broadband_coverage_and_full_fibre_take-up-r1.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, raw in members.items():
            zf.writestr(name, raw)
    return path


def test_newest_revision_of_each_file_wins_whatever_the_token_spelling():
    names = [
        "202601_fixed_oa_coverage_r1.csv",
        "202601_fixed_oa_coverage_r2.csv",
        "202601_fixed_oa_res_coverage_r01.csv",
        "202601_fixed_pc_coverage_r2_CW.csv",
        "202601_fixed_pc_coverage_r1_CW.csv",
        "202601_fixed_postcode_coverage_r01_LS.csv",
        "readme.txt",
    ]
    chosen, superseded = pick_members(names)
    assert chosen[("oa", False, "")] == "202601_fixed_oa_coverage_r2.csv"
    assert chosen[("oa", True, "")] == "202601_fixed_oa_res_coverage_r01.csv"
    assert chosen[("postcode", False, "CW")] == "202601_fixed_pc_coverage_r2_CW.csv"
    assert chosen[("postcode", False, "LS")] == "202601_fixed_postcode_coverage_r01_LS.csv"
    assert superseded == ["202601_fixed_oa_coverage_r1.csv", "202601_fixed_pc_coverage_r1_CW.csv"]


@pytest.mark.parametrize("code", ["E00056750", "E00170001"], ids=["OA 2011 code", "OA 2021 code"])
@pytest.mark.parametrize("bom", [True, False], ids=["BOM", "no BOM"])
def test_output_area_and_postcode_files_read_with_or_without_bom(tmp_path, code, bom):
    oa = _csv([OA_HEADER, [code, 120, 118, 117, 110, 100, 90, 1, 2]], bom)
    pc_r1 = _csv([PC_HEADER, ["CW11AA", "CW1 1AA", "CW", 100, 90, 80, 10, 0, 0]], bom)
    pc_r2 = _csv([PC_HEADER, ["CW11AA", "CW1 1AA", "CW", 100, 90, 80, 70, 0, 0]], not bom)
    path = _zip(tmp_path, {
        "202601_fixed_oa_coverage_r1.csv": oa,
        "202601_fixed_pc_coverage_r1_CW.csv": pc_r1,
        "202601_fixed_pc_coverage_r2_CW.csv": pc_r2,
    })
    release = read_small_area_zip(path)
    assert release.month == "2026-01"
    assert release.files_used == ["202601_fixed_oa_coverage_r1.csv", "202601_fixed_pc_coverage_r2_CW.csv"]
    gigabit = release.oa[release.oa["indicator"] == "gigabit"].iloc[0]
    assert (gigabit["area_code"], gigabit["numerator"], gigabit["denominator"]) == (code, 90, 120)
    assert gigabit["value"] == pytest.approx(75.0)  # computed from counts where the file has no %
    pc = release.postcodes.set_index("indicator").loc["gigabit"]
    assert pc["area_code"] == "CW1 1AA" and pc["value"] == 70  # the r2 reissue, not r1
    assert pc["numerator"] != pc["numerator"]  # NaN: postcode files carry no counts
    # the reissued file's other spelling of the USO column is read as below_uso
    assert "below_uso" in set(release.postcodes["indicator"])


def test_residential_files_become_residential_indicators(tmp_path):
    path = _zip(tmp_path, {
        "202601_fixed_oa_coverage_r1.csv": _csv([OA_HEADER, ["E00000001", 100, 100, 90, 80, 70, 60, 0, 10]], True),
        "202601_fixed_oa_res_coverage_r1.csv": _csv([OA_HEADER, ["E00000001", 80, 80, 75, 70, 60, 55, 0, 5]], True),
    })
    oa = read_small_area_zip(path).oa.set_index("indicator")
    assert oa.loc["gigabit", "denominator"] == 100
    assert oa.loc["gigabit_res", "denominator"] == 80
    assert oa.loc["gigabit_res", "numerator"] == 55


def test_a_count_above_all_premises_names_the_member_row_and_column(tmp_path):
    path = _zip(tmp_path, {"202601_fixed_oa_coverage_r1.csv": _csv(
        [OA_HEADER, ["E00000001", 100, 100, 90, 80, 70, 60, 0, 10], ["E00000002", 50, 50, 51, 40, 30, 20, 0, 0]], False)})
    with pytest.raises(InputError) as raised:
        read_small_area_zip(path)
    message = str(raised.value)
    assert message.startswith(f"{path.name}:202601_fixed_oa_coverage_r1.csv, row 3, column "
                              '"Number of premises with SFBB availability"')


@pytest.mark.parametrize("typed", ["ls11ab", " LS1 1AB ", "LS11AB", "ls1  1ab"])
def test_postcodes_are_normalised_the_way_people_type_them(typed):
    assert format_postcode(typed) == "LS1 1AB"
