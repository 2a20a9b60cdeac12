"""`observatory init`: a commented observatory.toml for a new region."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from .schema import CONFIG_NAME

TEMPLATE = '''# Digital Observatory workspace. Paths are relative to this folder.
# Fill in each section with the files you downloaded, then run `observatory build <this folder>`.

[workspace]
name = "My region"
# The combined authority (or other grouping) that the districts below make up.
region_code = "E47000000"
region_name = "My Combined Authority"
# ONS LAD 2025 codes of the districts in the region.
districts = ["E08000000"]

[build]
# Suppress figures whose denominator is below this many premises (still counted in parents).
suppress_below = 5

# Old district codes a publisher still uses, mapped to their successors.
[code_changes]
# E08000016 = "E08000038"

# Boundaries: GeoJSON in WGS84 (plain or .gz). code/name are the property names.
[boundaries.lad]
file = "data/boundaries/lad2025.geojson"
code = "LAD25CD"
name = "LAD25NM"
vintage = "LAD 2025"

# [boundaries.oa]   # output areas: the finest level with premises counts
# file = "data/boundaries/oa2021.geojson.gz"
# code = "OA21CD"
# vintage = "OA 2021"
# Also [boundaries.lsoa], [boundaries.msoa], [boundaries.ward] in the same form.

# [postcodes]   # ONS NSPL centroids: a CSV with postcode, lat, long
# file = "data/postcodes/nspl.csv.gz"

# Ofcom Connected Nations: the local-authority table (the only level with full fibre).
[[sources]]
key = "ofcom-laua-2025-07"
kind = "ofcom-laua-coverage"
file = "data/coverage/202507_fixed_laua_coverage_r01.csv"
as_of = "2025-07"
publisher = "Ofcom"
title = "Connected Nations 2025: fixed coverage by local authority"
licence = "Open Government Licence v3.0"
attribution = "Contains Ofcom data (c) Ofcom 2025"

# Ofcom's release ZIP as downloaded (output-area and postcode files inside it; newest revision wins).
# [[sources]]
# key = "ofcom-small-areas-2026-01"
# kind = "ofcom-small-area-zip"
# file = "data/coverage/202601_fixed_broadband_coverage_and_full_fibre_take-up-r1.zip"
# as_of = "2026-01"
# vintage = "OA 2021"          # must match [boundaries.oa]
# publisher = "Ofcom"
# title = "Connected Nations update Spring 2026: output-area and postcode coverage"
# licence = "Open Government Licence v3.0"

# Other kinds: "ofcom-full-fibre-takeup", "ons-gigabit-series".

# Readable MSOA names: the House of Commons Library's "MSOA Names" CSV, unchanged (OGL v3.0;
# https://houseofcommonslibrary.github.io/msoanames/). Use the version of your MSOA boundaries' year.
# Without it, each MSOA is described by the wards its LSOAs lie in.
# [msoa_names]
# file = "data/lookups/msoa-names.csv"
'''


def write_template(directory: str | Path) -> Path:
    """A commented observatory.toml for a new region; never overwrites an existing one."""
    root = Path(directory)
    path = root / CONFIG_NAME
    if path.exists():
        raise ConfigError(f"{path} already exists; edit it, or choose another folder.")
    (root / "data").mkdir(parents=True, exist_ok=True)
    path.write_text(TEMPLATE, encoding="utf-8")
    return path
