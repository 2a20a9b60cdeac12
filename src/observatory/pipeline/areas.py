"""Build steps for geography: boundaries in, areas placed in their parents, postcodes placed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from ..errors import ConfigError
from ..geography import hierarchy
from ..geography.membership import Layers, extend_upwards, links_at
from ..sources.boundaries import THREADS, Boundaries, in_threads, read_boundaries, unions_in_threads
from ..sources.location import UK_BOUNDS, check_inside
from ..sources.lookups import read_lookup
from ..sources.postcodes import read_postcodes
from ..sources.tabular import read_bytes
from ..workspace import Boundary, Workspace
from . import cache
from .ahead import Ahead, take
from .state import Build, isin

# Map geometry is simplified per level so a whole layer stays small enough to draw in a browser;
# tolerances in degrees (0.0001 deg is about 7 m north-south here).
# The vintage of each parent level's codes (ONS lookups of April/May 2025).
VINTAGES = {"ca": "CAUTH 2025", "rgn": "RGN 2025", "group": "workspace grouping"}

SIMPLIFY = {"oa": 0.00008, "lsoa": 0.00015, "msoa": 0.0002, "ward": 0.0002, "lad": 0.0008}



def geography_keys(ws: Workspace) -> dict[str, str | None]:
    """The cache keys of the geography steps (cache.py), from the files and settings they read:
    each boundary layer's, the areas' places in each other ("geography") and the postcodes'. Known
    before any is run, so the build can tell at its start which steps it will compute."""
    keys = {f"boundaries-{level}": _digest_key("boundaries", [spec.file], level, spec.code, spec.name,
                                                spec.vintage, SIMPLIFY[level])
            for level, spec in ws.boundaries.items()}
    keys["geography"] = _geography_key(ws, keys)
    geo = keys["geography"]
    keys["postcodes"] = (_digest_key("postcodes", [ws.postcodes], geo, ws.postcodes.name)
                         if geo and ws.postcodes is not None else None)
    return keys


def read_all_boundaries(b: Build) -> None:
    """Every boundary layer: from the cache, or read, repaired and simplified. Layers not cached
    are worked on side by side in threads (most of the work is GEOS's and GDAL's, which let go of
    Python's lock); what the build records follows the order of the workspace's layers."""
    specs = list(b.ws.boundaries.items())
    keys = {level: b.keys.get(f"boundaries-{level}") for level, _ in specs}
    hits = {level: b.cache.load(f"boundaries-{level}", keys[level]) if keys[level] else None for level, _ in specs}
    # the national districts first: the longest to repair
    todo = sorted((level for level, _ in specs if hits[level] is None), key=lambda level: level != "lad")
    with ThreadPoolExecutor(THREADS) as pool:
        computing = {level: pool.submit(_boundary_layer, b.ws.boundaries[level]) for level in todo}
        try:
            layers = {level: _cached_layer(spec, *hits[level]) if hits[level] is not None
                      else computing[level].result() for level, spec in specs}
        finally:
            for future in computing.values():
                future.cancel()
    b.points = {}
    for level, spec in specs:
        layer, lon, lat, wkb, simple_wkb = layers[level]
        k = keys[level]
        if k and hits[level] is None:
            b.cache.save(f"boundaries-{level}", k,
                         {"repaired": layer.repaired, "reprojected_from": layer.reprojected_from},
                         {"area": pd.DataFrame({"code": layer.codes, "name": layer.names, "lon": lon,
                                                "lat": lat, "geometry": wkb}),
                          "shape": pd.DataFrame({"geometry": simple_wkb})})
        b.points[level] = (lon, lat)
        if layer.repaired:
            b.finding("geometry-repaired", spec.file.name,
                      f"{level} polygons that were invalid (self-intersecting after generalisation) "
                      "and were repaired with make_valid", layer.repaired)
        if layer.reprojected_from:
            b.finding("reprojected", spec.file.name, f"reprojected from {layer.reprojected_from} to EPSG:4326", 1)
        b.areas.append(pd.DataFrame({
            "code": layer.codes, "name": layer.names, "level": level, "vintage": layer.vintage,
            "lon": lon, "lat": lat, "geometry": wkb,
        }))
        b.shapes.append(pd.DataFrame({"code": layer.codes, "level": level, "geometry": simple_wkb}))
    b.layers = Layers({level: layers[level][0] for level, _ in specs})
    _check_locations(b)


def _boundary_layer(spec: Boundary) -> tuple:
    """A layer read from its file: (layer, lon, lat, geometry WKB, simplified geometry WKB)."""
    layer = read_boundaries(spec)
    points = in_threads(shapely.point_on_surface, layer.geometry)
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    wkb = shapely.to_wkb(layer.geometry)
    # coverage_simplify keeps shared edges shared, so works on the whole layer at once
    simple = shapely.coverage_simplify(layer.geometry, SIMPLIFY[spec.level]) if spec.level != "lad" else \
        _simplified_districts(layer.geometry)
    return layer, lon, lat, wkb, shapely.to_wkb(simple)


def _simplified_districts(geometry: np.ndarray) -> np.ndarray:
    """The UK's districts for maps. Their generalised boundaries do not form a clean coverage
    (coverage_simplify would keep half as many vertices again), so each is simplified on its own:
    by Douglas-Peucker, four times quicker than the topology-preserving simplifier. Islets narrower
    than the tolerance (about 60 m) drop out, as on any map at this scale, where the other
    simplifier kept each as a speck; West Yorkshire's districts come out identical. A district that
    would come out invalid (a ring crossing itself) or empty is simplified the slow way."""
    tolerance = SIMPLIFY["lad"]
    simple = in_threads(shapely.simplify, geometry, tolerance, preserve_topology=False)
    bad = ~shapely.is_valid(simple) | shapely.is_empty(simple)
    if bad.any():
        simple[bad] = shapely.simplify(geometry[bad], tolerance, preserve_topology=True)
    return simple


def _cached_layer(spec: Boundary, meta: dict, t: dict[str, pd.DataFrame]) -> tuple:
    area, shape = t["area"], t["shape"]
    layer = Boundaries(spec.level, spec.vintage, _objects(area["code"]), _objects(area["name"]),
                       shapely.from_wkb(area["geometry"].to_numpy()), meta["repaired"], meta["reprojected_from"])
    return layer, area["lon"].to_numpy(), area["lat"].to_numpy(), _objects(area["geometry"]), _objects(shape["geometry"])


def _objects(column: pd.Series) -> np.ndarray:
    """A cached column as the object array the uncached step makes (str codes, WKB bytes)."""
    return np.asarray(column.to_numpy(dtype=object), dtype=object)


def _digest_key(step: str, files, *settings) -> str | None:
    """The cache key of a step reading `files` with `settings`; None when a file cannot be read
    (the step itself then says what is wrong with it)."""
    try:
        return cache.key(step, cache.digests(files), *settings)
    except OSError:
        return None


def _geography_key(ws: Workspace, keys: dict[str, str | None]) -> str | None:
    """What the areas' places in each other and in the hierarchy follow from: every boundary
    layer, the lookups and the region's settings."""
    bounds = [keys.get(f"boundaries-{level}") for level in ws.boundaries]
    if None in bounds:
        return None
    lookups = [[lk.level, lk.district, lk.code, lk.name] for lk in ws.lookups]
    return _digest_key("geography", [lk.file for lk in ws.lookups], bounds, lookups, list(ws.districts),
                       ws.region_code, ws.region_name)


def _check_locations(b: Build) -> None:
    """Districts must lie in the UK, and small areas in the region's districts: anything else is
    swapped or projected coordinates (sources.location says which)."""
    lad = b.layers.layers["lad"]
    spec = b.ws.boundaries["lad"]
    check_inside(spec.file.name, *b.points["lad"], UK_BOUNDS, "the United Kingdom")
    region = lad.geometry[np.isin(lad.codes, b.ws.districts)]
    if not len(region):
        return
    x0, y0, x1, y1 = shapely.total_bounds(region)
    margin = 0.05  # degrees, about 5 km: generalised boundaries of different sources differ a little
    box = (x0 - margin, y0 - margin, x1 + margin, y1 + margin)
    for level in b.layers.layers:
        if level == "lad":
            continue
        check_inside(b.ws.boundaries[level].file.name, *b.points[level], box,
                     f"the region's districts ({b.ws.region_name})")


def place_areas(b: Build) -> None:
    ws = b.ws
    lads = list(b.layers.layers["lad"].codes)
    unknown = set(ws.districts) - set(lads)
    if unknown:
        raise ConfigError(
            f"{ws.config_path}: [workspace].districts names {sorted(unknown)[0]}, which is not a district in "
            f"{ws.boundaries['lad'].file.name}. Fix the code, or use district boundaries that hold it."
        )
    links = _best_fit_links(b)
    b.hierarchy = _hierarchy(b, lads)
    upper = hierarchy.links(b.hierarchy, lads)
    b.links = pd.concat([extend_upwards(links, upper), upper], ignore_index=True)
    b.parents = _parent_areas(b)
    b.areas.append(b.parents)
    for level in ("oa", "lsoa", "msoa", "ward"):
        if level not in b.layers.layers:
            continue
        layer = b.layers.layers[level]
        placed = links[(links["parent_level"] == "lad")]
        outside = len(layer.codes) - isin(placed["child"], layer.codes).sum()
        if outside:
            b.finding("unplaced-area", level, f"{level} areas whose representative point lies in no district", outside)
        b.finding("vintage", level,
                  f"{layer.vintage} areas placed in LAD 2025 districts by best fit of a representative point",
                  len(layer.codes))


def _best_fit_links(b: Build) -> pd.DataFrame:
    bounds = [b.keys.get(f"boundaries-{level}") for level in b.ws.boundaries]
    k = cache.key("best-fit", bounds) if None not in bounds else None
    hit = b.cache.load("best-fit", k) if k else None
    if hit is not None:
        return hit[1]["links"]
    links = b.layers.best_fit_links()
    if k:
        b.cache.save("best-fit", k, {}, {"links": links})
    return links


def _hierarchy(b: Build, lads: list[str]) -> hierarchy.Hierarchy:
    """Nations and above for every district, then the workspace's lookups (regions, combined
    authorities, its own groupings); the focus region must be one of their areas."""
    ws = b.ws
    h = hierarchy.national(lads)
    for lookup in ws.lookups:
        hierarchy.add_lookup(h, read_lookup(lookup, set(lads)), lookup.level)
    if not ws.lookups:
        # no lookups: the region is the workspace's own districts, as a combined authority
        for d in ws.districts:
            h.add(d, ws.region_code, ws.region_name, "ca")
    known = {code: lv for code, (_, lv) in h.names.items() if lv in ("ca", "rgn", "group", "nation")}
    if ws.region_code in known and ws.region_name:
        # the focus region goes by the name the workspace gives it (ONS: "West Yorkshire")
        h.names[ws.region_code] = (ws.region_name, known[ws.region_code])
    if ws.region_code not in known:
        examples = ", ".join(f"{c} ({h.names[c][0]})" for c in sorted(known)[:4])
        raise ConfigError(
            f"{ws.config_path}: [workspace].region_code = '{ws.region_code}' is not a combined authority, "
            f"region, grouping or nation in the workspace's lookups ({len(known)} known, e.g. {examples}). "
            "Use one of their codes (`observatory sql \"SELECT code, name, level FROM areas WHERE level IN "
            "('ca', 'rgn')\"\"` lists them after a build), or add a [[lookups]] file that defines it."
        )
    members = set(h.members(ws.region_code))
    if ws.lookups and members != set(ws.districts):
        extra, missing = sorted(set(ws.districts) - members), sorted(members - set(ws.districts))
        raise ConfigError(
            f"{ws.config_path}: [workspace].districts do not match {ws.region_code} "
            f"({h.names[ws.region_code][0]}) in the lookups: "
            + (f"not in it: {', '.join(extra)}; " if extra else "")
            + (f"missing: {', '.join(missing)}; " if missing else "")
            + f"set districts = {sorted(members)}."
        )
    return h


def _parent_areas(b: Build) -> pd.DataFrame:
    """An area row for every parent above districts. Regions, combined authorities and groupings
    are drawn with the union of their districts' shapes; those are added by parent_shapes, the
    slow part, which the build's worker starts on meanwhile (shapes_ahead). Nations and above have none."""
    rows = [(code, name, level, VINTAGES.get(level, "")) for code, (name, level) in sorted(b.hierarchy.names.items())]
    return pd.DataFrame({
        "code": [r[0] for r in rows], "name": [r[1] for r in rows], "level": [r[2] for r in rows],
        "vintage": [r[3] for r in rows], "lon": np.nan, "lat": np.nan, "geometry": None,
    })


def _unions_wanted(b: Build) -> tuple[str | None, list[tuple[str, list[int]]]]:
    """The cache key of the parents' shapes, and each parent's districts (by position in the layer)."""
    lad = b.layers.layers["lad"]
    index = {code: i for i, code in enumerate(lad.codes)}
    members = {code: [d for d in b.hierarchy.members(code) if d in index]
               for code, (_, level) in sorted(b.hierarchy.names.items()) if level in ("ca", "rgn", "group")}
    lad_key = b.keys.get("boundaries-lad")
    k = cache.key("parent-shapes", lad_key, members) if lad_key else None
    return k, [(code, [index[d] for d in parts]) for code, parts in members.items() if parts]


def shapes_ahead(b: Build, ahead: Ahead) -> None:
    """Start the parents' unions in the build's worker, unless the build cache holds them."""
    k, wanted = _unions_wanted(b)
    if not (k and b.cache.has("parent-shapes", k)):
        job = ahead.submit(union_shapes, shapely.to_wkb(b.layers.layers["lad"].geometry), wanted)
        if job is not None:
            b.jobs["parent-shapes"] = job


def parent_shapes(b: Build) -> None:
    """Each region's, combined authority's and grouping's shape on its area row: from the cache,
    from the worker, or made here."""
    k, wanted = _unions_wanted(b)
    hit = b.cache.load("parent-shapes", k) if k else None
    if hit is not None:
        unions = dict(zip(hit[1]["shapes"]["code"], hit[1]["shapes"]["geometry"], strict=True))
    else:
        geometry = b.layers.layers["lad"].geometry
        unions = take(b.jobs.get("parent-shapes"), lambda: union_shapes(shapely.to_wkb(geometry), wanted))
        if k:
            b.cache.save("parent-shapes", k, {}, {"shapes": pd.DataFrame(
                {"code": list(unions), "geometry": pd.Series(list(unions.values()), dtype=object)})})
    # the rows place_areas added, which b.areas holds: filled in place
    b.parents["geometry"] = [unions.get(code) for code in b.parents["code"]]


def union_shapes(wkb: np.ndarray, wanted: list[tuple[str, list[int]]]) -> dict[str, bytes]:
    """Code -> WKB of the union of the district shapes (WKB, what the build's worker is sent:
    quicker to pickle than shapes) at those positions."""
    unions = unions_in_threads(shapely.from_wkb(wkb), [parts for _, parts in wanted])
    return {code: shapely.to_wkb(union) for (code, _), union in zip(wanted, unions, strict=True)}


def place_postcodes(b: Build) -> None:
    if b.ws.postcodes is None:
        return
    cache.step(b, "postcodes", b.keys.get("postcodes"), lambda: _place_postcodes(b), whole_links=True)


def _place_postcodes(b: Build) -> None:
    """Each postcode in the areas of every level that hold its centroid, kept if its district is
    one of the region's. Worked out by position: for each level, the position in its layer of the
    area holding each postcode (-1 for none); codes are written only into the links at the end."""
    pcs = read_postcodes(read_bytes(b.ws.postcodes), b.ws.postcodes.name)
    lon, lat = pcs["lon"].to_numpy(), pcs["lat"].to_numpy()
    check_inside(b.ws.postcodes.name, lon, lat, UK_BOUNDS, "the United Kingdom", column="lat")
    at = {level: b.layers.positions(level, lon, lat) for level in b.layers.layers}
    # each output area's best-fit area at every coarser level (by position in the layers)
    best = {level: _best_fit_positions(b, level) for level in at if level != "oa"} if "oa" in at else {}
    by_output_area = _district_from_output_area(b, at, best["lad"]) if "oa" in at else \
        np.zeros(len(pcs), dtype=bool)
    regions_own = np.isin(b.layers.layers["lad"].codes, b.ws.districts)  # per district
    keep = (at["lad"] >= 0) & regions_own[np.clip(at["lad"], 0, None)]
    b.finding("unlocated-postcode", b.ws.postcodes.name,
              "postcodes with no coordinates in the lookup (NSPL gives them no grid reference)", int(np.isnan(lat).sum()))
    b.finding("postcode-outside-region", b.ws.postcodes.name,
              "postcodes whose centroid lies outside the region's districts (left out)",
              int((~keep & ~np.isnan(lat)).sum()))
    at = {level: where[keep] for level, where in at.items()}
    if "oa" in at:
        _fit_shares(b, at, best)
    postcodes = pa.array(pcs["postcode"], type=pa.large_string()).filter(pa.array(keep))
    # level by level, the districts last (their method says which were taken from the output area)
    frames = [links_at(postcodes, b.layers.codes(level), where, level) for level, where in at.items() if level != "lad"]
    frames.append(links_at(postcodes, b.layers.codes("lad"), at["lad"], "lad",
                           pc.if_else(pa.array(by_output_area[keep]), "best-fit", "spatial")))
    upper = b.links[isin(b.links["child"], b.ws.districts)]
    b.links = pd.concat([b.links, extend_upwards(pd.concat(frames, ignore_index=True), upper)], ignore_index=True)
    kept = pcs[keep]
    b.areas.append(pd.DataFrame({
        "code": kept["postcode"], "name": kept["postcode"], "level": "postcode", "vintage": "NSPL May 2025",
        "lon": kept["lon"], "lat": kept["lat"], "geometry": None,
    }))


def _best_fit_positions(b: Build, level: str) -> np.ndarray:
    """For each output area (by position in its layer), the position in the `level` layer of the
    area it was placed in by best fit (-1 for none)."""
    rows = b.links[((b.links["parent_level"] == level) & (b.links["method"] == "best-fit")).to_numpy()]
    child = pd.Index(b.layers.layers["oa"].codes).get_indexer(rows["child"])
    parent = pd.Index(b.layers.layers[level].codes).get_indexer(rows["parent"])
    known = np.flatnonzero(child >= 0)
    out = np.full(len(b.layers.layers["oa"].codes), -1, dtype=np.int64)
    out[child[known]] = parent[known]  # an output area has one best-fit area per level
    return out


def _fit_shares(b: Build, at: dict[str, np.ndarray], best: dict[str, np.ndarray]) -> None:
    """How well each output area fits the area it was placed in by best fit: the share of its
    postcodes whose centroids lie inside that area (postcodes stand in for premises, which no file
    gives per postcode). Recorded on the link; `check` counts the output areas that straddle a
    boundary (share below 1) per level, so approximations are never silent. `at` gives, per level,
    the position of the area holding each postcode placed in the region; `best`, each output
    area's best-fit area (_best_fit_positions)."""
    b.links["share"] = np.where(isin(b.links["method"], ["lookup", "spatial"]), 1.0, np.nan)
    oa_codes = pd.Index(b.layers.layers["oa"].codes)
    in_oa = at["oa"] >= 0
    oa = at["oa"][in_oa]
    per_oa = np.bincount(oa, minlength=len(oa_codes))  # postcodes per output area
    child = oa_codes.get_indexer(b.links["child"])  # each link's child's position, if an output area
    for level in ("lsoa", "msoa", "ward", "lad"):
        if level not in b.layers.layers:
            continue
        theirs = at[level][in_oa]
        inside = np.bincount(oa, weights=(theirs >= 0) & (theirs == best[level][oa]),
                             minlength=len(oa_codes))
        fit = ((b.links["parent_level"] == level) & (b.links["method"] == "best-fit")).to_numpy() & (child >= 0)
        fit[fit] = per_oa[child[fit]] > 0
        share = inside[child[fit]] / per_oa[child[fit]]
        b.links.loc[fit, "share"] = share
        straddle = int((share < 1).sum())
        if not len(share):
            continue
        b.finding("best-fit-share", level,
                  f"output areas straddling a {level} boundary (some of their postcodes lie in another "
                  f"{level}); placed whole by best fit; mean share inside {100 * share.mean():.1f}%", straddle)


def _district_from_output_area(b: Build, at: dict[str, np.ndarray], oa_lad: np.ndarray) -> np.ndarray:
    """A postcode's district is its output area's, so its areas never contradict each other.

    District boundaries are generalised more coarsely than output areas (BGC: 20 m, then
    quantised), so near a district edge a centroid can fall in the neighbouring district's polygon
    while lying inside an output area, LSOA and ward of its own district. The output area's
    district (by best fit) is the consistent answer; disagreements are counted for `check`.
    A postcode in no district's polygon keeps none. `oa_lad` is each output area's district (by
    position). Changes `at["lad"]`; returns which postcodes have their output area's district.
    """
    derived = np.where(at["oa"] >= 0, oa_lad[np.clip(at["oa"], 0, None)], -1)
    placed = (at["lad"] >= 0) & (derived >= 0)
    b.finding("postcode-district-by-output-area", "postcodes",
              "postcodes whose centroid falls in another district's (more generalised) polygon than "
              "their output area's; placed in their output area's district", int((placed & (derived != at["lad"])).sum()))
    at["lad"] = np.where(placed, derived, at["lad"])
    return placed


# -- sources -------------------------------------------------------------------------------------
