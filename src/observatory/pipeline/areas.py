"""Build steps for geography: boundaries in, areas placed in their parents, postcodes placed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from ..errors import ConfigError
from ..geography.membership import Layers, district_links, extend_upwards
from ..levels import NATIONS, UK
from ..sources.boundaries import read_boundaries
from ..sources.postcodes import read_postcodes
from ..sources.tabular import read_bytes
from .state import Build, isin

# Map geometry is simplified per level so a whole layer stays small enough to draw in a browser;
# tolerances in degrees (0.0001 deg is about 7 m north-south here).
SIMPLIFY = {"oa": 0.00008, "lsoa": 0.00015, "msoa": 0.0002, "ward": 0.0002, "lad": 0.0008}



def read_all_boundaries(b: Build) -> None:
    layers = {}
    for level, spec in b.ws.boundaries.items():
        layer = read_boundaries(spec)
        layers[level] = layer
        if layer.repaired:
            b.finding("geometry-repaired", spec.file.name,
                      f"{level} polygons that were invalid (self-intersecting after generalisation) "
                      "and were repaired with make_valid", layer.repaired)
        if layer.reprojected_from:
            b.finding("reprojected", spec.file.name, f"reprojected from {layer.reprojected_from} to EPSG:4326", 1)
        points = shapely.point_on_surface(layer.geometry)
        b.areas.append(pd.DataFrame({
            "code": layer.codes, "name": layer.names, "level": level, "vintage": layer.vintage,
            "lon": shapely.get_x(points), "lat": shapely.get_y(points),
            "geometry": shapely.to_wkb(layer.geometry),
        }))
        simple = shapely.coverage_simplify(layer.geometry, SIMPLIFY[level]) if level != "lad" else \
            shapely.simplify(layer.geometry, SIMPLIFY[level], preserve_topology=True)
        b.shapes.append(pd.DataFrame({"code": layer.codes, "level": level,
                                      "geometry": shapely.to_wkb(simple)}))
    b.layers = Layers(layers)


def place_areas(b: Build) -> None:
    ws = b.ws
    lads = list(b.layers.layers["lad"].codes)
    links = b.layers.best_fit_links()
    upper = district_links(lads, ws.region_code, ws.districts)
    b.links = pd.concat([extend_upwards(links, upper), upper], ignore_index=True)
    fixed = [(ws.region_code, ws.region_name, "ca", "CA 2025")] if ws.region_code else []
    fixed += [(code, name, "nation", "") for code, name in NATIONS.values()] + [(*UK, "uk", "")]
    region = b.layers.layers["lad"]
    in_region = np.isin(region.codes, ws.districts)
    ca_shape = shapely.union_all(region.geometry[in_region]) if in_region.any() else None
    b.areas.append(pd.DataFrame({
        "code": [f[0] for f in fixed], "name": [f[1] for f in fixed], "level": [f[2] for f in fixed],
        "vintage": [f[3] for f in fixed], "lon": np.nan, "lat": np.nan,
        "geometry": [shapely.to_wkb(ca_shape) if ca_shape is not None and f[2] == "ca" else None for f in fixed],
    }))
    unknown = set(ws.districts) - set(lads)
    if unknown:
        raise ConfigError(
            f"{ws.config_path}: [workspace].districts names {sorted(unknown)[0]}, which is not a district in "
            f"{ws.boundaries['lad'].file.name}. Fix the code, or use district boundaries that hold it."
        )
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


def place_postcodes(b: Build) -> None:
    if b.ws.postcodes is None:
        return
    pcs = read_postcodes(read_bytes(b.ws.postcodes), b.ws.postcodes.name)
    links = b.layers.point_links(pcs["postcode"].to_numpy(), pcs["lon"].to_numpy(), pcs["lat"].to_numpy())
    links = _district_from_output_area(b, links)
    in_region = links[(links["parent_level"] == "lad") & isin(links["parent"], b.ws.districts)]["child"]
    keep = isin(pcs["postcode"], in_region)
    unlocated = int(pcs["lat"].isna().sum())
    b.finding("unlocated-postcode", b.ws.postcodes.name,
              "postcodes with no coordinates in the lookup (NSPL gives them no grid reference)", unlocated)
    b.finding("postcode-outside-region", b.ws.postcodes.name,
              "postcodes whose centroid lies outside the region's districts (left out)",
              int((~keep & pcs["lat"].notna()).sum()))
    links = links[isin(links["child"], pcs["postcode"][keep])]
    upper = b.links[isin(b.links["child"], b.ws.districts)]
    b.links = pd.concat([b.links, extend_upwards(links, upper)], ignore_index=True)
    kept = pcs[keep]
    b.areas.append(pd.DataFrame({
        "code": kept["postcode"], "name": kept["postcode"], "level": "postcode", "vintage": "NSPL May 2025",
        "lon": kept["lon"], "lat": kept["lat"], "geometry": None,
    }))


def _district_from_output_area(b: Build, links: pd.DataFrame) -> pd.DataFrame:
    """A postcode's district is its output area's, so its areas never contradict each other.

    District boundaries are generalised more coarsely than output areas (BGC: 20 m, then
    quantised), so near a district edge a centroid can fall in the neighbouring district's polygon
    while lying inside an output area, LSOA and ward of its own district. The output area's
    district (by best fit) is the consistent answer; disagreements are counted for `check`.
    """
    if "oa" not in b.layers.layers:
        return links
    oa_lad = b.links[(b.links["parent_level"] == "lad")][["child", "parent"]].rename(
        columns={"child": "oa", "parent": "lad"})
    pc_oa = links[links["parent_level"] == "oa"][["child", "parent"]].rename(columns={"parent": "oa"})
    derived = pc_oa.merge(oa_lad, on="oa")[["child", "lad"]]
    spatial = links[links["parent_level"] == "lad"].merge(derived, on="child", how="left")
    differ = spatial["lad"].notna() & (spatial["lad"] != spatial["parent"])
    b.finding("postcode-district-by-output-area", "postcodes",
              "postcodes whose centroid falls in another district's (more generalised) polygon than "
              "their output area's; placed in their output area's district", int(differ.sum()))
    spatial["parent"] = spatial["lad"].fillna(spatial["parent"])
    spatial["method"] = np.where(spatial["lad"].notna(), "best-fit", spatial["method"])
    return pd.concat([links[links["parent_level"] != "lad"], spatial.drop(columns="lad")], ignore_index=True)


# -- sources -------------------------------------------------------------------------------------
