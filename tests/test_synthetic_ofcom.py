"""The SYNTHETIC Ofcom small-area generator: determinism, exact district totals, nesting, layout,
spatial structure."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from observatory.demo import synthetic_ofcom as so

DATA = Path(__file__).resolve().parents[1] / "examples" / "west-yorkshire" / "data"
OA_ALL = "202507_fixed_oa_coverage_r01.csv"
OA_RES = "202507_fixed_oa_res_coverage_r01.csv"
GIG = "Gigabit availability (% premises)"

pytestmark = pytest.mark.slow


# The demo's ZIP, as committed: written by an earlier run of the script with its default seed.
BUNDLED = DATA / "coverage" / "202507_fixed_broadband_coverage_r01_SYNTHETIC.zip"


@pytest.fixture(scope="module")
def zips(tmp_path_factory):
    """A fresh generation with the default seed, the committed ZIP, and one with another seed."""
    d = tmp_path_factory.mktemp("synthetic")
    a = so.generate(DATA, d / "a.zip", seed=so.DEFAULT_SEED)
    c = so.generate(DATA, d / "c.zip", seed=so.DEFAULT_SEED + 1)
    return a, BUNDLED, c


@pytest.fixture(scope="module")
def members(zips):
    with zipfile.ZipFile(zips[0]) as zf:
        return {i.filename: zf.read(i.filename) for i in zf.infolist()}


def _csv(raw: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")


@pytest.fixture(scope="module")
def oa(members):
    return _csv(members[OA_ALL])


@pytest.fixture(scope="module")
def oa_res(members):
    return _csv(members[OA_RES])


@pytest.fixture(scope="module")
def district():
    d = pd.read_csv(DATA / so.LAUA_CSV)
    return d[d["laua"].isin(list(so.DISTRICTS))].set_index("laua").sort_index()


@pytest.fixture(scope="module")
def oa_lookup():
    inp = so._load_inputs(str(DATA.resolve()))
    return pd.DataFrame(
        {"output_area": inp.oa_code, "lad": inp.oa_lad, "x": inp.oa_x, "y": inp.oa_y}
    )


def test_deterministic_bytes(zips):
    """The same seed writes the same bytes, in this run as in the run that wrote the committed
    ZIP (nothing in it hand-edited); another seed writes other bytes."""
    a, bundled, c = (p.read_bytes() for p in zips)
    assert a == bundled
    assert a != c


def test_member_names_and_layout(members):
    names = list(members)
    assert names == so.member_names()
    assert "202507_fixed_pc_coverage_r02_HX.csv" in names
    for area in so.AREAS:
        assert f"202507_fixed_pc_coverage_r01_{area}.csv" in names
        assert f"202507_fixed_pc_res_coverage_r01_{area}.csv" in names
    for name, raw in members.items():
        if name.endswith(".csv"):
            if "_r02_" in name:
                assert not raw.startswith(so.BOM), name
            else:
                assert raw.startswith(so.BOM), name
            assert raw.count(b"\r\n") == raw.count(b"\n"), name  # CRLF throughout
    readme = members["README_SYNTHETIC.txt"].decode()
    assert "synthetic" in readme.lower() and str(so.DEFAULT_SEED) in readme
    assert so.latest_revisions(names).count("202507_fixed_pc_coverage_r02_HX.csv") == 1
    assert "202507_fixed_pc_coverage_r01_HX.csv" not in so.latest_revisions(names)


def test_zip_timestamps_fixed(zips):
    with zipfile.ZipFile(zips[0]) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2025, 7, 1, 0, 0, 0)}


def test_oa_columns(oa, oa_res, district):
    expected = ["output_area"] + [
        c for c in district.columns if c != "laua_name" and "Full Fibre" not in c
    ]
    assert list(oa.columns) == expected
    assert list(oa_res.columns) == expected


def test_every_oa_once(oa, oa_res):
    import geopandas as gpd

    codes = gpd.read_file("/vsigzip/" + str(DATA / so.OA_GEOJSON), ignore_geometry=True)["OA11CD"]
    assert len(codes) == 7131
    for frame in (oa, oa_res):
        assert frame["output_area"].is_unique
        assert set(frame["output_area"]) == set(codes)


def test_district_sums_exact(oa, oa_lookup, district):
    merged = oa.merge(oa_lookup[["output_area", "lad"]], on="output_area", validate="1:1")
    counts = [
        c
        for c in oa.columns
        if c in ("All Premises", "All Matched Premises") or c.startswith("Number of premises")
    ]
    assert len(counts) == 19
    sums = merged.groupby("lad")[counts].sum().sort_index()
    for col in counts:
        assert (sums[col].to_numpy() == district[col].to_numpy()).all(), col


def _check_nesting(f: pd.DataFrame) -> None:
    n = lambda what: f["Number of premises " + what].to_numpy()  # noqa: E731
    P, M = f["All Premises"].to_numpy(), f["All Matched Premises"].to_numpy()
    gig, uf, u100, sf = (
        n("with Gigabit availability"),
        n("with UFBB availability"),
        n("with UFBB (100Mbit/s) availability"),
        n("with SFBB availability"),
    )
    u2, u5, u10, u30 = (n(f"unable to receive {k}Mbit/s") for k in (2, 5, 10, 30))
    b = {
        k: n(f"with {k}Mbit/s download speed")
        for k in ("0<2", "2<5", "5<10", "10<30", "30<300", ">=300")
    }
    assert ((0 <= gig) & (gig <= uf) & (uf <= u100) & (u100 <= sf) & (sf <= M) & (M <= P)).all()
    assert ((0 <= u2) & (u2 <= u5) & (u5 <= u10) & (u10 <= u30) & (u30 <= M)).all()
    assert (n("below the USO") <= u10).all()
    assert (sum(b.values()) == M).all()
    assert (b["0<2"] + b["2<5"] + b["5<10"] + b["10<30"] == u30).all()
    assert (b[">=300"] == uf).all()
    assert (b["0<2"] == u2).all()
    assert (b["0<2"] + b["2<5"] == u5).all()
    assert (b["0<2"] + b["2<5"] + b["5<10"] == u10).all()
    assert (sf == M - u30).all()
    nga, fwa = n("with NGA"), n("able to receive decent broadband from FWA")
    assert ((sf <= nga) & (nga <= M)).all()
    assert ((0 <= fwa) & (fwa <= M)).all()
    for col in f.columns:
        if "%" in col:
            expect = np.round(100.0 * f[so.number_column(col)] / f["All Premises"], 1)
            assert np.allclose(f[col], expect, atol=1e-9), col


def test_oa_nesting(oa, oa_res):
    _check_nesting(oa)
    _check_nesting(oa_res)


def test_residential_within_all(oa, oa_res):
    assert (oa["output_area"] == oa_res["output_area"]).all()
    share = oa_res["All Premises"] / oa["All Premises"]
    assert share.between(0.80, 0.97).all()
    for col in oa.columns[1:]:
        if not col.startswith("%") and "%" not in col:
            assert (oa_res[col] <= oa[col]).all(), col


def test_premises_distribution(oa):
    P = oa["All Premises"]
    assert P.between(100, 250).mean() > 0.6
    assert P.max() >= 1000


def _morans_i(x: np.ndarray, y: np.ndarray, v: np.ndarray, k: int = 8) -> float:
    pts = np.c_[x, y]
    nbr = np.empty((len(v), k), dtype=np.int64)
    for i in range(0, len(v), 1000):
        d = ((pts[i : i + 1000, None, :] - pts[None, :, :]) ** 2).sum(-1)
        d[np.arange(d.shape[0]), np.arange(i, i + d.shape[0])] = np.inf
        nbr[i : i + 1000] = np.argpartition(d, k, axis=1)[:, :k]
    z = v - v.mean()
    return float((z[:, None] * z[nbr]).sum() / k / (z**2).sum())


def test_spatial_autocorrelation(oa, oa_lookup):
    m = oa.merge(oa_lookup, on="output_area")
    share = (m["Number of premises with Gigabit availability"] / m["All Premises"]).to_numpy()
    moran = _morans_i(m["x"].to_numpy(), m["y"].to_numpy(), share)
    assert moran > 0.2, moran


def test_postcode_files(members, oa):
    inp = so._load_inputs(str(DATA.resolve()))
    pcs = {
        area: _csv(
            members[f"202507_fixed_pc_coverage_r02_{area}.csv"]
            if area == so.REISSUED_AREA
            else members[f"202507_fixed_pc_coverage_r01_{area}.csv"]
        )
        for area in so.AREAS
    }
    allpc = pd.concat(pcs.values(), ignore_index=True)
    assert len(allpc) == len(inp.pc7) == 93832
    assert list(allpc.columns[:3]) == ["postcode", "postcode_space", "postcode area"]
    assert len(allpc.columns) == 3 + 17
    assert not any("Full Fibre" in c for c in allpc.columns)
    assert not allpc["postcode"].str.contains(" ").any()
    assert allpc["postcode_space"].str.contains(" ").all()
    assert set(allpc["postcode_space"]) == {p[:4].strip() + " " + p[-3:] for p in inp.pc7}
    pct = allpc.columns[3:]
    assert allpc[pct].ge(0).all().all() and allpc[pct].le(100).all().all()
    assert (allpc[GIG] <= allpc["UFBB availability (% premises)"]).all()
    # mostly all-or-nothing for gigabit
    assert allpc[GIG].isin([0.0, 100.0]).mean() > 0.8

    # agreement with the OA the postcode centroid falls in
    key = pd.Series(inp.pc7).str.replace(" ", "", regex=False)
    in_oa = pd.DataFrame({"postcode": key, "oa": inp.pc_oa})
    j = allpc.merge(in_oa, on="postcode")
    j = j[j["oa"] >= 0]
    j["output_area"] = inp.oa_code[j["oa"].to_numpy()]
    by_oa = j.groupby("output_area").agg(pc_gig=(GIG, "mean"), n=(GIG, "size"))
    by_oa = by_oa[by_oa["n"] >= 8].join(oa.set_index("output_area")[GIG])
    assert np.corrcoef(by_oa["pc_gig"], by_oa[GIG])[0, 1] > 0.7
    assert abs(by_oa["pc_gig"].mean() - by_oa[GIG].mean()) < 3.0


def test_stale_r01_detectable(members):
    r01 = _csv(members["202507_fixed_pc_coverage_r01_HX.csv"])
    r02 = _csv(members["202507_fixed_pc_coverage_r02_HX.csv"])
    assert (r01["postcode"] == r02["postcode"]).all()
    drop = r02[GIG].mean() - r01[GIG].mean()
    assert 2.0 <= drop <= 10.0
    assert (r01[GIG] <= r02[GIG]).all()
