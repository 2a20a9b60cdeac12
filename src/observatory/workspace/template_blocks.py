"""The commented blocks of a new workspace's observatory.toml (`observatory init`): one for each
optional part (small-area boundaries, postcodes, Ofcom's output-area files, MSOA names,
[inclusion], [programme], [metrics], [records], [challenges]), each naming the dataset to fetch by
its publisher's title, the publisher, the licence and the columns read. template.py writes them
after the parts a region builds from as it stands."""

from __future__ import annotations

import json
from typing import Any

# The England-wide files the exclusion index reads, as a new workspace's blocks name them.
POPULATION_DATASET = ("ONS, Census 2021 table RM121 (usual residents by age) for LSOA 2021, via Nomis, every "
                      "LSOA of England and Wales", "Open Government Licence v3.0",
                      "Source: Office for National Statistics, Census 2021")
DEPRIVATION_DATASET = ("MHCLG, \"English indices of deprivation 2025\" (scores and ranks of every LSOA 2021 "
                       "of England)", "Open Government Licence v3.0",
                       "Contains public sector information licensed under the Open Government Licence v3.0")


def toml_string(text: str) -> str:
    """A TOML string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def comment_lines(text: str, prefix: str = "# ", width: int = 100) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(prefix) + len(line) + 1 + len(w) > width:
            lines.append(prefix + line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    if line:
        lines.append(prefix + line)
    return lines


def optional_blocks(bundle: Any, names: list[str] | None) -> list[str]:  # bundle: template.Bundle or None
    """The commented blocks of every optional part (the same for the form and a region's file)."""
    yours = "your districts" if not names else ", ".join(names)
    small = [
        "# ==== Optional parts ==========================================================================",
        "",
        "# --- Small areas: wards, LSOAs, MSOAs, output areas -------------------------------------------",
        *comment_lines("Without these the workspace has figures for its districts and everything above them; with them, "
               "the map and every table go down to wards and neighbourhoods. Each is a GeoJSON file in "
               "longitude and latitude (WGS84; plain or .gz) holding the areas of "
               f"{yours} only: on the ONS Open Geography Portal (https://geoportal.statistics.gov.uk) filter "
               "the layer by local authority before downloading it as GeoJSON, or cut a national file to "
               "your districts (for example with ogr2ogr -where). All are Open Government Licence v3.0, "
               "\"Source: Office for National Statistics; Contains OS data (c) Crown copyright and database "
               "right\"."),
        "#",
        *comment_lines("Output areas, the finest level with premises counts (Ofcom's output-area file, below): ONS "
               "\"Output Areas (December 2021) Boundaries EW BGC\"; property read: OA21CD. Use the output "
               "areas of the year whose codes Ofcom's file uses (its column oa21cd, or oa11cd for 2011)."),
        "# [boundaries.oa]", '# file = "data/boundaries/oa2021.geojson.gz"', '# code = "OA21CD"',
        '# vintage = "OA 2021"', "#",
        *comment_lines("LSOAs (Census 2021 and the IMD 2025 use them): ONS \"Lower layer Super Output Areas (December "
               "2021) Boundaries EW BGC\"; properties read: LSOA21CD, LSOA21NM."),
        "# [boundaries.lsoa]", '# file = "data/boundaries/lsoa2021.geojson.gz"', '# code = "LSOA21CD"',
        '# name = "LSOA21NM"', '# vintage = "LSOA 2021"', "#",
        *comment_lines("MSOAs: ONS \"Middle layer Super Output Areas (December 2021) Boundaries EW BGC\"; properties "
               "read: MSOA21CD, MSOA21NM."),
        "# [boundaries.msoa]", '# file = "data/boundaries/msoa2021.geojson.gz"', '# code = "MSOA21CD"',
        '# name = "MSOA21NM"', '# vintage = "MSOA 2021"', "#",
        *comment_lines("Electoral wards: ONS \"Wards (May 2025) Boundaries UK BGC\"; properties read: WD25CD, WD25NM."),
        "# [boundaries.ward]", '# file = "data/boundaries/wards2025.geojson.gz"', '# code = "WD25CD"',
        '# name = "WD25NM"', '# vintage = "Wards May 2025"', "",
        "# --- Ofcom's output-area and postcode coverage ---------------------------------------------------",
        *comment_lines("Ofcom, \"Connected Nations\" data downloads (https://www.ofcom.org.uk, Research and data, "
               "Connected Nations), the fixed broadband coverage ZIP of a release, as downloaded (the output-area "
               "and postcode files inside it are read; the newest revision of each wins). Open Government "
               "Licence v3.0, \"Contains Ofcom data (c) Ofcom\". Columns read: the output-area code (oa21cd, "
               "oa11cd or output_area), All Premises and the Number of premises columns of each indicator. "
               "Needs [boundaries.oa] of the same year."),
        "# [[sources]]", '# key = "ofcom-small-areas-2025-07"', '# kind = "ofcom-small-area-zip"',
        '# file = "data/coverage/202507_fixed_broadband_coverage_r01.zip"', '# as_of = "2025-07"',
        '# vintage = "OA 2021"          # the output areas of [boundaries.oa]', '# publisher = "Ofcom"',
        '# title = "Connected Nations 2025: fixed broadband coverage by output area and postcode"',
        '# licence = "Open Government Licence v3.0"', '# attribution = "Contains Ofcom data (c) Ofcom 2025"', "",
        "# --- Postcodes -----------------------------------------------------------------------------------",
        *comment_lines("Postcode search, and postcodes placed in output areas: ONS \"National Statistics Postcode Lookup "
               "(NSPL)\" (ONS Open Geography Portal), the CSV of the whole UK or of your postcode areas; columns "
               "read: pcds (or pcd), lat, long. Open Government Licence v3.0, with \"Contains OS data (c) Crown "
               "copyright and database right; Contains Royal Mail data (c) Royal Mail copyright and database "
               "right\". Postcodes outside your districts are left out."),
        "# [postcodes]", '# file = "data/postcodes/nspl.csv.gz"', "",
        "# --- Readable MSOA names -------------------------------------------------------------------------",
        *comment_lines("House of Commons Library, \"MSOA Names\" (https://houseofcommonslibrary.github.io/msoanames/), "
               "Open Government Licence v3.0; the version of your MSOA boundaries' year: 2.x for MSOA 2021 "
               "(columns msoa21cd, msoa21hclnm), 1.x for MSOA 2011 (msoa11cd, msoa11hclnm). Needs "
               "[boundaries.msoa]. Without it, each MSOA is described by the wards its LSOAs lie in."),
        "# [msoa_names]", '# file = "data/lookups/msoa-names.csv"', "",
    ]
    return small + _inclusion_block(bundle) + [""] + _other_blocks()


def _inclusion_block(bundle: Any) -> list[str]:
    population = bundle.target(bundle.population_england) if bundle and bundle.population_england \
        else "data/population/census2021_lsoa21_age65plus.csv"
    deprivation = bundle.target(bundle.deprivation_england) if bundle and bundle.deprivation_england \
        else "data/deprivation/imd2025_lsoa21.csv"
    copied = bundle is not None and bundle.population_england is not None
    lines = [
        "# --- Where to act: the digital-exclusion risk index (`observatory inclusion`, /inclusion) -------",
        *comment_lines("Compatible with Greater Manchester Combined Authority's Digital Exclusion Risk Index (DERI v1.2+, "
               "Open Government Licence v3.0): indicators per LSOA 2021 scaled 0-10 within a comparison area, "
               "weighted into components and the index. Needs [boundaries.lsoa] and Ofcom's output-area file "
               "above (the broadband indicators are the store's LSOA figures), and these files:"),
        *comment_lines(f"population: {POPULATION_DATASET[0]}, {POPULATION_DATASET[1]}; columns read: lsoa21_code, "
               "total_usual_residents, aged_65, aged_66_69, aged_70_74, aged_75_79, aged_80_84, aged_85_plus "
               "(Nomis names its columns by age: rename them to these)."
               + (" The England and Wales file is already copied into data/." if copied else "")),
        *comment_lines(f"deprivation: {DEPRIVATION_DATASET[0]}, {DEPRIVATION_DATASET[1]}; columns read: lsoa21_code "
               "and the scores named below (IMD_score, Income_score, Employment_score, Education_score, "
               "Health_score; MHCLG's File 5 heads them \"Index of Multiple Deprivation (IMD) Score\" and so on: "
               "rename them to these)." + (" The England file is already copied into data/." if copied else "")),
        *comment_lines("wards: ONS \"LSOA (2021) to Electoral Ward (2024) to LAD (2024) Best Fit Lookup in EW\" (ONS Open "
               "Geography Portal), Open Government Licence v3.0; columns read: LSOA21CD, WD24CD, WD24NM, LAD24CD."),
        *comment_lines("sites (optional, for support hubs): public buildings from OpenStreetMap, (c) OpenStreetMap "
               "contributors, Open Database Licence 1.0; columns read: amenity_type, name, lon, lat (and osm_id, "
               "lad_code where present). hubs (optional): the council's own CSV of support hubs (columns: name, "
               "kind, and postcode, or lon and lat, or easting and northing; services)."),
        *comment_lines("lsoa_changes (optional, for `observatory check`): ONS \"LSOA (2011) to LSOA (2021) to Local "
               "Authority District (2022) Exact Fit Lookup for EW\", Open Government Licence v3.0; columns read: "
               "LSOA11CD, LSOA21CD, CHGIND."),
        "# [inclusion]",
        '# comparison = "ca"                 # lad | ca | england: the area each indicator is scaled within',
        '# high_risk_share = 0.1             # "high risk": the top 10% of areas by index',
        '# hub_distance_m = 1000             # a hub "within reach": straight-line distance',
        '# baseline = "data/inclusion/baseline.json"   # bounds for --mode absolute (`observatory inclusion baseline`)',
        f"# population = {toml_string(population)}",
        f"# deprivation = {toml_string(deprivation)}",
    ]
    if copied:
        lines += [f"# population_england = {toml_string(population)}", f"# deprivation_england = {toml_string(deprivation)}"]
    lines += ['# wards = "data/lookups/lsoa21_wd24_lad24_bestfit.csv"',
              '# lsoa_changes = "data/lookups/lsoa11_lsoa21_lad22.csv"',
              '# sites = "data/sites/osm_public_sites.csv"',
              '# hub_kinds = ["library", "community_centre"]',
              '# hubs = "data/inclusion/council_hubs.csv"']
    cfg = bundle.inclusion if bundle else None
    if cfg is None:
        lines += ["#", "# [inclusion.components]", "# demography = 3", "# broadband = 3", "# deprivation = 3", "#",
                  "# [[inclusion.indicators]]", '# id = "aged_75_plus"', '# label = "% population aged 75+"',
                  '# component = "demography"', "# weight = 5", '# source = "census"',
                  '# columns = ["aged_75_79", "aged_80_84", "aged_85_plus"]',
                  "# (one [[inclusion.indicators]] per indicator: source census, imd or store)"]
        return lines
    lines += ["#", "# The index's components and indicators, with the published weights (GMCA's DERI); where an",
              "# indicator cannot be sourced from open data, a substitute stands in and says why.",
              "# [inclusion.components]"]
    lines += [f"# {c} = {w:g}" for c, w in cfg.components.items()]
    for i in cfg.indicators:
        lines += ["#", "# [[inclusion.indicators]]", f"# id = {toml_string(i.id)}", f"# label = {toml_string(i.label)}",
                  f"# component = {toml_string(i.component)}", f"# weight = {i.weight:g}"]
        if i.direction != "higher":
            lines.append(f"# direction = {toml_string(i.direction)}")
        lines += [f"# source = {toml_string(i.source)}", "# columns = [" + ", ".join(toml_string(c) for c in i.columns) + "]"]
        if i.substitute_for:
            lines += [f"# substitute_for = {toml_string(i.substitute_for)}", f"# reason = {toml_string(_bundled(i.reason or ''))}"]
    for m in cfg.missing:
        lines += ["#", "# [[inclusion.missing]]", f"# indicator = {toml_string(m.indicator)}", f"# component = {toml_string(m.component)}",
                  f"# weight = {m.weight:g}", f"# reason = {toml_string(_bundled(m.reason))}"]
    return lines


def _bundled(reason: str) -> str:
    """A reason the bundled workspace gives, in the words of a workspace made from the bundle."""
    return reason.replace("in the shared data", "in the open data the observatory bundles")


def _other_blocks() -> list[str]:
    return [
        "# --- The Full Fibre programme (`observatory sites`, `observatory reach`, /programme) --------------",
        *comment_lines("The programme's target and dates. Its register of sites is kept in the records database: "
               "`observatory sites import sites.csv` (columns: id, name, kind, a position: lat and lon, easting "
               "and northing, or postcode; planned, the date it was planned; then the date of each later status)."),
        "# [programme]",
        "# target = 500                    # sites to connect",
        '# start_date = "2024-04-01"',
        '# target_date = "2028-03-31"',
        "# reach_distance_m = 200          # premises within this straight-line distance of a lit site are in reach",
        "",
        "# --- Strategy metrics (`observatory metrics`, /metrics, the annual report) ------------------------",
        *comment_lines("Your strategy's priorities, life stages, metrics and targets, in a file of their own: one "
               "[[metric]] table each, with its source (a store indicator for the region or each district, a "
               "records figure, or values entered by officers). The bundled demo's metrics.toml shows every "
               "key; start from a copy and replace its lists and targets with your own."),
        "# [metrics]",
        '# file = "metrics.toml"',
        "",
        "# --- Records: board actions, the site register, entered metric values ----------------------------",
        *comment_lines("Kept in records.sqlite in this folder unless a url is given (PostgreSQL for a shared server or "
               "several workers). Create it with `observatory records upgrade`."),
        "# [records]",
        '# url = "postgresql://observatory@db.example/observatory"',
        "# require_login = true             # the records pages need a sign-in to read",
        "",
        "# --- Coverage challenges: residents' reports that the published coverage is wrong ---------------",
        *comment_lines("The public form at /challenges/report keeps a resident's contact details and evidence only as "
               "long as retention_days; an area's count is shown publicly only from public_min_count reports. "
               "Every key is optional (these are the defaults)."),
        "# [challenges]",
        "# retention_days = 365             # contact details and evidence erased this long after the last change",
        "# public_min_count = 3             # an area's count is shown only from this many reports",
        "# operator_days = 60               # days an operator has to answer",
        "# ofcom_days = 60",
        "# programme_days = 90              # the national programme's open market or public review",
        '# evidence_folder = "private/challenge-evidence"   # under the workspace, never under the web root',
    ]
