"""Downloads of one indicator x level x release as CSV, GeoJSON or GeoPackage.

Every row carries its provenance (release id, method, geography vintage) and an
`illustrative_data` column; a download that holds illustrative figures says so in a note column
(CSV), a top-level `notice` member (GeoJSON) and a `readme` table plus layer description
(GeoPackage), so the marking survives the file being passed on.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from starlette.responses import FileResponse, Response

from ..geography.local_names import KIND_WORDS, NOTES
from ..levels import rank
from ..store import FIGURE_COLUMNS, Store
from .figures import ILLUSTRATIVE_NOTE

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
}


# The areas each row lies in, as columns, so a download can be filtered or grouped by district
# (and by ward below it) without a lookup of its own.
PARENT_COLUMNS = (("ward", "ward"), ("lad", "district"))


def figures_frame(store: Store, indicator: str, level: str, release: str,
                  within: str | None = None) -> pd.DataFrame:
    """The figures as a table people open in a spreadsheet: percentages to two decimal places
    (the store keeps full precision), counts as whole numbers, yes/no for flags, and the ward and
    district of each area. With `within` (an area's code), only the areas inside it: the rows a
    map of that area shows (five districts, not every district in the UK)."""
    rows = store.figures(level, indicator, release)
    if within:
        inside = {c["code"] for c in store.children(within, level)}
        rows = [r for r in rows if r["area_code"] in inside]
    frame = pd.DataFrame(rows, columns=list(FIGURE_COLUMNS))
    frame["value"] = pd.to_numeric(frame["value"]).round(2)
    for column in ("numerator", "denominator"):
        frame[column] = pd.to_numeric(frame[column]).round().astype("Int64")
    synthetic = frame["synthetic"].astype(bool)
    frame["suppressed"] = frame["suppressed"].astype(bool).map(_yes_no)
    frame["synthetic"] = synthetic.map(_yes_no)
    frame["illustrative_data"] = synthetic.map(_yes_no)
    frame["note"] = synthetic.map(lambda s: ILLUSTRATIVE_NOTE if s else "")
    # MSOAs: the readable name or the wards that describe it, and which of the two it is; other
    # levels have neither, so the columns are left out
    if frame["area_local_name"].isna().all():
        frame = frame.drop(columns=["area_local_name", "area_local_name_kind"])
    else:
        frame["area_local_name_kind"] = frame["area_local_name_kind"].map(KIND_WORDS)
    for parent_level, name in PARENT_COLUMNS:
        if rank(parent_level) > rank(level):
            parents = store.parents_at(level, parent_level)
            if parents:
                frame[f"{name}_code"] = frame["area_code"].map(lambda c, p=parents: p.get(c, {}).get("code"))
                frame[f"{name}_name"] = frame["area_code"].map(lambda c, p=parents: p.get(c, {}).get("name"))
    return frame


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


# At most this many downloads are built at once; the rest wait their turn. A postcode-level
# GeoJSON is ~45 MB built in memory: eight at once took a server from 0.4 to 1.5 GB.
BUILDING = threading.BoundedSemaphore(2)
_locks: dict[Path, threading.Lock] = {}
_locks_guard = threading.Lock()


def download(store: Store, indicator: str, level: str, release: str, fmt: str,
             within: str | None = None) -> Response:
    """One download, built once per store: the first request writes it to a file beside the store
    (under a folder named by the store's fingerprint) and every request streams that file, so a
    popular download costs the server a file read, not a rebuild."""
    month = store.release_for(level, indicator, release)
    if within:
        within = store.area(within)["code"]  # a known area (NotFoundError otherwise): safe in a file name
    name = f"observatory_{indicator}_{level}_{month}{'_in_' + within if within else ''}.{fmt}"
    path = cached_path(store, name)
    if not path.exists():
        with _lock_for(path), BUILDING:
            if not path.exists():
                _write_atomically(path, build(store, indicator, level, month, fmt, within))
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return FileResponse(path, media_type=FORMATS[fmt], headers=headers)


def build(store: Store, indicator: str, level: str, release: str, fmt: str,
          within: str | None = None) -> bytes:
    frame = figures_frame(store, indicator, level, release, within)
    month = frame["release"].iloc[0] if len(frame) else release
    readme = _readme(store, indicator, level, month, frame)
    if fmt == "csv":
        return frame.to_csv(index=False).encode()
    geo = _with_geometry(store, level, frame)
    return _geojson(geo, readme) if fmt == "geojson" else _gpkg(geo, readme, indicator)


def cached_path(store: Store, name: str) -> Path:
    """WORKSPACE/build/downloads/<store fingerprint>/<name>; older stores' folders are removed."""
    root = store.path.parent / "downloads"
    current = root / store.meta().get("fingerprint", "unknown")[:16]
    if not current.exists():
        current.mkdir(parents=True, exist_ok=True)
        for old in root.iterdir():
            if old != current and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    return current / name


def _lock_for(path: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(path, threading.Lock())


def _write_atomically(path: Path, body: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{threading.get_ident()}.tmp")
    tmp.write_bytes(body)
    tmp.replace(path)


def _with_geometry(store: Store, level: str, frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Full-resolution boundaries where the store has them, else the area's point (postcodes)."""
    geoms = {}
    for g in store.geometries(level):
        if g["geometry"] is not None:
            geoms[g["code"]] = shapely.from_wkb(g["geometry"])
        elif g["lon"] is not None:
            geoms[g["code"]] = shapely.Point(g["lon"], g["lat"])
    return gpd.GeoDataFrame(frame, geometry=[geoms.get(c) for c in frame["area_code"]], crs=4326)


def _readme(
    store: Store, indicator: str, level: str, month: str, frame: pd.DataFrame
) -> dict[str, Any]:
    ind = store.indicator(indicator)
    releases = {r["release_id"]: r for r in store.releases()}
    used = [releases[r] for r in sorted(set(frame["release_id"])) if r in releases]
    notice = ""
    if frame["illustrative_data"].any():
        notice = (
            "Illustrative data: rows with illustrative_data = true are derived from a synthetic "
            "demo file, not published coverage. Do not use them for decisions."
        )
    local_names = ""
    if "area_local_name" in frame.columns:
        kinds = [k for k, words in KIND_WORDS.items() if words in set(frame["area_local_name_kind"].dropna())]
        local_names = " ".join(NOTES[k] for k in kinds)
        if (source := store.meta().get("msoa_names")) and "hcl" in kinds:
            local_names += f" {source}."
    return {
        "title": f"{ind['label']}, {level} level, {month}",
        "local_names": local_names,
        "indicator": indicator,
        "definition": ind["definition"],
        "citation": ind["citation"],
        "level": level,
        "release": month,
        "notice": notice,
        "sources": "; ".join(
            f"{r['publisher']}: {r['title']} ({r['licence']}). {r.get('attribution') or ''}".strip()
            for r in used
        ),
    }


def _geojson(geo: gpd.GeoDataFrame, readme: dict[str, Any]) -> bytes:
    doc = json.loads(geo.to_json(drop_id=True))
    # Foreign members (RFC 7946 section 6.1): readers that do not know them ignore them.
    doc = {"type": doc["type"], "metadata": readme, "notice": readme["notice"], **doc}
    return json.dumps(doc).encode()


def _gpkg(geo: gpd.GeoDataFrame, readme: dict[str, Any], indicator: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "figures.gpkg"
        description = readme["title"] + (f". {readme['notice']}" if readme["notice"] else "")
        pyogrio.write_dataframe(
            geo, path, layer=indicator, driver="GPKG", layer_options={"DESCRIPTION": description}
        )
        notes = pd.DataFrame({"key": list(readme), "value": [str(v) for v in readme.values()]})
        pyogrio.write_dataframe(notes, path, layer="readme", driver="GPKG")
        return path.read_bytes()
