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

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..errors import ConfigError
from .inclusion import InclusionConfig
from .inputs import Boundary, Lookup, Source
from .schema import BUNDLED, CONFIG_NAME, load
from .template_blocks import (
    DEPRIVATION_DATASET,
    POPULATION_DATASET,
    comment_lines,
    optional_blocks,
    toml_string,
)

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


def _region_toml(code: str, name: str, level: str, districts: Sequence[tuple[str, str]], bundle: Bundle,
                 command: str, group_file: str | None) -> str:
    what = {"ca": f"combined authority {code}", "rgn": f"English region {code}",
            "group": f"a grouping of {len(districts)} district{'s' if len(districts) != 1 else ''}"}[level]
    names = sorted(n for _, n in districts)
    parts = [f"# Digital Observatory workspace: {name} ({what}).",
             f"# Written by `{command}` on {date.today().isoformat()}. Paths are relative to this folder.",
             *comment_lines("It builds as it stands: `observatory build <this folder>`, then `observatory serve <this "
                    "folder>`. The national files it reads were copied into data/ from the files the Digital "
                    "Observatory bundles (data/SOURCES.md gives each one's publisher, licence and attribution), "
                    "so this folder is complete on its own. Each commented block further down adds one optional "
                    "part: save the file it names in data/, then remove the # before each of its lines."),
             "", "[workspace]", f"name = {toml_string(name)}"]
    if level == "group":
        parts += comment_lines("Your own grouping of districts: defined by the lookup file at the end of the "
                       "[[lookups]] below. Any code that is not an ONS code will do.")
    else:
        parts += [f"# ONS code of the {what.rsplit(' ', 1)[0]} (2025)."]
    parts += [f"region_code = {toml_string(code)}",
              "# The name every page, table and report shows for the region (e.g. its full title).",
              f"region_name = {toml_string(name)}"]
    parts += comment_lines(f"{', '.join(names)} (ONS LAD 2025 codes; they must be the region's districts in the "
                   "lookups below).")
    parts.append("districts = [" + ", ".join(toml_string(d) for d, _ in districts) + "]")
    parts += ["", "[build]",
              "# Figures whose denominator is below this many premises are suppressed in every output, but",
              "# still count in their parents.",
              "suppress_below = 5", "",
              "# District recodes (Barnsley and Sheffield, 2024) and the 2019-2023 mergers are known to the",
              "# observatory. Add any other old code a publisher still uses, mapped to today's:",
              "# [code_changes]", '# E07000000 = "E06000000"', ""]
    lad = bundle.lad
    parts += comment_lines("District boundaries: all UK districts, so that every district, region and nation has a figure "
                   f"and a shape. {LAD_DATASET[0]}, {LAD_DATASET[1]}.")
    parts += ["[boundaries.lad]", f"file = {toml_string(bundle.target(lad.file))}", f"code = {toml_string(lad.code)}"]
    if lad.name:
        parts.append(f"name = {toml_string(lad.name)}")
    parts += [f"vintage = {toml_string(lad.vintage)}", ""]
    parts += comment_lines("Districts up to every English region and combined authority, so the rest of the country is "
                   "there for comparison; nations, England and Wales, Great Britain and the UK follow from the "
                   "district codes.")
    for lk in bundle.lookups:
        title, licence, attribution = LOOKUP_DATASETS.get(lk.level, ("", lk.licence, lk.attribution))
        parts += comment_lines(f"{title}, Open Government Licence v3.0.") if title else []
        parts += ["[[lookups]]", f"level = {toml_string(lk.level)}", f"file = {toml_string(bundle.target(lk.file))}",
                  f"district = {toml_string(lk.district)}", f"code = {toml_string(lk.code)}", f"name = {toml_string(lk.name)}"]
        parts += [f"licence = {toml_string(licence)}"] if licence else []
        parts += [f"attribution = {toml_string(attribution)}"] if attribution else []
        parts += [""]
    if level == "group":
        parts += ["# This workspace's grouping of districts, written by `observatory init --districts`. Add or",
                  "# remove rows to change it (and change districts above to match).",
                  "[[lookups]]", 'level = "group"', f"file = {toml_string(group_file or 'data/lookups/districts.csv')}",
                  'district = "district_code"', 'code = "group_code"', 'name = "group_name"', ""]
    else:
        parts += ["# A council's own grouping (a county, a partnership): another [[lookups]] with level = \"group\",",
                  "# a CSV with a row per district: its code, the grouping's code and the grouping's name.", ""]
    parts += comment_lines("Coverage: Ofcom's district tables for every release bundled, full-fibre take-up, and ONS's "
                   "gigabit series (the months between Ofcom's releases). Each is read as published; `observatory "
                   "sources` shows what was derived per release.")
    for s in bundle.sources:
        parts += ["", "[[sources]]", f"key = {toml_string(s.key)}", f"kind = {toml_string(s.kind)}", f"file = {toml_string(bundle.target(s.file))}"]
        if s.as_of:
            parts.append(f"as_of = {toml_string(s.as_of)}")
        if s.published:
            parts.append(f"published = {toml_string(s.published)}")
        parts += [f"publisher = {toml_string(s.publisher)}", f"title = {toml_string(s.title)}", f"licence = {toml_string(s.licence)}"]
        if s.attribution:
            parts.append(f"attribution = {toml_string(s.attribution)}")
        if s.origin:
            parts.append(f"origin = {toml_string(s.origin)}")
    parts.append("")
    parts += optional_blocks(bundle, names)
    return "\n".join(parts) + "\n"


def _template() -> str:
    return HEADER + "\n" + "\n".join(optional_blocks(None, None)) + "\n"


TEMPLATE = _template()
