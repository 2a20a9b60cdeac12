"""`observatory init`: a commented observatory.toml for a new region.

- `write_template(folder)`: the form to fill in, every section shown (no files: the user downloads
  them and fills in the paths).
- `write_region(folder, region, bundle)`: a workspace for one region that builds as it stands. The
  national files the observatory bundles (Ofcom's district tables of every release, full-fibre
  take-up, ONS's gigabit series, the ONS region and combined-authority lookups, the UK's district
  boundaries, and the England-wide Census and IMD files) are copied into the new folder's data/,
  so the workspace is complete on its own: it can be moved, shared or backed up whole, and a
  later update of the bundle never changes a council's figures behind its back (about 9 MB).
  Each optional part (small-area boundaries, postcodes, Ofcom's output-area files, MSOA names,
  [inclusion], [programme], [metrics], [records]) is a commented block naming the dataset to fetch
  by its publisher's title, the publisher, the licence and the columns read.

What is bundled is read from the bundled demo workspace's own settings (`national_bundle`), so
the titles, licences and origins of the national files are written down once.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import ConfigError
from .inclusion import InclusionConfig
from .schema import BUNDLED, CONFIG_NAME, Boundary, Lookup, Source, load

# Kinds of source whose bundled files cover the whole country (the small-area ZIP is the demo's).
NATIONAL_KINDS = ("ofcom-laua-coverage", "ofcom-full-fibre-takeup", "ons-gigabit-series")

# The bundled files that are not [[sources]]: their publisher's title, licence and attribution.
LAD_DATASET = ("ONS, \"Local Authority Districts (May 2025) Boundaries UK BGC\" (ONS Open Geography Portal)",
               "Open Government Licence v3.0",
               "Source: Office for National Statistics licensed under the Open Government Licence v3.0; "
               "Contains OS data (c) Crown copyright and database right 2025")
LOOKUP_DATASETS = {
    "rgn": ("ONS, \"Local Authority District to Region (April 2025) Lookup in England\" (ONS Open Geography "
            "Portal)", "Open Government Licence v3.0",
            "Source: Office for National Statistics licensed under the Open Government Licence v3.0"),
    "ca": ("ONS, \"Local Authority District to Combined Authority (May 2025) Lookup in EN\" (ONS Open "
           "Geography Portal)", "Open Government Licence v3.0",
           "Source: Office for National Statistics licensed under the Open Government Licence v3.0"),
}
POPULATION_DATASET = ("ONS, Census 2021 table RM121 (usual residents by age) for LSOA 2021, via Nomis, every "
                      "LSOA of England and Wales", "Open Government Licence v3.0",
                      "Source: Office for National Statistics, Census 2021")
DEPRIVATION_DATASET = ("MHCLG, \"English indices of deprivation 2025\" (scores and ranks of every LSOA 2021 "
                       "of England)", "Open Government Licence v3.0",
                       "Contains public sector information licensed under the Open Government Licence v3.0")


@dataclass(frozen=True)
class Bundled:
    """One national file the observatory bundles, and where a new workspace keeps its copy."""

    file: Path
    target: str  # relative to the new workspace's folder
    dataset: str
    licence: str
    attribution: str


@dataclass(frozen=True)
class Bundle:
    """The national files the observatory bundles, as the bundled workspace describes them."""

    lad: Boundary
    lookups: tuple[Lookup, ...]
    sources: tuple[Source, ...]
    population_england: Path | None
    deprivation_england: Path | None
    inclusion: InclusionConfig | None

    def files(self) -> list[Bundled]:
        out = [Bundled(self.lad.file, f"data/boundaries/{self.lad.file.name}", *LAD_DATASET)]
        out += [Bundled(lk.file, f"data/lookups/{lk.file.name}", *LOOKUP_DATASETS.get(lk.level, (lk.file.name, "", "")))
                for lk in self.lookups]
        out += [Bundled(s.file, f"data/coverage/{s.file.name}", f"{s.publisher}, \"{s.title}\"", s.licence,
                        s.attribution) for s in self.sources]
        if self.population_england:
            out.append(Bundled(self.population_england, f"data/population/{self.population_england.name}",
                               *POPULATION_DATASET))
        if self.deprivation_england:
            out.append(Bundled(self.deprivation_england, f"data/deprivation/{self.deprivation_england.name}",
                               *DEPRIVATION_DATASET))
        return out

    def target(self, file: Path) -> str:
        return next(b.target for b in self.files() if b.file == file)


def national_bundle(root: Path = BUNDLED) -> Bundle:
    """The national files of the bundled workspace: its district boundaries (every UK district),
    its region and combined-authority lookups, its district-level sources and its England-wide
    Census and IMD files. Its own region's files (small areas, postcodes, sites) are left out."""
    try:
        ws = load(root)
    except ConfigError as exc:
        raise ConfigError(f"The bundled national files could not be read ({exc}). Reinstall the observatory, "
                          "or use `observatory init FOLDER` without --region and fill in the files.") from None
    inclusion = ws.inclusion_section if isinstance(ws.inclusion_section, InclusionConfig) else None
    return Bundle(
        lad=ws.boundaries["lad"],
        lookups=tuple(lk for lk in ws.lookups if lk.level in ("rgn", "ca")),
        sources=tuple(s for s in ws.sources if s.kind in NATIONAL_KINDS and not s.synthetic),
        population_england=inclusion.population_england if inclusion else None,
        deprivation_england=inclusion.deprivation_england if inclusion else None,
        inclusion=inclusion,
    )


