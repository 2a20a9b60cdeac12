"""What the store holds: releases with their provenance, what can be downloaded, and search."""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections import Counter
from pathlib import Path, PurePath
from typing import Any

from ..errors import ConfigError, InputError
from ..geography.local_names import display
from ..geography.local_names import where as local_where
from ..levels import LEVELS
from ..sources.osm_sites import read_sites
from ..store import Store
from ..workspace import CONFIG_NAME
from ..workspace import load as load_workspace
from .params import LEVEL_NAMES

log = logging.getLogger("observatory.web")

RELEASE_FIELDS = (
    "release_id", "publisher", "title", "as_of", "published", "licence", "attribution", "origin",
    "vintage", "synthetic", "rows", "file", "files_used", "checksum",
)


def available(store: Store) -> list[dict[str, Any]]:
    """Every indicator x level with the months that hold it (what the download form offers)."""
    with store.cursor() as cur:
        rows = cur.execute(
            "SELECT indicator, level, list(DISTINCT release ORDER BY release) FROM facts "
            "GROUP BY indicator, level"
        ).fetchall()
    labels = {i["id"]: i["label"] for i in store.indicators()}
    out = [
        {
            "indicator": ind,
            "indicator_label": labels.get(ind, ind),
            "level": level,
            "level_label": LEVEL_NAMES.get(level, level),
            "releases": list(months),
        }
        for ind, level, months in rows
        if level in LEVELS
    ]
    return sorted(out, key=lambda r: (r["indicator"], LEVELS.index(r["level"])))


def sources(store: Store) -> dict[str, Any]:
    releases = [_release(r) for r in store.releases()]
    return {
        "releases": releases,
        "indicators": [
            {k: i[k] for k in ("id", "label", "unit", "definition", "citation", "finest_level")}
            for i in store.indicators()
        ],
        "available": available(store),
        "formats": ["csv", "geojson", "gpkg"],
        "built": store.meta(),
        "illustrative": any(r["synthetic"] for r in releases),
    }


def _release(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row.get(k) for k in RELEASE_FIELDS}
    # The file's name as its publisher named it; where it sat on the server is no one's business.
    if out["file"]:
        out["file"] = PurePath(out["file"]).name
    out["files_used"] = list(out["files_used"] or [])
    return out


# -- search ------------------------------------------------------------------------------------
# Areas come from the store. Towns and other places come from the workspace's sites file (the
# OpenStreetMap public sites that [inclusion] sites names): the town, suburb or village in each
# site's address, placed in the ward its point lies in. The store has no place names of its own,
# so the index is built from that file once per store, at the first search, and kept with it.

PER_PAGE = 20
# OpenStreetMap address keys naming a place, and what to call it
PLACE_KEYS = {"addr:city": "town", "addr:town": "town", "addr:suburb": "suburb",
              "addr:village": "village", "addr:hamlet": "hamlet"}
