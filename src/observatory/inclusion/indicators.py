"""Raw indicator values per LSOA 2021, read from the Census and IMD files the workspace names and
from the store's coverage figures.

- Census 2021 (ONS table RM121, usual residents, census day 21 March 2021): an age indicator is the
  sum of its age-band counts over all usual residents, as a percentage (DERI: "% population aged
  65-74", "% population aged 75+").
- English Indices of Deprivation 2025 (MHCLG): a domain or IMD score as published (higher = more
  deprived).
- Coverage (Ofcom Connected Nations): the store's LSOA figures, which are rolled up from output areas
  (2011) placed in LSOAs 2021 by best fit (`membership.share` records how much of each output area's
  postcodes lie inside). In the demo the output-area file is synthetic: those figures are
  illustrative, and every output says so.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError, ObservatoryError
from ..geography.code_history import current
from ..sources.tabular import read_table
from ..store import Store
from ..workspace.inclusion import InclusionConfig, IndicatorSpec

CENSUS = "ONS, Census 2021 table RM121 (usual residents)"
IMD = "MHCLG, English Indices of Deprivation 2025"
AGED_75 = ("aged_75_79", "aged_80_84", "aged_85_plus")


@dataclass
class Raw:
    """LSOA rows (sorted by code) and indicator columns (the configuration's order)."""

    codes: np.ndarray
    names: np.ndarray
    lad: np.ndarray
    ward: np.ndarray
    residents: np.ndarray
    aged_75: np.ndarray
    values: np.ndarray  # (areas, indicators), NaN where there is no figure
    agg_weight: np.ndarray  # (areas, indicators): residents, or premises for coverage
    provenance: list[dict[str, Any]]
    england: dict[str, tuple[float, float]] = field(default_factory=dict)
    ward_names: dict[str, str] = field(default_factory=dict)
    lad_names: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def illustrative(self) -> bool:
        return any(p["synthetic"] for p in self.provenance)


# Files read, kept for as long as they are unchanged: a rebuilt store is swapped into a running
# dashboard with the same Census and IMD files, and reading the England-wide ones again took two
# seconds of every worker's swap, the moment requests waited longest (issue 21).
_files: dict[tuple, pd.DataFrame] = {}
_files_lock = threading.Lock()
KEPT_FILES = 16


def _read(path: Path, code_column: str, needed: set[str]) -> pd.DataFrame:
    """An indicator file, indexed by its LSOA code column, the `needed` columns as numbers (an
    empty cell is no figure). Every bad cell is reported at once (sources.tabular). A copy of what
    was read before while the file is the same (path, inode, size, modification time)."""
    try:
        st = os.stat(path)
    except OSError:
        return _read_file(path, code_column, needed)  # which says the file is missing, and what to do
    key = (str(Path(path).resolve()), st.st_ino, st.st_size, st.st_mtime_ns, code_column, frozenset(needed))
    with _files_lock:
        found = _files.get(key)
    if found is None:
        found = _read_file(path, code_column, needed)
        with _files_lock:
            if len(_files) >= KEPT_FILES:
                _files.pop(next(iter(_files)))
            _files[key] = found
    return found.copy()


def _read_file(path: Path, code_column: str, needed: set[str]) -> pd.DataFrame:
    columns = [code_column, *sorted(needed)]
    table = read_table(path, required=columns, expected=f"columns {', '.join(columns)}",
                       fix="Check the file is the one the [inclusion] configuration describes.",
                       missing_file="Check the file's path in the [inclusion] section of observatory.toml.")
    table.non_empty(code_column)
    table.unique(code_column, "LSOA", expected="one row per LSOA", fix="Remove the repeated row.")
    for column in sorted(needed):
        table.numbers(column, expected="a number")
    table.done()
    df = table.frame()
    for column in sorted(needed):  # as pandas reads numbers (whole numbers as integers), the cells being checked
        df[column] = pd.to_numeric(df[column].replace("", np.nan))
    return df.set_index(code_column)


def census_value(df: pd.DataFrame, spec: IndicatorSpec) -> pd.Series:
    total = df["total_usual_residents"].where(df["total_usual_residents"] > 0)
    return 100.0 * df[list(spec.columns)].sum(axis=1) / total


def load(cfg: InclusionConfig, store: Store) -> Raw:
    census_cols = {c for i in cfg.indicators if i.source == "census" for c in i.columns}
    imd_cols = {c for i in cfg.indicators if i.source == "imd" for c in i.columns}
    census = _read(cfg.population, "lsoa21_code", census_cols | {"total_usual_residents", *AGED_75})
    imd = _read(cfg.deprivation, "lsoa21_code", imd_cols)
    wards = _read(cfg.wards, "LSOA21CD", set())
    for col in ("WD24CD", "WD24NM", "LAD24CD"):
        if col not in wards.columns:
            raise InputError(cfg.wards, "the column is missing.", column=col,
                             expected="the ONS LSOA21 -> WD24 -> LAD24 best-fit lookup columns")
    notes: list[str] = []
    census = _in_region(census, cfg.population, region_lsoas(store, wards, cfg.wards), notes)
    codes = np.array(sorted(census.index), dtype=object)
    census = census.reindex(codes)
    outside = int((~imd.index.isin(codes)).sum())
    if outside:
        notes.append(f"{cfg.deprivation.name}: {len(imd) - outside:,} of its {len(imd):,} LSOAs are the region's and "
                     f"were used; the other {outside:,} lie outside it.")
    n = len(codes)
    values = np.full((n, len(cfg.indicators)), np.nan)
    weights = np.tile(census["total_usual_residents"].to_numpy(float)[:, None], (1, len(cfg.indicators)))
    provenance = []
    for j, spec in enumerate(cfg.indicators):
        if spec.source == "census":
            values[:, j] = census_value(census, spec).to_numpy()
            provenance.append(_prov(spec, CENSUS, cfg.population, "2021-03", "LSOA 2021"))
        elif spec.source == "imd":
            col = imd[spec.columns[0]].reindex(codes)
            values[:, j] = col.to_numpy(float)
            provenance.append(_prov(spec, IMD, cfg.deprivation, "2025", "LSOA 2021"))
        else:
            v, premises, prov = _coverage(store, spec, codes, cfg)
            values[:, j] = v
            weights[:, j] = np.where(np.isnan(premises), 0.0, premises)
            provenance.append(prov)
        gap = int(np.isnan(values[:, j]).sum())
        if provenance[-1].get("missing"):
            notes.append(f"{spec.label}: {provenance[-1]['missing']}; left out of every area's index.")
        elif gap:
            notes.append(f"{spec.label}: no figure for {gap:,} of {n:,} LSOAs; their index uses the other indicators.")
    ward = wards["WD24CD"].reindex(codes)
    lad = census["lad_code"] if "lad_code" in census.columns else wards["LAD24CD"].reindex(codes)
    if ward.isna().any():
        notes.append(f"{int(ward.isna().sum())} LSOAs are not in the ward lookup {cfg.wards.name}; they are left "
                     "out of ward figures.")
    aged_75 = census[list(AGED_75)].sum(axis=1).to_numpy(float)
    raw = Raw(
        codes=codes, names=census["lsoa21_name"].to_numpy(object) if "lsoa21_name" in census.columns else codes,
        lad=lad.to_numpy(object), ward=ward.fillna("").to_numpy(object),
        residents=census["total_usual_residents"].to_numpy(float), aged_75=aged_75,
        values=values, agg_weight=weights, provenance=provenance, notes=notes,
        ward_names=dict(zip(wards["WD24CD"], wards["WD24NM"], strict=False)),
    )
    raw.england = england_bounds(cfg)
    try:
        raw.lad_names = store.names("lad")
        raw.ward_names.update(store.names("ward"))
    except ObservatoryError:
        pass
    return raw


@dataclass(frozen=True)
class Region:
    """The LSOAs 2021 of the workspace's region, and how they were found (for the notes)."""

    name: str
    lsoas: frozenset[str]
    how: str


def region_lsoas(store: Store, wards: pd.DataFrame, wards_file: Path) -> Region | None:
    """The region's LSOAs 2021: those the ward lookup places in the region's districts (the store
    says which districts), else the store's own LSOAs; None where the store says neither (the
    files are then taken as the region's as they stand)."""
    meta = store.meta()
    code = meta.get("region_code") or ""
    name = meta.get("workspace") or code
    districts: set[str] = set()
    if code:
        try:
            region = store.area(code)
            name = region["name"]
            districts = {d["code"] for d in store.children(code, "lad")} if region["level"] != "lad" else {code}
        except ObservatoryError:
            districts = set()
    if districts and "LAD24CD" in wards.columns:
        lad = wards["LAD24CD"].astype(str).str.strip().map(current)
        inside = frozenset(wards.index[lad.isin(districts)])
        if inside:
            return Region(name, inside, f"the LSOAs {wards_file.name} places in its {len(districts)} districts")
    lsoas = frozenset(store.names("lsoa"))
    if lsoas:
        return Region(name, lsoas, "the LSOAs of its boundaries")
    return None


def _in_region(df: pd.DataFrame, file: Path, region: Region | None, notes: list[str]) -> pd.DataFrame:
    """The rows of an LSOA file that are the region's (a national file is cut to the region), and
    a note of how many were kept."""
    if region is None:
        return df
    keep = df.index.isin(region.lsoas)
    kept = int(keep.sum())
    if kept == 0:
        raise InputError(file, f"none of its {len(df):,} LSOAs is one of {region.name}'s {len(region.lsoas):,} "
                               f"({region.how}).", expected="LSOA 2021 codes (E01..., W01...) of the region",
                         fix="Check that the file is for LSOAs of 2021 and covers the region (a file for all of "
                             "England and Wales is cut to the region).")
    if kept < len(df):
        notes.append(f"{file.name}: kept {kept:,} of its {len(df):,} rows, the LSOAs of {region.name} "
                     f"({region.how}); the other {len(df) - kept:,} lie outside it.")
    return df[keep]


def _prov(spec: IndicatorSpec, publisher: str, file: Path, release: str, vintage: str,
          synthetic: bool = False, release_id: str | None = None) -> dict[str, Any]:
    return {"indicator": spec.id, "publisher": publisher, "file": file.name, "release": release,
            "release_id": release_id or file.name, "vintage": vintage, "synthetic": synthetic}


def _coverage(store: Store, spec: IndicatorSpec, codes: np.ndarray, cfg: InclusionConfig):
    try:
        rows = store.figures("lsoa", spec.columns[0], "latest")
    except ObservatoryError as exc:
        # said in every output (the gap note in `load`), never a silent zero
        nan = np.full(len(codes), np.nan)
        return nan, nan, {"indicator": spec.id, "publisher": "not in the store", "file": "", "release": None,
                          "release_id": "", "vintage": "", "synthetic": False,
                          "missing": f"the store has no LSOA figures for '{spec.columns[0]}' ({exc})"}
    by_code = {r["area_code"]: r for r in rows}
    v = np.array([by_code[c]["value"] if c in by_code and by_code[c]["value"] is not None else np.nan
                  for c in codes], dtype=float)
    premises = np.array([by_code[c]["denominator"] if c in by_code and by_code[c]["denominator"] is not None
                         else np.nan for c in codes], dtype=float)
    synthetic = any(r["synthetic"] for r in rows)
    release_ids = sorted({r["release_id"] for r in rows})
    vintage = "OA 2011 placed in LSOA 2021 by best fit"
    prov = {"indicator": spec.id, "publisher": "Ofcom, Connected Nations" + (" (synthetic input made for the demonstration)" if synthetic else ""),
            "file": ", ".join(release_ids), "release": rows[0]["release"] if rows else None,
            "release_id": ", ".join(release_ids), "vintage": vintage, "synthetic": synthetic}
    return v, premises, prov


def england_bounds(cfg: InclusionConfig) -> dict[str, tuple[float, float]]:
    """Minimum and maximum over every LSOA of England, where the workspace names national files
    (coverage below districts exists only for the region, so it has none)."""
    out: dict[str, tuple[float, float]] = {}
    census_specs = [i for i in cfg.indicators if i.source == "census"]
    imd_specs = [i for i in cfg.indicators if i.source == "imd"]
    if cfg.population_england and census_specs:
        cols = {c for i in census_specs for c in i.columns} | {"total_usual_residents"}
        df = _read(cfg.population_england, "lsoa21_code", cols)
        df = df[df.index.str.startswith("E01")]
        for spec in census_specs:
            v = census_value(df, spec)
            out[spec.id] = (float(v.min()), float(v.max()))
    if cfg.deprivation_england and imd_specs:
        df = _read(cfg.deprivation_england, "lsoa21_code", {i.columns[0] for i in imd_specs})
        df = df[df.index.str.startswith("E01")]
        for spec in imd_specs:
            out[spec.id] = (float(df[spec.columns[0]].min()), float(df[spec.columns[0]].max()))
    return out