# --- the form, for a region chosen by hand ---------------------------------------------------

HEADER = '''# Digital Observatory workspace. Paths are relative to this folder.
# Fill in each section with the files you downloaded, then run `observatory build <this folder>`.
# For a combined authority or English region, `observatory init FOLDER --region CODE` writes all
# of this for you, with the national files copied in, ready to build.

[workspace]
name = "My region"
# The combined authority, English region or grouping that the districts below make up: one of the
# areas of the [[lookups]] below (or, without lookups, any code you choose).
region_code = "E47000000"
region_name = "My Combined Authority"
# ONS LAD 2025 codes of the districts in the region.
districts = ["E08000000"]

[build]
# Suppress figures whose denominator is below this many premises (still counted in parents).
suppress_below = 5

# Old district codes a publisher still uses, mapped to their successors. Recodes and the
# 2019-2023 mergers are already known; add only others.
# [code_changes]
# E07000000 = "E06000000"

# Boundaries: GeoJSON in WGS84 (plain or .gz). code/name are the property names.
# ONS "Local Authority Districts (May 2025) Boundaries UK BGC", Open Government Licence v3.0.
[boundaries.lad]
file = "data/boundaries/lad2025.geojson"
code = "LAD25CD"
name = "LAD25NM"
vintage = "LAD 2025"

# Districts up to English regions and combined authorities (ONS Open Geography Portal, OGL v3.0):
# "Local Authority District to Region (April 2025) Lookup in England" and "Local Authority
# District to Combined Authority (May 2025) Lookup in EN", each saved as CSV.
# [[lookups]]
# level = "rgn"
# file = "data/lookups/lad25_rgn25_en.csv"
# district = "LAD25CD"
# code = "RGN25CD"
# name = "RGN25NM"
#
# [[lookups]]
# level = "ca"
# file = "data/lookups/lad25_cauth25_en.csv"
# district = "LAD25CD"
# code = "CAUTH25CD"
# name = "CAUTH25NM"

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

# Other kinds: "ofcom-full-fibre-takeup", "ons-gigabit-series".
'''


def write_template(directory: str | Path) -> Path:
    """A commented observatory.toml for a new region; never overwrites an existing one."""
    root = Path(directory)
    path = _free(root)
    (root / "data").mkdir(parents=True, exist_ok=True)
    path.write_text(TEMPLATE, encoding="utf-8")
    return path


def _free(root: Path) -> Path:
    path = root / CONFIG_NAME
    if path.exists():
        raise ConfigError(f"{path} already exists; edit it, or choose another folder.")
    if root.exists() and not root.is_dir():
        raise ConfigError(f"{root} is a file, not a folder. Choose a folder for the new workspace.")
    return path


# --- a region's workspace, ready to build ----------------------------------------------------

