"""The OpenStreetMap sites file: public buildings (schools, GP surgeries, libraries, community
centres, ...) extracted from OpenStreetMap (c) OpenStreetMap contributors, ODbL 1.0. One reader for
every use: the support hubs, the programme demo's register and the web search's place names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .tabular import read_table

SITES_COLUMNS = ("amenity_type", "name", "lon", "lat")
SITES_OPTIONAL = ("osm_id", "osm_way_id", "lad_code", "other_tags")


def read_sites(path: Path) -> pd.DataFrame:
    """The OpenStreetMap sites file ([inclusion] sites), read here and nowhere else: the support
    hubs below, the programme demo's register and the web search's place names all call this.

    Every row, as strings indexed by row number (as a spreadsheet shows it), with lon and lat as
    floats: columns amenity_type, name, lon, lat and, where the extract has them, osm_id,
    osm_way_id, lad_code and other_tags (empty where it has not). Every site must have
    coordinates in Great Britain; every bad cell is reported at once (errors.BadCells)."""
    table = read_table(path, required=SITES_COLUMNS, optional=SITES_OPTIONAL,
                       expected="the OpenStreetMap sites file's columns amenity_type, name, lon, lat (and osm_id, "
                       "osm_way_id, lad_code, other_tags)",
                       fix="Use the sites file as extracted (data/sites/, see data/SOURCES.md).",
                       missing_file="Check [inclusion] sites in observatory.toml.")
    lon = table.numbers("lon", required=True, expected="a longitude in degrees from -9 to 3 (WGS84)", lo=-9.0,
                        hi=3.0, outside="is outside Great Britain")
    lat = table.numbers("lat", required=True, expected="a latitude in degrees from 49 to 61 (WGS84)", lo=49.0,
                        hi=61.0, outside="is outside Great Britain")
    table.done()
    sites = table.frame()
    sites["lon"], sites["lat"] = lon, lat
    return sites
