"""Build steps for coverage sources: each source kind read into facts with a release record."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError, InputError
from ..geography import hierarchy
from ..geography.code_history import ABOLISHED, RECODED, SUCCESSOR
from ..sources import ofcom, ons
from ..sources.tabular import read_bytes
from ..workspace import Source
from ..workspace.inputs import SMALL_AREA_ZIP
from . import cache
from .ahead import Ahead, take
from .state import Build, add_facts, isin


def _checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _release(b: Build, source: Source, release_id: str, as_of: str | None, rows: int,
             files_used: list[str] | None = None, vintage: str | None = None,
             notes: list[str] | None = None) -> None:
    b.releases.append({
        "release_id": release_id, "source": source.key, "publisher": source.publisher,
        "title": source.title, "as_of": as_of, "published": source.published,
        "licence": source.licence, "attribution": source.attribution, "origin": source.origin,
        # relative to the workspace: the store never holds the building machine's own paths
        "file": cache.relative(source.file, b.ws.root),
        "files_used": json.dumps(files_used or [source.file.name]), "checksum": _checksum(source.file),
        "vintage": vintage or source.vintage, "synthetic": source.synthetic, "rows": rows,
        "notes": json.dumps(notes or []),
    })


def _district_codes(b: Build, tidy: pd.DataFrame, name: str) -> pd.DataFrame:
    """Apply recodes and the workspace's code changes; keep districts abolished since (counted in
    their successor's parents); refuse codes that are not districts at all."""
    tidy = _recode(b, tidy)
    known = set(b.layers.layers["lad"].codes)
    _retired(b, tidy, name)
    unknown = ~isin(tidy["area_code"], known | set(SUCCESSOR))
    if unknown.any():
        i = int(np.argmax(unknown))
        code = tidy["area_code"].iloc[i]
        raise InputError(
            name, f'"{code}" is not a district in the workspace\'s district boundaries.',
            row=int(tidy["row"].iloc[i]),
            column="laua", expected="the LAD 2025 code (a letter and eight digits) of one of the workspace's districts",
            fix="Fix the code, or map an old code to its successor in [code_changes] of observatory.toml.",
        )
    return tidy


def _retired(b: Build, tidy: pd.DataFrame, name: str) -> None:
    """Districts abolished before LAD 2025 (e.g. the 2019-2023 mergers) that a release lists: kept
    as areas of their own vintage, shown as published, and linked to the parents their area is in
    today, so a parent's figure for that release counts them (and check lists them)."""
    known = set(b.layers.layers["lad"].codes)
    codes = tidy[~isin(tidy["area_code"], known) & isin(tidy["area_code"], set(SUCCESSOR))]
    retired = codes.drop_duplicates("area_code")
    seen = {c for frame in b.areas for c in frame.loc[frame["vintage"] == ABOLISHED, "code"]}
    new = retired[~retired["area_code"].isin(seen)]
    if len(new):
        b.areas.append(pd.DataFrame({
            "code": new["area_code"], "name": new["area_name"].map(_title), "level": "lad",
            "vintage": ABOLISHED, "lon": np.nan, "lat": np.nan, "geometry": None,
        }))
        b.links = pd.concat([b.links, hierarchy.links(b.hierarchy, list(new["area_code"]))
                             .query("child in @codes", local_dict={"codes": set(new["area_code"])})],
                            ignore_index=True)
    if len(retired):
        b.finding("vintage", name, "abolished district codes (now parts of a successor district): shown "
                  "as published and counted in the successor's parents", len(retired))


def _title(name: object) -> object:
    """Ofcom's 2019-2023 tables give names in capitals (BRADFORD); show them as ONS spells them."""
    if isinstance(name, str) and name.isupper():
        small = {"And", "Of", "The", "Upon", "On", "In", "By", "With"}
        words = [w.capitalize() for w in name.lower().split(" ")]
        return " ".join(w.lower() if i and w in small else w for i, w in enumerate(words))
    return name


def _read_laua(b: Build, source: Source) -> None:
    name = source.file.name
    parsed, notes = _parsed(b, source)
    tidy = _district_codes(b, parsed, name)
    rid = source.key
    for note in notes:
        b.finding("derived", rid, note, 1)
    _release(b, source, rid, source.as_of, int(tidy["area_code"].nunique()), vintage="LAD (as published)",
             notes=notes)
    add_facts(b, tidy, rid, source.as_of, "lad", source.synthetic)


def _read_takeup(b: Build, source: Source) -> None:
    name = source.file.name
    tidy = _district_codes(b, _parsed(b, source), name)
    _release(b, source, source.key, source.as_of, int(len(tidy) / 2), vintage="LAD 2025")
    add_facts(b, tidy, source.key, source.as_of, "lad", source.synthetic)


def _recode(b: Build, tidy: pd.DataFrame) -> pd.DataFrame:
    """Old district codes to current ones (ONS Code History, plus the workspace's own changes)."""
    return tidy.assign(area_code=tidy["area_code"].replace({**RECODED, **b.ws.code_changes}))


def _read_ons_series(b: Build, source: Source) -> None:
    name = source.file.name
    districts, upper = _parsed(b, source)
    recoded = _recode(b, districts)
    # ONS lists a recoded district under both codes for a while: keep the row under the current code.
    current_first = recoded.assign(_old=recoded["area_code"] != districts["area_code"]).sort_values(
        ["_old", "row"], kind="stable")
    districts = current_first.drop_duplicates(["area_code", "release"]).drop(columns="_old").sort_values("row")
    if len(districts) < len(recoded):
        b.finding("recoded-duplicate", name, "rows under a district's old code left out: the same "
                  "district and period is given under its current code", len(recoded) - len(districts))
    if len(upper):
        b.finding("upper-tier-skipped", name,
                  "county rows left out: upper-tier areas overlap the districts inside them", len(upper))
    _retired(b, districts, name)
    for month, part in districts.groupby("release", sort=True):
        rid = f"{source.key}-{month}"
        _release(b, source, rid, month, len(part), vintage="LAD (as published)")
        add_facts(b, part.drop(columns="release"), rid, month, "lad", source.synthetic)