def write_region(directory: str | Path, *, code: str, name: str, level: str,
                 districts: Sequence[tuple[str, str]], bundle: Bundle, command: str,
                 group_file: str | None = None) -> Path:
    """A workspace for one region: the bundled national files copied into DIR/data, and an
    observatory.toml naming them, the region and its districts, with every optional part as a
    commented block. `level` is ca, rgn or group; a group (districts of the council's choosing)
    gets its own lookup file, `group_file`. Nothing is overwritten: a file already in the folder
    under a bundled file's name with other contents stops it before anything is written."""
    root = Path(directory)
    path = _free(root)
    files = bundle.files()
    for b in files:
        dest = root / b.target
        if dest.exists() and (dest.is_dir() or dest.stat().st_size != b.file.stat().st_size
                              or dest.read_bytes() != b.file.read_bytes()):
            raise ConfigError(f"{dest} already exists and is not the bundled file of that name. Move it away, "
                              "or choose another folder.")
    for b in files:
        dest = root / b.target
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(b.file, dest)
    if level == "group":
        _write_group(root / (group_file or "data/lookups/districts.csv"), code, name, districts)
    (root / "data" / "SOURCES.md").write_text(_sources_md(files, group_file if level == "group" else None),
                                             encoding="utf-8")
    text = _region_toml(code, name, level, districts, bundle, command, group_file)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def _q(text: str) -> str:
    """A TOML string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def _write_group(path: Path, code: str, name: str, districts: Sequence[tuple[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["district_code,district_name,group_code,group_name"]
    lines += [",".join(_cell(v) for v in (d, n, code, name)) for d, n in districts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value


def _sources_md(files: list[Bundled], group_file: str | None) -> str:
    lines = ["# Sources of the files in this folder", "",
             "Copied unchanged from the national files the Digital Observatory bundles, by `observatory init "
             "--region`. Reuse each under its licence, with the attribution shown.", "",
             "| file | dataset | licence | attribution |", "|---|---|---|---|"]
    for b in files:
        lines.append(f"| {b.target.removeprefix('data/')} | {b.dataset} | {b.licence} | {b.attribution} |")
    if group_file:
        lines += ["", f"{group_file.removeprefix('data/')}: the districts of this workspace's own grouping, written by "
                  "`observatory init --districts`."]
    lines += ["", "Files you add for the optional parts (observatory.toml names each, with its publisher and "
              "licence) belong in this list too."]
    return "\n".join(lines) + "\n"


def _wrap(text: str, prefix: str = "# ", width: int = 100) -> list[str]:
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


def _region_toml(code: str, name: str, level: str, districts: Sequence[tuple[str, str]], bundle: Bundle,
                 command: str, group_file: str | None) -> str:
    what = {"ca": f"combined authority {code}", "rgn": f"English region {code}",
            "group": f"a grouping of {len(districts)} district{'s' if len(districts) != 1 else ''}"}[level]
    names = sorted(n for _, n in districts)
    parts = [f"# Digital Observatory workspace: {name} ({what}).",
             f"# Written by `{command}` on {date.today().isoformat()}. Paths are relative to this folder.",
             *_wrap("It builds as it stands: `observatory build <this folder>`, then `observatory serve <this "
                    "folder>`. The national files it reads were copied into data/ from the files the Digital "
                    "Observatory bundles (data/SOURCES.md gives each one's publisher, licence and attribution), "
                    "so this folder is complete on its own. Each commented block further down adds one optional "
                    "part: save the file it names in data/, then remove the # before each of its lines."),
             "", "[workspace]", f"name = {_q(name)}"]
    if level == "group":
        parts += _wrap("Your own grouping of districts: defined by the lookup file at the end of the "
                       "[[lookups]] below. Any code that is not an ONS code will do.")
    else:
        parts += [f"# ONS code of the {what.rsplit(' ', 1)[0]} (2025)."]
    parts += [f"region_code = {_q(code)}",
              "# The name every page, table and report shows for the region (e.g. its full title).",
              f"region_name = {_q(name)}"]
    parts += _wrap(f"{', '.join(names)} (ONS LAD 2025 codes; they must be the region's districts in the "
                   "lookups below).")
    parts.append("districts = [" + ", ".join(_q(d) for d, _ in districts) + "]")
    parts += ["", "[build]",
              "# Figures whose denominator is below this many premises are suppressed in every output, but",
              "# still count in their parents.",
              "suppress_below = 5", "",
              "# District recodes (Barnsley and Sheffield, 2024) and the 2019-2023 mergers are known to the",
              "# observatory. Add any other old code a publisher still uses, mapped to today's:",
              "# [code_changes]", '# E07000000 = "E06000000"', ""]
    lad = bundle.lad
    parts += _wrap("District boundaries: all UK districts, so that every district, region and nation has a figure "
                   f"and a shape. {LAD_DATASET[0]}, {LAD_DATASET[1]}.")
    parts += ["[boundaries.lad]", f"file = {_q(bundle.target(lad.file))}", f"code = {_q(lad.code)}"]
    if lad.name:
        parts.append(f"name = {_q(lad.name)}")
    parts += [f"vintage = {_q(lad.vintage)}", ""]
    parts += _wrap("Districts up to every English region and combined authority, so the rest of the country is "
                   "there for comparison; nations, England and Wales, Great Britain and the UK follow from the "
                   "district codes.")
    for lk in bundle.lookups:
        title, licence, attribution = LOOKUP_DATASETS.get(lk.level, ("", lk.licence, lk.attribution))
        parts += _wrap(f"{title}, Open Government Licence v3.0.") if title else []
        parts += ["[[lookups]]", f"level = {_q(lk.level)}", f"file = {_q(bundle.target(lk.file))}",
                  f"district = {_q(lk.district)}", f"code = {_q(lk.code)}", f"name = {_q(lk.name)}"]
        parts += [f"licence = {_q(licence)}"] if licence else []
        parts += [f"attribution = {_q(attribution)}"] if attribution else []
        parts += [""]
    if level == "group":
        parts += ["# This workspace's grouping of districts, written by `observatory init --districts`. Add or",
                  "# remove rows to change it (and change districts above to match).",
                  "[[lookups]]", 'level = "group"', f"file = {_q(group_file or 'data/lookups/districts.csv')}",
                  'district = "district_code"', 'code = "group_code"', 'name = "group_name"', ""]
    else:
        parts += ["# A council's own grouping (a county, a partnership): another [[lookups]] with level = \"group\",",
                  "# a CSV with a row per district: its code, the grouping's code and the grouping's name.", ""]
    parts += _wrap("Coverage: Ofcom's district tables for every release bundled, full-fibre take-up, and ONS's "
                   "gigabit series (the months between Ofcom's releases). Each is read as published; `observatory "
                   "sources` shows what was derived per release.")
    for s in bundle.sources:
        parts += ["", "[[sources]]", f"key = {_q(s.key)}", f"kind = {_q(s.kind)}", f"file = {_q(bundle.target(s.file))}"]
        if s.as_of:
            parts.append(f"as_of = {_q(s.as_of)}")
        if s.published:
            parts.append(f"published = {_q(s.published)}")
        parts += [f"publisher = {_q(s.publisher)}", f"title = {_q(s.title)}", f"licence = {_q(s.licence)}"]
        if s.attribution:
            parts.append(f"attribution = {_q(s.attribution)}")
        if s.origin:
            parts.append(f"origin = {_q(s.origin)}")
    parts.append("")
    parts += _optional_blocks(bundle, names)
    return "\n".join(parts) + "\n"


def _optional_blocks(bundle: Bundle | None, names: list[str] | None) -> list[str]:
    """The commented blocks of every optional part (the same for the form and a region's file)."""
    yours = "your districts" if not names else ", ".join(names)
    small = [
        "# ==== Optional parts ==========================================================================",
        "",
        "# --- Small areas: wards, LSOAs, MSOAs, output areas -------------------------------------------",
        *_wrap("Without these the workspace has figures for its districts and everything above them; with them, "
               "the map and every table go down to wards and neighbourhoods. Each is a GeoJSON file in "
               "longitude and latitude (WGS84; plain or .gz) holding the areas of "
               f"{yours} only: on the ONS Open Geography Portal (https://geoportal.statistics.gov.uk) filter "
               "the layer by local authority before downloading it as GeoJSON, or cut a national file to "
               "your districts (for example with ogr2ogr -where). All are Open Government Licence v3.0, "
               "\"Source: Office for National Statistics; Contains OS data (c) Crown copyright and database "
               "right\"."),
        "#",
        *_wrap("Output areas, the finest level with premises counts (Ofcom's output-area file, below): ONS "
               "\"Output Areas (December 2021) Boundaries EW BGC\"; property read: OA21CD. Use the output "
               "areas of the year whose codes Ofcom's file uses (its column oa21cd, or oa11cd for 2011)."),
        "# [boundaries.oa]", '# file = "data/boundaries/oa2021.geojson.gz"', '# code = "OA21CD"',
        '# vintage = "OA 2021"', "#",
        *_wrap("LSOAs (Census 2021 and the IMD 2025 use them): ONS \"Lower layer Super Output Areas (December "
               "2021) Boundaries EW BGC\"; properties read: LSOA21CD, LSOA21NM."),
        "# [boundaries.lsoa]", '# file = "data/boundaries/lsoa2021.geojson.gz"', '# code = "LSOA21CD"',
        '# name = "LSOA21NM"', '# vintage = "LSOA 2021"', "#",
        *_wrap("MSOAs: ONS \"Middle layer Super Output Areas (December 2021) Boundaries EW BGC\"; properties "
               "read: MSOA21CD, MSOA21NM."),
        "# [boundaries.msoa]", '# file = "data/boundaries/msoa2021.geojson.gz"', '# code = "MSOA21CD"',
        '# name = "MSOA21NM"', '# vintage = "MSOA 2021"', "#",
        *_wrap("Electoral wards: ONS \"Wards (May 2025) Boundaries UK BGC\"; properties read: WD25CD, WD25NM."),
        "# [boundaries.ward]", '# file = "data/boundaries/wards2025.geojson.gz"', '# code = "WD25CD"',
        '# name = "WD25NM"', '# vintage = "Wards May 2025"', "",
        "# --- Ofcom's output-area and postcode coverage ---------------------------------------------------",
        *_wrap("Ofcom, \"Connected Nations\" data downloads (https://www.ofcom.org.uk, Research and data, "
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
        *_wrap("Postcode search, and postcodes placed in output areas: ONS \"National Statistics Postcode Lookup "
               "(NSPL)\" (ONS Open Geography Portal), the CSV of the whole UK or of your postcode areas; columns "
               "read: pcds (or pcd), lat, long. Open Government Licence v3.0, with \"Contains OS data (c) Crown "
               "copyright and database right; Contains Royal Mail data (c) Royal Mail copyright and database "
               "right\". Postcodes outside your districts are left out."),
        "# [postcodes]", '# file = "data/postcodes/nspl.csv.gz"', "",
        "# --- Readable MSOA names -------------------------------------------------------------------------",
        *_wrap("House of Commons Library, \"MSOA Names\" (https://houseofcommonslibrary.github.io/msoanames/), "
               "Open Government Licence v3.0; the version of your MSOA boundaries' year: 2.x for MSOA 2021 "
               "(columns msoa21cd, msoa21hclnm), 1.x for MSOA 2011 (msoa11cd, msoa11hclnm). Needs "
               "[boundaries.msoa]. Without it, each MSOA is described by the wards its LSOAs lie in."),
        "# [msoa_names]", '# file = "data/lookups/msoa-names.csv"', "",
    ]
    return small + _inclusion_block(bundle) + [""] + _other_blocks()


def _inclusion_block(bundle: Bundle | None) -> list[str]:
    population = bundle.target(bundle.population_england) if bundle and bundle.population_england \
        else "data/population/census2021_lsoa21_age65plus.csv"
    deprivation = bundle.target(bundle.deprivation_england) if bundle and bundle.deprivation_england \
        else "data/deprivation/imd2025_lsoa21.csv"
    copied = bundle is not None and bundle.population_england is not None
    lines = [
        "# --- Where to act: the digital-exclusion risk index (`observatory inclusion`, /inclusion) -------",
        *_wrap("Compatible with Greater Manchester Combined Authority's Digital Exclusion Risk Index (DERI v1.2+, "
               "Open Government Licence v3.0): indicators per LSOA 2021 scaled 0-10 within a comparison area, "
               "weighted into components and the index. Needs [boundaries.lsoa] and Ofcom's output-area file "
               "above (the broadband indicators are the store's LSOA figures), and these files:"),
        *_wrap(f"population: {POPULATION_DATASET[0]}, {POPULATION_DATASET[1]}; columns read: lsoa21_code, "
               "total_usual_residents, aged_65, aged_66_69, aged_70_74, aged_75_79, aged_80_84, aged_85_plus "
               "(Nomis names its columns by age: rename them to these)."
               + (" The England and Wales file is already copied into data/." if copied else "")),
        *_wrap(f"deprivation: {DEPRIVATION_DATASET[0]}, {DEPRIVATION_DATASET[1]}; columns read: lsoa21_code "
               "and the scores named below (IMD_score, Income_score, Employment_score, Education_score, "
               "Health_score; MHCLG's File 5 heads them \"Index of Multiple Deprivation (IMD) Score\" and so on: "
               "rename them to these)." + (" The England file is already copied into data/." if copied else "")),
        *_wrap("wards: ONS \"LSOA (2021) to Electoral Ward (2024) to LAD (2024) Best Fit Lookup in EW\" (ONS Open "
               "Geography Portal), Open Government Licence v3.0; columns read: LSOA21CD, WD24CD, WD24NM, LAD24CD."),
        *_wrap("sites (optional, for support hubs): public buildings from OpenStreetMap, (c) OpenStreetMap "
               "contributors, Open Database Licence 1.0; columns read: amenity_type, name, lon, lat (and osm_id, "
               "lad_code where present). hubs (optional): the council's own CSV of support hubs (columns: name, "
               "kind, and postcode, or lon and lat, or easting and northing; services)."),
        *_wrap("lsoa_changes (optional, for `observatory check`): ONS \"LSOA (2011) to LSOA (2021) to Local "
               "Authority District (2022) Exact Fit Lookup for EW\", Open Government Licence v3.0; columns read: "
               "LSOA11CD, LSOA21CD, CHGIND."),
        "# [inclusion]",
        '# comparison = "ca"                 # lad | ca | england: the area each indicator is scaled within',
        '# high_risk_share = 0.1             # "high risk": the top 10% of areas by index',
        '# hub_distance_m = 1000             # a hub "within reach": straight-line distance',
        '# baseline = "data/inclusion/baseline.json"   # bounds for --mode absolute (`observatory inclusion baseline`)',
        f"# population = {_q(population)}",
        f"# deprivation = {_q(deprivation)}",
    ]
    if copied:
        lines += [f"# population_england = {_q(population)}", f"# deprivation_england = {_q(deprivation)}"]
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
        lines += ["#", "# [[inclusion.indicators]]", f"# id = {_q(i.id)}", f"# label = {_q(i.label)}",
                  f"# component = {_q(i.component)}", f"# weight = {i.weight:g}"]
        if i.direction != "higher":
            lines.append(f"# direction = {_q(i.direction)}")
        lines += [f"# source = {_q(i.source)}", "# columns = [" + ", ".join(_q(c) for c in i.columns) + "]"]
        if i.substitute_for:
            lines += [f"# substitute_for = {_q(i.substitute_for)}", f"# reason = {_q(_bundled(i.reason or ''))}"]
    for m in cfg.missing:
        lines += ["#", "# [[inclusion.missing]]", f"# indicator = {_q(m.indicator)}", f"# component = {_q(m.component)}",
                  f"# weight = {m.weight:g}", f"# reason = {_q(_bundled(m.reason))}"]
    return lines


def _bundled(reason: str) -> str:
    """A reason the bundled workspace gives, in the words of a workspace made from the bundle."""
    return reason.replace("in the shared data", "in the open data the observatory bundles")


def _other_blocks() -> list[str]:
    return [
        "# --- The Full Fibre programme (`observatory sites`, `observatory reach`, /programme) --------------",
        *_wrap("The programme's target and dates. Its register of sites is kept in the records database: "
               "`observatory sites import sites.csv` (columns: id, name, kind, a position: lat and lon, easting "
               "and northing, or postcode; planned, the date it was planned; then the date of each later status)."),
        "# [programme]",
        "# target = 500                    # sites to connect",
        '# start_date = "2024-04-01"',
        '# target_date = "2028-03-31"',
        "# reach_distance_m = 200          # premises within this straight-line distance of a lit site are in reach",
        "",
        "# --- Strategy metrics (`observatory metrics`, /metrics, the annual report) ------------------------",
        *_wrap("Your strategy's priorities, life stages, metrics and targets, in a file of their own: one "
               "[[metric]] table each, with its source (a store indicator for the region or each district, a "
               "records figure, or values entered by officers). The bundled demo's metrics.toml shows every "
               "key; start from a copy and replace its lists and targets with your own."),
        "# [metrics]",
        '# file = "metrics.toml"',
        "",
        "# --- Records: board actions, the site register, entered metric values ----------------------------",
        *_wrap("Kept in records.sqlite in this folder unless a url is given (PostgreSQL for a shared server or "
               "several workers). Create it with `observatory records upgrade`."),
        "# [records]",
        '# url = "postgresql://observatory@db.example/observatory"',
        "# require_login = true             # the records pages need a sign-in to read",
        "",
        "# --- Coverage challenges: residents' reports that the published coverage is wrong ---------------",
        *_wrap("The public form at /challenges/report keeps a resident's contact details and evidence only as "
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


def _template() -> str:
    return HEADER + "\n" + "\n".join(_optional_blocks(None, None)) + "\n"


TEMPLATE = _template()