_TAG = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')
# a place's wards, in the order of how many of its sites each holds; shown on the page up to this many
WARDS_SHOWN = 8
_places: weakref.WeakKeyDictionary[Store, list[dict[str, Any]]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def search(store: Store, text: str, page: int = 1, workspace_dir: Path | None = None) -> dict[str, Any]:
    """Places (towns, suburbs, villages) and areas whose name or code contains the text. Areas
    come PER_PAGE at a time with their total; each names the area it lies in ("ward in Leeds")."""
    text = text.strip()
    if not text:
        return {"query": text, "results": [], "places": [], "total": 0, "page": 1, "pages": 0,
                "per_page": PER_PAGE, "first": 0, "last": 0}
    total, _ = store.search_areas(text, 0, 1)
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    _, rows = store.search_areas(text, (page - 1) * PER_PAGE, PER_PAGE)
    results = _described(store, rows)
    places = find_places(places_of(store, workspace_dir), text)
    return {
        "query": text,
        "places": places,
        "results": results,
        "total": total,
        "page": page,
        "pages": pages,
        "per_page": PER_PAGE,
        "first": (page - 1) * PER_PAGE + 1 if results else 0,
        "last": (page - 1) * PER_PAGE + len(results),
    }


def _short(level: str) -> str:
    """'ward', 'district', 'LSOA': a level's name inside a sentence."""
    return {"lad": "district", "ward": "ward", "oa": "output area", "lsoa": "LSOA", "msoa": "MSOA",
            "postcode": "postcode", "ca": "combined authority", "rgn": "region", "nation": "nation",
            "group": "grouping of districts"}.get(level, LEVEL_NAMES.get(level, level))


# the glossary's entry for each level (glossary.py)
GLOSSARY_IDS = {"oa": "output-area", "lsoa": "lsoa", "msoa": "msoa", "ward": "ward", "lad": "district",
                "ca": "combined-authority"}


def _described(store: Store, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each area with the area it lies in and a phrase saying so: "ward in Leeds", "LSOA in
    Headingley & Hyde Park ward, Leeds", "district in West Yorkshire Combined Authority"."""
    codes = [r["code"] for r in rows]
    lad = store.parents_of([r["code"] for r in rows if r["level"] not in ("lad", "ca", "rgn")], "lad")
    ward = store.parents_of([r["code"] for r in rows if r["level"] in ("postcode", "oa", "lsoa", "msoa")], "ward")
    ca = store.parents_of([r["code"] for r in rows if r["level"] == "lad"], "ca")
    rgn = store.parents_of([r["code"] for r in rows if r["level"] in ("lad", "ca")], "rgn")
    nation = store.parents_of([r["code"] for r in rows if r["level"] in ("ca", "rgn")], "nation")
    out = []
    for r, code in zip(rows, codes, strict=True):
        parents = [p for p in (ward.get(code), lad.get(code)) if p]
        if r["level"] == "lad":
            parents = [p for p in (ca.get(code) or rgn.get(code),) if p]
        elif r["level"] in ("ca", "rgn"):
            parents = [p for p in (nation.get(code),) if p]
        where = ""
        if (wards := local_where(r.get("local_name"), r.get("local_name_kind"))) and lad.get(code):
            where = f"{wards}, {lad[code]['name']}"  # an MSOA described by the wards its LSOAs lie in
        elif ward.get(code) and lad.get(code):
            where = f"{ward[code]['name']} ward, {lad[code]['name']}"
        elif parents:
            where = parents[0]["name"]
        kind = _short(r["level"])
        out.append(dict(
            r,
            level_label=LEVEL_NAMES.get(r["level"], r["level"]),
            display_name=display(r["name"], r.get("local_name"), r.get("local_name_kind")),
            parents=parents,
            described=f"{kind} in {where}" if where else kind,
            kind=kind,
            where=where,
            glossary=GLOSSARY_IDS.get(r["level"]),
        ))
    return out


def find_places(index: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    """Places whose name contains the text: exact names first, then names that start with it,
    then by how many sites name them."""
    needle = text.strip().lower()
    if not needle:
        return []
    found = [p for p in index if needle in p["key"]]
    found.sort(key=lambda p: (p["key"] != needle, not p["key"].startswith(needle), -p["sites"], p["name"]))
    return [{k: v for k, v in p.items() if k != "key"} for p in found]


def places_of(store: Store, workspace_dir: Path | None = None) -> list[dict[str, Any]]:
    """The place index of this store's workspace (empty when it has no sites file)."""
    found = _places.get(store)
    if found is None:
        with _lock:
            found = _places.get(store)
            if found is None:
                try:
                    found = place_index(store, sites_file(store, workspace_dir))
                except Exception as exc:  # noqa: BLE001 - places are optional: areas are still searched
                    log.warning("no place names for search (%s): %s", type(exc).__name__, exc)
                    found = []
                _places[store] = found
    return found


def sites_file(store: Store, workspace_dir: Path | None = None) -> Path | None:
    """The sites file the workspace names ([inclusion] sites), if any. Without a workspace given,
    the one the store was built in (a store lives in WORKSPACE/build/)."""
    root = Path(workspace_dir) if workspace_dir else store.path.parent.parent
    config = root / CONFIG_NAME
    if not config.is_file():
        return None
    try:
        inclusion = load_workspace(root).inclusion
    except ConfigError:
        return None  # place search is an extra: the workspace's own error is shown where it matters
    return inclusion.sites if inclusion else None


def place_index(store: Store, sites: Path | None) -> list[dict[str, Any]]:
    """Every place named in a site's address, with the wards (and so the districts) its sites lie in."""
    if sites is None or not sites.is_file():
        return []
    named: dict[str, list[tuple[str, float, float]]] = {}  # lower-cased name -> (key, lon, lat)
    spelling: dict[str, Counter[str]] = {}
    try:
        rows = read_sites(sites)  # the one reader of the sites file
    except InputError as exc:  # places are optional: areas are still searched
        log.warning("no place names for search: %s", exc)
        return []
    for lon, lat, tags in zip(rows["lon"].tolist(), rows["lat"].tolist(), rows["other_tags"], strict=True):
        seen = set()
        for key, value in _TAG.findall(tags):
            if key not in PLACE_KEYS:
                continue
            name = value.split(",")[0].strip()  # "Garforth, Leeds" names Garforth
            low = name.lower()
            if not name or low in seen:
                continue
            seen.add(low)
            named.setdefault(low, []).append((key, lon, lat))
            spelling.setdefault(low, Counter())[name] += 1
    if not named:
        return []
    wards = store.geometries("ward")
    if not wards:
        return []
    import shapely

    shapes = shapely.from_wkb([w["geometry"] for w in wards])
    tree = shapely.STRtree(shapes)
    districts = store.parents_at("ward", "lad")
    out = []
    for low, hits in named.items():
        points = shapely.points([(lon, lat) for _, lon, lat in hits])
        which, ward_of = tree.query(points, predicate="intersects")
        in_ward: Counter[int] = Counter()
        for i, w in zip(which.tolist(), ward_of.tolist(), strict=True):
            in_ward.setdefault(i, w)  # a point on a boundary counts once
        counts = Counter(in_ward.values())
        if not counts:
            continue  # none of its sites lies in the region's wards
        by_district: Counter[str] = Counter()
        for w, n in counts.items():
            d = districts.get(wards[w]["code"])
            if d:
                by_district[d["code"]] += n
        names = {d["code"]: d["name"] for d in districts.values()}
        placed = sum(counts.values())
        kinds = Counter(PLACE_KEYS[k] for k, _, _ in hits)
        kind = "town" if kinds["town"] else kinds.most_common(1)[0][0]
        main = [{"code": c, "name": names[c], "sites": n} for c, n in by_district.most_common()
                if n == by_district.most_common(1)[0][1] or n >= 0.2 * placed]
        out.append({
            "key": low,
            "name": spelling[low].most_common(1)[0][0],
            "kind": kind,
            "sites": placed,
            "districts": main,
            "described": f"{kind} in {' and '.join(d['name'] for d in main)}",
            "wards": [
                {"code": wards[w]["code"], "name": wards[w]["name"], "sites": n,
                 "district": (districts.get(wards[w]["code"]) or {}).get("name")}
                for w, n in sorted(counts.items(), key=lambda wn: (-wn[1], wards[wn[0]]["name"]))
            ],
        })
    return out