def parse_ahead(b: Build, ahead: Ahead, key: Callable[[Source], str | None]) -> dict[str, Future]:
    """Start parsing, in the build's worker, each source file whose step the build cache does not
    hold (by `key`, the source's cache key): parsing needs the file alone. Largest first (the
    small-area ZIP); by the name _parsed takes each under."""
    jobs = {}
    for source in sorted(b.ws.sources, key=lambda s: s.kind != SMALL_AREA_ZIP):
        k = key(source)
        if source.kind in PARSERS and not (k and b.cache.has(f"source-{source.key}", k)):
            job = ahead.submit(PARSERS[source.kind], source.file)
            if job is not None:
                jobs[_parsing(source)] = job
    return jobs


def _parsing(source: Source) -> str:
    return f"parse-{source.key}"


def _parsed(b: Build, source: Source) -> Any:
    """The source's file parsed: by the build's worker if it was handed over, else here."""
    return take(b.jobs.get(_parsing(source)), lambda: PARSERS[source.kind](source.file))


def _laua_with_notes(path: Path) -> tuple[pd.DataFrame, list[str]]:
    notes: list[str] = []
    return ofcom.read_laua(read_bytes(path), path.name, notes), notes


def _takeup(path: Path) -> pd.DataFrame:
    return ofcom.read_takeup(read_bytes(path), path.name)


def _gigabit_series(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return ons.read_gigabit_series(read_bytes(path), path.name)


def _read_small_areas(b: Build, source: Source) -> None:
    release = _parsed(b, source)
    if source.as_of and source.as_of != release.month:
        raise ConfigError(
            f"{b.ws.config_path}: source '{source.key}' says as_of = \"{source.as_of}\", but the files in "
            f"{source.file.name} are named for {release.month} ({release.files_used[0]}). Set "
            f"as_of = \"{release.month}\", or point the source at the release you meant."
        )
    as_of = source.as_of or release.month
    files = release.files_used
    rows = 0
    if release.files_superseded:
        b.finding("revision-superseded", source.file.name,
                  "older revisions in the ZIP not read: " + ", ".join(release.files_superseded),
                  len(release.files_superseded))
    if release.oa is not None:
        oa = release.oa
        if "oa" not in b.layers.layers:
            raise ConfigError(
                f"{b.ws.config_path}: source '{source.key}' holds output-area files, but the workspace "
                "has no [boundaries.oa] to place them. Add output-area boundaries of the release's "
                f"vintage ({source.vintage})."
            )
        known = set(b.layers.layers["oa"].codes)
        present = isin(oa["area_code"], known)
        codes_in_file = set(oa["area_code"])
        covered = len(known & codes_in_file)
        if covered < 0.5 * len(known):
            raise InputError(
                source.file.name,
                f"only {covered} of the {len(known)} output areas in the boundaries have a row in the "
                "output-area file: its codes are another vintage than the boundaries.",
                column="output_area", expected=f"output-area codes of vintage {source.vintage}",
                fix="Set vintage in [[sources]] to the release's vintage and use boundaries of the same vintage.",
            )
        missing = len(known - codes_in_file)
        if missing > 0.02 * len(known):
            # Ofcom's output-area file has a row for every output area; a fifth missing would build
            # districts from a fraction of their premises, and look fine
            raise InputError(
                source.file.name,
                f"{missing:,} of the {len(known):,} output areas in the boundaries ({100 * missing / len(known):.0f}%) "
                f"have no row in the output-area file, which holds {len(codes_in_file - known):,} codes from elsewhere.",
                column="output_area", expected="a row for every output area in the region",
                fix="Use the complete output-area file from Ofcom's release ZIP (of the boundaries' vintage).",
            )
        if missing:
            b.finding("vintage", source.file.name, "output areas in the boundaries with no row in the release",
                      missing)
        add_facts(b, oa[present], source.key, as_of, "oa", source.synthetic)
        rows += int(present.sum())
    if release.postcode_files:
        placed = b.codes("postcode")
        listed = pd.concat([wide["area_code"] for wide in release.postcode_files], ignore_index=True)
        b.finding("postcode-not-placed", source.file.name,
                  "postcodes in the release not placed in the region (outside it, or unlocated in the lookup)",
                  listed[~isin(listed, placed)].nunique())
        figures = release.postcode_figures(placed)
        add_facts(b, figures, source.key, as_of, "postcode", source.synthetic)
        rows += len(figures)
    _release(b, source, source.key, as_of, rows, files, vintage=source.vintage)


# Each kind's file -> what its reader places (module-level functions: the build's worker runs them).
PARSERS = {
    "ofcom-laua-coverage": _laua_with_notes,
    "ofcom-full-fibre-takeup": _takeup,
    "ons-gigabit-series": _gigabit_series,
    SMALL_AREA_ZIP: ofcom.read_small_area_zip,
}
READERS = {
    "ofcom-laua-coverage": _read_laua,
    "ofcom-full-fibre-takeup": _read_takeup,
    "ons-gigabit-series": _read_ons_series,
    SMALL_AREA_ZIP: _read_small_areas,
}


# -- roll-ups and suppression -------------------------------------------------------------------
